"""Fixtures of the chat channels: the fake Telegram Bot API and the fake LINE Messaging API,
each a real HTTP server on a free loopback port, started for one test and stopped after it."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.fake_line import FakeLine
from tests.support.fake_telegram import FakeTelegram


@pytest.fixture
def telegram_api() -> Iterator[FakeTelegram]:
    server = FakeTelegram().start()
    yield server
    server.stop()


@pytest.fixture
def line_api() -> Iterator[FakeLine]:
    server = FakeLine().start()
    yield server
    server.stop()


@pytest.fixture
def line_bot(line_api: FakeLine, db_url: str) -> Callable[..., Any]:
    """``with line_bot(reminder_delay=0.3) as bot:`` → the real LINE bot server on the fake API.

    The harness is imported here rather than at the top of a test module: the LINE SDK takes
    one to two seconds of CPU to import, and every pytest-xdist worker imports every test module
    when it collects them, whether or not it runs a LINE test."""
    from tests.support.line_harness import LineRunner, line_settings

    return lambda **overrides: LineRunner(line_settings(line_api, db_url, **overrides))
