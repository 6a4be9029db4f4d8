"""The bot killed (both databases), against tests/support/fake_telegram.py on loopback.

``machikoe bot`` is a real subprocess killed with SIGKILL while residents' taps are in flight,
then started again: Telegram (the fake) redelivers what was not acknowledged, the database is
the source of truth, and every resident finishes with exactly the answers they tapped, once,
in one complete response. (Malformed updates: tests/test_bot_malformed_updates.py.)
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import func, select

from survey_app import responses
from survey_app.models import Response
from tests.support.bot_harness import SECRET, BotRunner, Resident, settings_for
from tests.support.fake_telegram import TOKEN, FakeTelegram
from tests.support.survey import SURVEY

# Beside the other tests (not in tests/serial/): the waits are for events (a call the fake API saw, an
# update consumed) and the bot handles one update at a time in order (PTB's default), so the restarted
# bot answers the redelivered taps before the /start that follows them however busy the machine is.
# It passed 12 runs of 12 beside four busy-looping processes.


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
        # both at once, as residents are: the real process paces each chat (about a message a second)
        with ThreadPoolExecutor(len(residents)) as pool:
            list(pool.map(lambda r: (r.begin(), r.answer_current(instrument)), residents))
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
