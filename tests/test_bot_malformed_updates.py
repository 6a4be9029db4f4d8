"""Malformed or unexpected Telegram updates (no payload, wrong types, other chat kinds, forged
button data, huge texts) are ignored with a log line, and the bot keeps answering (both
databases, the in-process bot against tests/support/fake_telegram.py)."""
from __future__ import annotations

import logging
import time

from tests.support.bot_harness import BotRunner, Resident, settings_for

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
