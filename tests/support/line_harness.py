"""The real LINE bot server (``bot/line_server.py``) in this process, against :mod:`tests.fake_line`."""
from __future__ import annotations

import queue
import time
from typing import Any

from bot.line import LineSettings
from bot.line_server import LineServer
from tests.support.bot_harness import SECRET
from tests.support.fake_api import FakeApiServer, stop_serving
from tests.support.fake_line import ACCESS_TOKEN, CHANNEL_SECRET, FakeLine, LineResident
from tests.support.survey import SURVEY


def line_settings(fake: FakeLine, db_url: str, **overrides) -> LineSettings:
    values = {"channel_secret": CHANNEL_SECRET, "access_token": ACCESS_TOKEN, "database_url": db_url,
              "secret": SECRET, "survey_id": SURVEY, "api_base_url": fake.base_url,
              "reminder_delay": 3600.0, "reminder_poll": 0.05,
              "quiet_hours": (0, 0)}  # no quiet hours unless a test sets them (tests/test_bot_reminders.py)
    values.update(overrides)
    return LineSettings(**values)


class JobQueue(queue.Queue):
    """A worker's queue that knows when its jobs are done: ``LineServer.work`` has one thread per
    queue, which asks for the next job only after the one before is handled (sent, or failed).

    So a job counts as done (``task_done``) when its worker comes back to :meth:`get`, and
    :meth:`wait_done` returns once every job put so far — an event, or a due reminder — is handled.
    """

    def __init__(self) -> None:
        super().__init__()
        self._holding = False  # touched by the worker thread only

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        if self._holding:
            self._holding = False
            self.task_done()
        job = super().get(block, timeout)
        self._holding = True
        return job

    def wait_done(self, deadline: float) -> None:
        with self.all_tasks_done:
            while self.unfinished_tasks:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("the LINE bot did not finish handling an event in time")
                self.all_tasks_done.wait(remaining)


class LineRunner:
    """``with LineRunner(settings) as bot:`` — the server on a free port; ``bot.url`` is its webhook."""

    def __init__(self, settings: LineSettings) -> None:
        self.server = LineServer(settings, port=0)
        # swapped before start(): the workers are given these queues, and accept() fills them
        self.queues = [JobQueue() for _ in self.server.queues]
        self.server.queues = list(self.queues)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/line/webhook"

    def resident(self, fake: FakeLine, user_id: str | None = None) -> LineResident:
        return LineResident(fake, self.url, user_id, handled=self.wait_handled)

    def wait_handled(self) -> None:
        """Block until the bot has handled every event it accepted (a webhook call is answered
        200 only after its events are queued) and every reminder it queued."""
        deadline = time.monotonic() + FakeApiServer.wait_timeout
        for jobs in self.queues:
            jobs.wait_done(deadline)

    def __enter__(self) -> LineRunner:
        self.server.start()
        return self

    def __exit__(self, *exc) -> None:
        stop_serving(self.server.httpd, self.server.stop)
