"""CPU per request in process: complete surveys through the WSGI app, no server, no network.

The load benchmark (``web_load.py``) measures throughput, which on a shared machine moves
with whatever else runs. The CPU time one request costs barely moves, so changes to the
request path are judged here first: this drives ``create_app()`` with Werkzeug's test
client through the same whole-survey mix as ``web_load.py`` (landing page, Start, every
page GET then POST with its CSRF token, the follow-up round trips, review, submit,
thank-you — ``loadclient.SurveyPlan``'s answers) against a throw-away database, and the
floor's one-INSERT endpoint the same way. It prints CPU µs per request for both and their
ratio, the CPU-bound ceiling of ``web_load``'s ÷ floor (the servers also spend CPU in
gunicorn, which this leaves out).

``--profile FILE`` writes a cProfile of the survey run (``python -m pstats FILE``).

Usage: ``python bench/web_cpu.py [--surveys 60] [--db postgresql|sqlite] [--profile FILE]``
"""
from __future__ import annotations

import argparse
import cProfile
import re
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.datastructures import MultiDict

sys.path.insert(0, str(Path(__file__).resolve().parent))

from floor_app import create_floor_app
from loadclient import SurveyPlan, csrf
from servers import postgres_database, prepare, sqlite_database

from survey_app.instrument import bundled_path, load_instrument
from survey_app.web import create_app

LANGUAGES = ("ja", "en", "vi", "ur")


class Counted:
    """A test client that counts requests and checks each status, as the load client does."""

    def __init__(self, client, lang: str) -> None:
        self.client, self.lang, self.requests = client, lang, 0

    def call(self, method: str, path: str, form: list[tuple[str, str]] | None = None, expect: int = 200):
        self.requests += 1
        response = self.client.open(path, method=method, data=MultiDict(form or []),
                                    headers={"Accept-Language": self.lang})
        if response.status_code != expect:
            raise RuntimeError(f"HTTP {response.status_code} on {method} {path}")
        return response


def complete_survey(person: Counted, base: str, plan: SurveyPlan) -> None:
    """The resident's walk of ``loadclient.Resident.complete_survey``, synchronously."""
    person.client._cookies.clear()  # a new resident
    landing = person.call("GET", f"{base}/").data
    location = _path(person.call("POST", f"{base}/start", [("csrf_token", csrf(landing)), ("code", ""),
                                                           ("nav", "next")], 302).location)
    answers = plan.random_answers()
    while not location.startswith(f"{base}/review"):
        page = person.call("GET", location).data
        section_id = re.split(r"[/?]", location.split("/q/", 1)[1])[0]
        form = [("csrf_token", csrf(page)), ("nav", "next"), *plan.form_for(section_id, answers)]
        location = _path(person.call("POST", location.split("?")[0], form, 302).location)
    review = person.call("GET", f"{base}/review").data
    done = person.call("POST", f"{base}/review", [("csrf_token", csrf(review)), ("nav", "submit")], 302)
    person.call("GET", _path(done.location))


def _path(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def survey_cpu(url: str, surveys: int, profile: Path | None) -> tuple[float, int]:
    """(CPU seconds, requests) of ``surveys`` complete surveys, after one per language to warm up."""
    instrument = load_instrument(bundled_path())
    plan, base = SurveyPlan(instrument), f"/s/{instrument.id}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(32)})
    people = [Counted(app.test_client(), lang) for lang in LANGUAGES]
    for person in people:  # every language once: its catalogs are read on first use
        complete_survey(person, base, plan)
    before = sum(p.requests for p in people)
    profiler = cProfile.Profile(time.process_time) if profile else None  # CPU, not waits
    started = time.process_time()
    if profiler:
        profiler.enable()
    for number in range(surveys):
        complete_survey(people[number % len(people)], base, plan)
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    return time.process_time() - started, sum(p.requests for p in people) - before


def floor_cpu(url: str, requests: int) -> float:
    client = create_floor_app(url).test_client()
    for _ in range(20):
        client.post("/floor", data={"v": "warm-up"})
    started = time.process_time()
    for number in range(requests):
        client.post("/floor", data={"v": f"resident {number}"})
    return time.process_time() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--surveys", type=int, default=60)
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the survey requests here")
    args = parser.parse_args(argv)
    with (postgres_database if args.db == "postgresql" else sqlite_database)() as url:
        prepare(url)
        seconds, requests = survey_cpu(url, args.surveys, args.profile)
        floor = floor_cpu(url, requests)
    ours, theirs = seconds / requests * 1e6, floor / requests * 1e6
    print(f"{args.db}: {args.surveys} complete surveys, {requests} requests in process")
    print(f"  survey : {ours:7.0f} µs CPU per request")
    print(f"  floor  : {theirs:7.0f} µs CPU per request (one INSERT)")
    print(f"  floor ÷ survey CPU: {theirs / ours:.1%} (the ceiling of web_load's ÷ floor if both were CPU-bound)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
