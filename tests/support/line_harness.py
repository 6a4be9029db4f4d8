"""The real LINE bot server (``bot/line_server.py``) in this process, against :mod:`tests.fake_line`."""
from __future__ import annotations

from bot.line import LineSettings
from bot.line_server import LineServer
from tests.support.bot_harness import SECRET
from tests.support.fake_line import ACCESS_TOKEN, CHANNEL_SECRET, FakeLine, LineResident
from tests.support.survey import SURVEY


def line_settings(fake: FakeLine, db_url: str, **overrides) -> LineSettings:
    values = {"channel_secret": CHANNEL_SECRET, "access_token": ACCESS_TOKEN, "database_url": db_url,
              "secret": SECRET, "survey_id": SURVEY, "api_base_url": fake.base_url,
              "reminder_delay": 3600.0, "reminder_poll": 0.05,
              "quiet_hours": (0, 0)}  # no quiet hours unless a test sets them (tests/test_bot_reminders.py)
    values.update(overrides)
    return LineSettings(**values)


class LineRunner:
    """``with LineRunner(settings) as bot:`` — the server on a free port; ``bot.url`` is its webhook."""

    def __init__(self, settings: LineSettings) -> None:
        self.server = LineServer(settings, port=0)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/line/webhook"

    def resident(self, fake: FakeLine, user_id: str | None = None) -> LineResident:
        return LineResident(fake, self.url, user_id)

    def __enter__(self) -> LineRunner:
        self.server.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.stop()
