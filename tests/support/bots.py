"""Fixtures of the chat channels: the fake Telegram Bot API and the fake LINE Messaging API,
each a real HTTP server on a free loopback port, started for one test and stopped after it."""
from __future__ import annotations

from collections.abc import Iterator

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
