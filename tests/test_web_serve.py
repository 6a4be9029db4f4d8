"""``machikoe serve``: gunicorn serving the app, the printed URL, a clear error without gunicorn."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from survey_app.surveys import load_survey
from tests.support.db import TEST_SECRET, clean, migrated_engine
from tests.support.servekit import stop


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_help(cli):
    result = cli("serve", "--help")
    assert result.exit_code == 0 and "--workers" in result.output and "--port" in result.output


def test_serve_without_gunicorn_says_how_to_install_it(cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "gunicorn", None)
    result = cli("serve", "--port", "5999")
    assert result.exit_code != 0 and "gunicorn is not installed" in result.output


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local test server
        return response.status, response.read().decode()


def test_serve_runs_gunicorn_and_prints_the_url(sqlite_url, bundled_instrument, tmp_path):
    with Session(migrated_engine(sqlite_url)) as session:
        load_survey(session, bundled_instrument)
    port = free_port()
    machikoe = Path(sys.executable).with_name("machikoe")
    env = {**os.environ, "SECRET_KEY": TEST_SECRET, "MACHIKOE_INSTANCE": str(tmp_path)}
    process = subprocess.Popen(
        [str(machikoe), "--database-url", sqlite_url, "serve", "--port", str(port), "--workers", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    try:
        first_line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in first_line
        deadline = time.monotonic() + 20
        while True:
            try:
                status, body = get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("gunicorn did not come up")
                time.sleep(0.2)
        assert status == 200 and '"database":"ok"' in body.replace(" ", "")
        status, page = get(f"http://127.0.0.1:{port}/s/ebetsu-2025/?lang=ur&code=K7QF-3MZD-8WXP-R2TA")
        assert status == 200 and '<html lang="ur" dir="rtl">' in page
    finally:
        try:
            log, _ = stop(process, signal.SIGTERM, timeout=15)
        finally:
            clean(migrated_engine(sqlite_url))  # the session-wide SQLite database is shared by other tests
    assert "GET /s/ebetsu-2025/ HTTP/1.1" in log and "K7QF" not in log  # no codes in the access log
    assert "Control socket" not in log  # gunicorn's management socket stays closed (survey_app/cli/serve.py)
