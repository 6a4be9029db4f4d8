"""``machikoe line``: help, clear errors, the link for letters, and the real webhook process."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import unquote

import httpx
import pytest

from survey_app import codes
from tests.support import httpkit
from tests.support.fake_line import ACCESS_TOKEN, CHANNEL_SECRET, LineResident
from tests.support.servekit import stop

LINE_ENV = ("LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "LINE_API_BASE_URL", "LINE_BASIC_ID")


@pytest.fixture
def no_line_env(monkeypatch):
    for name in LINE_ENV:
        monkeypatch.delenv(name, raising=False)


def test_help_lists_the_options(cli, no_line_env):
    result = cli("line", "--help")
    assert result.exit_code == 0
    for option in ("--survey", "--host", "--port", "--reminder-hours", "--city-timezone", "link"):
        assert option in result.output


def test_missing_secrets_are_one_clear_line(cli, instrument, monkeypatch, no_line_env):
    result = cli("line")
    assert result.exit_code == 1 and "LINE_CHANNEL_SECRET is not set" in result.output
    monkeypatch.setenv("LINE_CHANNEL_SECRET", CHANNEL_SECRET)
    result = cli("line")
    assert result.exit_code == 1 and "LINE_CHANNEL_ACCESS_TOKEN is not set" in result.output


def test_unknown_time_zone_is_refused(cli, instrument, no_line_env):
    result = cli("line", "--city-timezone", "Mars/Olympus")
    assert result.exit_code == 1 and "unknown time zone" in result.output


def test_link_opens_the_account_with_start_code(cli, no_line_env):
    code = codes.generate()
    result = cli("line", "link", code.lower().replace("-", ""), "--basic-id", "@123abcde")
    assert result.exit_code == 0
    link = result.output.strip()
    assert link.startswith("https://line.me/R/oaMessage/%40123abcde/?")
    assert unquote(link.split("?", 1)[1]) == f"/start {code}"
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")
    result = cli("line", "link", typo, "--basic-id", "@123abcde")
    assert result.exit_code == 1 and "typing mistake" in result.output


def test_machikoe_line_serves_the_webhook_and_stops_on_sigterm(line_api, sqlite_with_survey, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "LINE_CHANNEL_SECRET": CHANNEL_SECRET, "LINE_CHANNEL_ACCESS_TOKEN": ACCESS_TOKEN,
           "LINE_API_BASE_URL": line_api.base_url, "DATABASE_URL": sqlite_with_survey,
           "SECRET_KEY": "test-secret-key-for-hmac-at-least-32-chars", "MACHIKOE_INSTANCE": str(tmp_path)}
    machikoe = os.path.join(os.path.dirname(sys.executable), "machikoe")
    process = subprocess.Popen([machikoe, "line", "--port", str(port)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/line/webhook"
    resident = LineResident(line_api, url)
    try:
        deadline = time.monotonic() + 90  # a loaded machine takes seconds to import pandas & co.
        while True:  # until the server listens
            try:
                assert resident.post([]) == 200
                break
            except httpx.ConnectError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        sent = resident.follow()
        assert sent[0].kind == "reply" and "Tiếng Việt" in str(sent[0].messages)
        assert resident.post([], body=b"{garbage") == 400
        assert httpkit.get(url).status_code == 405
    finally:
        out, err = stop(process, signal.SIGTERM, timeout=30)
    assert process.returncode == 0, err
    assert "/line/webhook" in out and "Traceback" not in err
    assert ACCESS_TOKEN not in err and CHANNEL_SECRET not in err and resident.user_id not in err
