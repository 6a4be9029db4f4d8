"""A gunicorn worker killed with SIGKILL while residents are submitting (both databases).

Whatever the kill interrupts — a page save, a submit — the database transaction of that
request never commits half: every response a resident was told is submitted is complete
with every answer they gave, no complete response lacks a required answer, and the
master's new worker goes on serving.
"""
from __future__ import annotations

import os
import signal
import threading
import time

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app import responses, sealing
from survey_app.models import Response
from survey_app.web import create_app
from survey_app.web.survey.state import SEAL_PURPOSE
from tests.support import httpkit
from tests.support.faultkit import complete_survey, machikoe_serve, worker_pids
from tests.support.survey import SURVEY
from tests.support.web import PAGES, REVEALED, web_config

# Beside the other tests (not in tests/serial/): nothing here is bounded by a time. A kill that lands
# between requests proves nothing, so the test kills again (bounded by MAX_KILLS) until one has cut a
# request off; every assertion is per kill. It passed 12 runs of 12 beside four busy-looping processes.

RESIDENTS = 10
LOAD_SECONDS = 2.5
KILLS_AT = (0.5, 1.0)  # seconds into the load; after the last kill, a survey must still complete
THREADS = 4  # per gunicorn worker: a kill interrupts at most this many requests at once
MAX_KILLS = 6  # bound on the extra kills made while none has interrupted a request yet


def kill_a_worker(master, killed: list[tuple[int, float]]) -> tuple[int, float]:
    """SIGKILL a worker not killed before (a killed one may still be listed until the master reaps it)."""
    dead, deadline = {pid for pid, _ in killed}, time.monotonic() + 15
    while not (alive := [p for p in worker_pids(master) if p not in dead]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert alive, "the master started no new worker within 15 s"
    os.kill(alive[0], signal.SIGKILL)
    return alive[0], time.monotonic()


def completed_after(residents, moment: float) -> bool:
    with residents.lock:
        return any(when > moment for _, when in residents.submitted)


def expected_answers(instrument) -> dict:
    raw = {qid: value for _, answers in PAGES for qid, value in answers.items()} | REVEALED
    values, errors = responses.validate(instrument, raw)
    assert not errors
    return {qid: _plain(v) for qid, v in values.items() if v is not None}


def _plain(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


class Residents:
    """Threads answering complete surveys until told to stop; what each was told is recorded."""

    def __init__(self, base: str, cookie_reader) -> None:
        self.base, self.cookie_reader = base, cookie_reader
        self.submitted: list[tuple[str, float]] = []  # (response uuid, when the resident was told)
        self.failures: list[str] = []
        self.server_errors: list[int] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def run(self) -> None:
        while not self.stop.is_set():
            with httpkit.client(base_url=self.base, timeout=15) as client:
                try:
                    complete_survey(client, SURVEY, PAGES, REVEALED, on_submitted=lambda c=client: self._told(c))
                except httpx.HTTPStatusError as exc:
                    self._failed(f"HTTP {exc.response.status_code}", exc.response.status_code)
                except httpx.TransportError as exc:  # the worker died under this request
                    self._failed(type(exc).__name__, None)

    def _told(self, client: httpx.Client) -> None:
        uuid = self.cookie_reader(client.cookies["machikoe"])
        with self.lock:
            self.submitted.append((uuid, time.monotonic()))

    def _failed(self, what: str, status: int | None) -> None:
        with self.lock:
            self.failures.append(what)
            if status is not None and status >= 500:
                self.server_errors.append(status)


def test_a_worker_killed_under_load_loses_nothing(db_url, engine, instrument, secret, tmp_path):
    app = create_app(web_config(db_url))
    serializer = app.session_interface.get_signing_serializer(app)

    def response_uuid(cookie: str) -> str:  # the cookie holds it sealed (survey_app.sealing)
        return sealing.unseal(secret, SEAL_PURPOSE, serializer.loads(cookie)["r"][SURVEY])
    with machikoe_serve(db_url, tmp_path / "instance", secret, threads=THREADS) as (base, master):
        residents = Residents(base, response_uuid)
        threads = [threading.Thread(target=residents.run, daemon=True) for _ in range(RESIDENTS)]
        started = time.monotonic()
        for t in threads:
            t.start()
        killed = []
        for at in KILLS_AT:
            time.sleep(max(0.0, started + at - time.monotonic()))
            killed.append(kill_a_worker(master, killed))
        # On a loaded machine a kill can land between requests and prove nothing: kill again (bounded)
        # until one has cut off a request — the invariant below is per kill, so more kills loosen nothing.
        while not residents.failures and len(killed) < MAX_KILLS:
            time.sleep(1.0)
            killed.append(kill_a_worker(master, killed))
        # serving goes on: wait (bounded) for a survey completed after the last kill
        wait_until = max(started + LOAD_SECONDS, time.monotonic() + 1.0)
        while time.monotonic() < wait_until or (not completed_after(residents, killed[-1][1])
                                                 and time.monotonic() < killed[-1][1] + 30):
            time.sleep(0.2)
        residents.stop.set()
        for t in threads:
            t.join(timeout=30)
        assert len(worker_pids(master)) == 2 and not {pid for pid, _ in killed} & set(worker_pids(master))

    assert residents.failures, "the kills interrupted no request: nothing was proven"
    assert residents.server_errors == [], residents.failures
    last_kill = killed[-1][1]
    assert completed_after(residents, last_kill), "no survey completed after the last kill"
    want = expected_answers(instrument)
    with Session(engine) as s:
        for uuid, _ in residents.submitted:
            response = responses.by_uuid(s, uuid)
            assert response is not None and response.status == "complete", uuid
            got = {k: _plain(v) for k, v in responses.current_answers(s, response).items()}
            assert got == want, uuid
        for response in s.scalars(select(Response).where(Response.status == "complete")):
            assert responses.missing_required(instrument, responses.current_answers(s, response)) == []
        told = {uuid for uuid, _ in residents.submitted}
        complete = set(s.scalars(select(Response.uuid).where(Response.status == "complete")))
    # A submit (or its thank-you page) cut off by the kill may be complete without the resident
    # knowing — at most one per thread of the killed worker; the other way round — told
    # "submitted" but not complete — must never happen.
    assert told <= complete
    assert len(complete - told) <= len(killed) * THREADS
