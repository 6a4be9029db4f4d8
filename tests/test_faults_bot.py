"""The bot under faults (both databases), against tests/support/fake_telegram.py on loopback.

- ``machikoe bot`` is a real subprocess killed with SIGKILL while residents' taps are in
  flight, then started again: Telegram (the fake) redelivers what was not acknowledged, the
  database is the source of truth, and every resident finishes with exactly the answers
  they tapped, once, in one complete response.
- Malformed or unexpected updates (no payload, wrong types, other chat kinds, forged
  button data, huge texts) are ignored with a log line, and the bot keeps answering.
"""
from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey_app import responses
from survey_app.models import Response
from tests.support.bot_harness import SECRET, BotRunner, Resident, settings_for
from tests.support.fake_telegram import TOKEN, FakeTelegram
from tests.support.survey import SURVEY

pytestmark = pytest.mark.serial  # SIGKILLs the bot process mid-survey: alone, so redelivery is not raced by a busy neighbour


@contextlib.contextmanager
def bot_process(db_url: str, telegram_api: FakeTelegram, instance: Path):
    """``machikoe bot`` polling the fake Bot API; SIGKILLed (not stopped) when the block ends."""
    env = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": SECRET, "MACHIKOE_INSTANCE": str(instance),
           "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": telegram_api.base_url}
    script = Path(sys.executable).parent / "machikoe"
    cmd = [str(script)] if script.exists() else [sys.executable, "-c", "from survey_app.cli import main; main()"]
    instance.mkdir(parents=True, exist_ok=True)
    log_path = instance / f"bot-{time.monotonic_ns()}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([*cmd, "bot", "--survey", SURVEY], env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        mark = len(telegram_api.calls)
        telegram_api.wait_for(lambda: any(c.method == "setMyCommands" for c in telegram_api.calls[mark:]), timeout=30)
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_bot_killed_mid_survey_resumes(telegram_api, db_url, session, instrument, tmp_path):
    residents = [Resident(telegram_api, 5100 + i, "ja") for i in range(2)]
    with bot_process(db_url, telegram_api, tmp_path / "instance"):
        for r in residents:
            r.begin()
            r.answer_current(instrument)
        # Taps in flight when the process dies: injected, then SIGKILL at once.
        for r in residents:
            telegram_api.inject(telegram_api.tap_update(r.chat_id, r.keyboard_message(),
                                        next(b["callback_data"] for b in r.buttons()
                                             if b["callback_data"].startswith("A|"))))
    # A new bot with no memory of the killed one (in-process, without the per-chat pacing of the
    # real process, to keep the test short): Telegram redelivers what was not acknowledged.
    with BotRunner(settings_for(telegram_api, db_url)):
        telegram_api.wait_for(lambda: telegram_api.consumed(max(u["update_id"] for u in telegram_api.updates) if telegram_api.updates else 0))
        telegram_api.settle(0, quiet=0.5)  # the redelivered taps are answered first
        for r in residents:
            mark = len(telegram_api.calls)
            sent = [c.text for c in r.say("/start") if c.method == "sendMessage"]
            assert any("おかえりなさい" in text for text in sent), sent
            telegram_api.wait_for(lambda r=r, mark=mark: any(c.chat_id == r.chat_id and c.buttons for c in telegram_api.calls[mark:]))
            r.answer_everything(instrument)
            r.tap_kind("R", "submit", expect="sendMessage")
    session.expire_all()
    found = list(session.scalars(select(Response).where(Response.status == "complete")))
    assert len(found) == len(residents) and all(r.channel == "telegram" for r in found)
    assert session.scalar(select(func.count()).select_from(Response)) == len(residents)  # no duplicates
    for response in found:
        answers = responses.current_answers(session, response)
        assert responses.missing_required(instrument, answers) == []
        assert answers["kurashiyasui"] == 1 and answers["has_children"] == 1


MALFORMED = [
    {},                                                          # an update with no payload at all
    {"message": {"message_id": 1, "date": 0, "chat": {"id": 6001, "type": "group", "title": "x"},
                 "text": "/start"}},                             # a group chat, no sender
    {"channel_post": {"message_id": 2, "date": 0, "chat": {"id": -1006, "type": "channel"}, "text": "hi"}},
    {"my_chat_member": {"chat": {"id": 6002, "type": "private"}, "from": {"id": 6002, "is_bot": False,
                        "first_name": "R"}, "date": 0,
                        "old_chat_member": {"status": "member", "user": {"id": 1, "is_bot": True, "first_name": "B"}},
                        "new_chat_member": {"status": "kicked", "until_date": 0,
                                            "user": {"id": 1, "is_bot": True, "first_name": "B"}}}},
    {"callback_query": {"id": "cq1", "from": {"id": 6003, "is_bot": False, "first_name": "R"},
                        "chat_instance": "c", "data": "A|||||999|<script>"}},  # no message, forged data
    {"callback_query": {"id": "cq2", "from": {"id": 6004, "is_bot": False, "first_name": "R"}, "chat_instance": "c",
                        "data": "x" * 64, "message": {"message_id": 9, "date": 0,
                                                       "chat": {"id": 6004, "type": "private"}}}},
    {"message": {"message_id": 3, "date": 0, "chat": {"id": 6005, "type": "private"},
                 "from": {"id": 6005, "is_bot": False, "first_name": "R"}, "text": "あ" * 5000}},
    {"message": "not an object"},                                # undecodable: wrong types
    {"callback_query": {"id": 5, "from": None, "data": ["x"]}},
    {"edited_message": {"message_id": 4, "date": 0, "edit_date": 1, "chat": {"id": 6006, "type": "private"},
                        "from": {"id": 6006, "is_bot": False, "first_name": "R"}, "text": "2"}},
]


def _bot_lines(caplog, mark: int) -> list[str]:
    return [r.getMessage() for r in caplog.records[mark:] if r.name.startswith("bot")]


def test_malformed_updates_are_ignored_with_a_log_line(telegram_api, db_url, instrument, caplog):
    resident = Resident(telegram_api, 6100, "ja")
    with caplog.at_level(logging.INFO), BotRunner(settings_for(telegram_api, db_url)):
        for update in MALFORMED:
            mark = len(caplog.records)
            sent = telegram_api.inject(dict(update))
            telegram_api.wait_for(lambda u=sent: telegram_api.consumed(u["update_id"]))
            deadline = time.monotonic() + 5
            while not _bot_lines(caplog, mark) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _bot_lines(caplog, mark), f"no log line for {update!r:.80}"
        resident.begin()  # and the bot still answers
        assert resident.answer_current(instrument) == "kurashiyasui"
    errors = [f"{r.name}: {r.getMessage()[:80]}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []  # nothing failed, nothing needed a retry: every update was simply ignored
