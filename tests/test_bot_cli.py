"""``machikoe bot``: help, clear errors, the deep link, and the real polling process."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from survey_app import codes
from tests.support import httpkit
from tests.support.fake_telegram import TOKEN
from tests.support.servekit import stop


@pytest.fixture
def no_telegram_env(monkeypatch):
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "TELEGRAM_BOT_USERNAME"):
        monkeypatch.delenv(name, raising=False)


def test_help_lists_the_modes(cli, no_telegram_env):
    result = cli("bot", "--help")
    assert result.exit_code == 0
    for option in ("--survey", "--webhook-url", "--listen", "--port", "--reminder-hours", "--city-timezone", "link"):
        assert option in result.output


def test_missing_token_is_one_clear_line(cli, instrument, no_telegram_env):
    result = cli("bot")
    assert result.exit_code == 1 and "TELEGRAM_BOT_TOKEN is not set" in result.output


def test_unknown_survey_is_refused(cli, instrument, monkeypatch, no_telegram_env):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    result = cli("bot", "--survey", "nope")
    assert result.exit_code == 1 and "unknown survey 'nope'" in result.output


def test_plain_http_webhook_is_refused(cli, instrument, monkeypatch, no_telegram_env):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    result = cli("bot", "--webhook-url", "http://example.invalid/hook")
    assert result.exit_code == 1 and "HTTPS" in result.output


def test_link_with_a_given_username(cli, no_telegram_env):
    code = codes.generate()
    result = cli("bot", "link", code.lower(), "--bot-username", "@ebetsu_survey_bot")
    assert result.exit_code == 0
    assert result.output.strip() == f"https://t.me/ebetsu_survey_bot?start={code.replace('-', '')}"


def test_link_asks_telegram_for_the_username(cli, telegram_api, monkeypatch, no_telegram_env):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", telegram_api.base_url)
    code = codes.generate()
    result = cli("bot", "link", code)
    assert result.exit_code == 0 and result.output.startswith("https://t.me/machikoe_test_bot?start=")
    assert [c.method for c in telegram_api.calls] == ["getMe"]


def test_link_refuses_a_mistyped_code(cli, no_telegram_env):
    code = codes.generate()
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")
    result = cli("bot", "link", typo, "--bot-username", "x_bot")
    assert result.exit_code == 1 and "typing mistake" in result.output


def test_machikoe_bot_polls_and_stops_on_ctrl_c(telegram_api, sqlite_with_survey, tmp_path):
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": telegram_api.base_url,
           "DATABASE_URL": sqlite_with_survey, "SECRET_KEY": "test-secret-key-for-hmac-at-least-32-chars",
           "MACHIKOE_INSTANCE": str(tmp_path)}
    machikoe = os.path.join(os.path.dirname(sys.executable), "machikoe")
    process = subprocess.Popen([machikoe, "bot"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        telegram_api.wait_for(lambda: any(c.method == "setMyCommands" for c in telegram_api.calls), timeout=30)
        telegram_api.inject(telegram_api.text_update(6100, "/start", "vi"))
        telegram_api.wait_for(lambda: len(telegram_api.sent_to(6100)) == 1, timeout=15)
        assert "Tiếng Việt" in telegram_api.sent_to(6100)[0].buttons[0][0]["text"]
    finally:
        out, err = stop(process, signal.SIGINT, timeout=20)
    assert process.returncode == 0, err
    assert "polling" in out
    assert TOKEN not in err and "6100" not in err


def test_machikoe_bot_serves_a_webhook_and_stops_on_sigterm(telegram_api, sqlite_with_survey, tmp_path):
    import socket

    from bot.telegram import webhook_secret

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/telegram-hook"
    secret = "test-secret-key-for-hmac-at-least-32-chars"
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": telegram_api.base_url,
           "DATABASE_URL": sqlite_with_survey, "SECRET_KEY": secret, "MACHIKOE_INSTANCE": str(tmp_path)}
    machikoe = os.path.join(os.path.dirname(sys.executable), "machikoe")
    process = subprocess.Popen([machikoe, "bot", "--webhook-url", url, "--port", str(port)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        telegram_api.wait_for(lambda: telegram_api.webhook.get("url") == url, timeout=30)
        assert telegram_api.webhook["secret_token"] == webhook_secret(secret)
        headers = {"X-Telegram-Bot-Api-Secret-Token": webhook_secret(secret)}
        update = {**telegram_api.text_update(6200, "/start", "vi"), "update_id": 901}
        assert httpkit.post(url, json=update, headers=headers).status_code == 200
        telegram_api.wait_for(lambda: len(telegram_api.sent_to(6200)) == 1, timeout=15)
        assert httpkit.post(url, content=b"{garbage", headers=headers).status_code == 400
    finally:
        out, err = stop(process, signal.SIGTERM, timeout=20)
    assert process.returncode == 0, err
    assert "webhook" in out and "Traceback" not in err
    assert TOKEN not in err and "6200" not in err
