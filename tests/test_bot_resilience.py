"""The bot under stress: reminders, /stop, a blocked bot, flood limits, webhooks, logs."""
from __future__ import annotations

import asyncio
import logging
import socket
import time

import pytest
from sqlalchemy import select

from bot.ratelimit import ChatRateLimiter
from bot.telegram import webhook_secret
from survey_app.models import BotSession
from tests.support.bot_harness import SECRET, BotRunner, Resident, settings_for
from tests.support.fake_telegram import TOKEN
from tests.support.httpkit import client as http_client

REMINDER = "You have not finished the survey yet. You can continue here:"


def state_of(session, resident: Resident) -> str:
    session.expire_all()
    rows = session.scalars(select(BotSession)).all()
    from survey_app.codes import pseudonym

    key = pseudonym(SECRET, "telegram", resident.chat_id)
    return next(r.state for r in rows if r.chat_key == key)


def test_reminders_at_most_twice_and_never_after_stop(telegram_api, db_url, session, instrument):
    delay = 0.4
    with BotRunner(settings_for(telegram_api, db_url, reminder_delay=delay)) as bot:
        quiet = Resident(telegram_api, 5100, "en")
        stopped = Resident(telegram_api, 5101, "en")
        quiet.begin()
        quiet.tap_code(1, expect="sendMessage")
        stopped.begin()
        stopped.say("/stop")
        stopped_at = time.monotonic()
        telegram_api.wait_for(lambda: quiet.texts().count(REMINDER) == 2, timeout=10)
        second = [c for c in telegram_api.sent_to(quiet.chat_id) if c.text == REMINDER][-1]
        # a third reminder (moved before the second was sent) or one after /stop would be due by
        # then, so the bot's next look for due reminders would have sent it
        bot.wait_reminder_round(after=max(second.at, stopped_at) + delay)
        assert quiet.texts().count(REMINDER) == 2
        # never after /stop (one may come before it: the delay is short on a slow machine)
        texts = stopped.texts()
        after_stop = texts[next(i for i, t in enumerate(texts) if t.startswith("You will get no more messages")):]
        assert REMINDER not in after_stop and len(after_stop) == 1
        # a reminder repeats the current question with its buttons
        assert telegram_api.sent_to(quiet.chat_id)[-1].buttons
    assert state_of(session, quiet) == "ask" and state_of(session, stopped) == "stopped"


def test_blocked_bot_marks_the_chat_stopped(telegram_api, db_url, session, instrument):
    delay = 0.3
    with BotRunner(settings_for(telegram_api, db_url, reminder_delay=delay)) as bot:
        resident = Resident(telegram_api, 5200, "en")
        resident.begin()
        telegram_api.blocked.add(resident.chat_id)
        resident.say("1", expect=None)   # the answer is stored; removing its keyboard gets a 403
        telegram_api.wait_for(lambda: state_of(session, resident) == "stopped")
        sends = len(telegram_api.sent_to(resident.chat_id))
        # the answer's reminder would be due by then: no reminder to a chat that blocked the bot
        bot.wait_reminder_round(after=time.monotonic() + delay)
        assert len(telegram_api.sent_to(resident.chat_id)) == sends


def test_retry_after_is_honoured(telegram_api, db_url, instrument):
    with BotRunner(settings_for(telegram_api, db_url)):
        resident = Resident(telegram_api, 5300, "en")
        telegram_api.flood_once["sendMessage"] = 1
        resident.say("/start")
        telegram_api.wait_for(lambda: len(telegram_api.sent_to(resident.chat_id)) == 2)
        first, second = telegram_api.sent_to(resident.chat_id)
        assert first.text == second.text and second.at - first.at >= 1.0


def test_per_chat_limiter_spaces_messages_to_one_chat():
    limiter = ChatRateLimiter(overall_rate=30, chat_rate=10, burst=1)
    stamps = []

    async def send():
        stamps.append(time.monotonic())
        return True

    async def main():
        for _ in range(4):
            await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 42}, None)

    asyncio.run(main())
    assert stamps[-1] - stamps[0] >= 0.25
    assert limiter.chat_limiter(42) is not limiter.chat_limiter(43)


@pytest.fixture(scope="module")
def http():
    """One client for the module: ``httpx.post`` builds one (and loads the CA bundle) per call."""
    with http_client(timeout=10) as client:
        yield client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_webhook_refuses_a_wrong_secret_token(telegram_api, db_url, instrument, http):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    webhook = {"listen": "127.0.0.1", "port": port, "webhook_url": url}
    with BotRunner(settings_for(telegram_api, db_url), webhook=webhook) as bot:
        assert telegram_api.webhook["url"] == url and telegram_api.webhook["secret_token"] == webhook_secret(SECRET)
        update = telegram_api.text_update(5400, "/start", "en")
        update["update_id"] = 77
        wrong = http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
        missing = http.post(url, json=update)
        assert (wrong.status_code, missing.status_code) == (403, 403)
        bot.wait_processed()  # the webhook queues an update before it answers: whatever it took is done
        assert telegram_api.sent_to(5400) == []
        right = http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": webhook_secret(SECRET)})
        assert right.status_code == 200
        telegram_api.wait_for(lambda: len(telegram_api.sent_to(5400)) == 1)
        # Telegram retrying the same update (same update_id) is not answered twice
        http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": webhook_secret(SECRET)})
        bot.wait_processed()
        assert len(telegram_api.sent_to(5400)) == 1


def test_logs_hold_no_chat_ids_names_texts_or_token(telegram_api, db_url, instrument, caplog):
    caplog.set_level(logging.DEBUG, logger="bot")
    with BotRunner(settings_for(telegram_api, db_url)):
        resident = Resident(telegram_api, 987654321, "en")
        resident.begin()
        resident.say("my private words")
        resident.send_update(telegram_api.media_update(resident.chat_id, "photo", "en"))
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))
    assert "chat " in logged and "consent given" in logged
    for secret_thing in ("987654321", "Resident", "my private words", TOKEN):
        assert secret_thing not in logged


def test_webhook_survives_unreadable_bodies_with_a_log_line(telegram_api, db_url, instrument, caplog, http):
    """What reaches the webhook with the right secret but cannot be read is never a 5xx: a body
    that is not a JSON update is refused (400), an update that cannot be read is acknowledged
    (200, or Telegram resends it for hours) — each with a log line copying nothing of it — and
    the bot goes on answering the next resident."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    headers = {"X-Telegram-Bot-Api-Secret-Token": webhook_secret(SECRET), "Content-Type": "application/json"}
    webhook = {"listen": "127.0.0.1", "port": port, "webhook_url": url}
    bodies = {b"{not json": 400, b"[1, 2, 3]": 400, b'{"message": {"text": "hello"}}': 400,
              '{"update_id": 6, "message": {"text": "é"}}'.encode("latin-1"): 400,
              b'{"update_id": 5, "message": "not an object, private words"}': 200}
    with caplog.at_level(logging.INFO), BotRunner(settings_for(telegram_api, db_url), webhook=webhook):
        for body, status in bodies.items():
            mark = len(caplog.records)
            assert http.post(url, content=body, headers=headers).status_code == status, body
            assert [r for r in caplog.records[mark:] if r.name.startswith("bot")], f"no log line for {body!r}"
        update = {**telegram_api.text_update(5500, "/start", "en"), "update_id": 78}
        assert http.post(url, json=update, headers=headers).status_code == 200
        telegram_api.wait_for(lambda: len(telegram_api.sent_to(5500)) == 1)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "private words" not in logged and "hello" not in logged
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
