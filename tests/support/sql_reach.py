"""Every SQL statement the suite sends to SQLite also reaches PostgreSQL (``make test`` checks).

Why: a test runs on PostgreSQL to catch what differs there — a statement PostgreSQL plans,
types or orders differently. A test that only sends statements other tests already send to
PostgreSQL, with inputs of no special kind, can fail there only as it fails on SQLite; running
it twice costs the suite's time, not its coverage. So tests whose subject is not storage (page
text, access rules, report layout) may run on SQLite alone (``pytest.mark.databases("sqlite")``,
see ``tests/support/db.py``), and this check keeps that choice honest: if a statement would
then reach SQLite only, the run fails and names the statement and a test that sends it.

How: a listener on every engine records each statement in a dialect-free form (the SQLAlchemy
statement compiled for the default dialect, bound values as names: one form per statement
shape, whatever the values or the number of rows). Each pytest process writes what it saw to
a directory; the process that ran the session (the xdist controller) compares the union.
Only with ``--check-postgresql-reach`` (``make test`` gives it): a run of a few files would
miss statements the rest of the suite sends. Statements of one dialect alone (an upsert
written for each database) are named in ``DIALECT_ONLY`` with the reason.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

OPTION = "--check-postgresql-reach"
DIR_VARIABLE = "MACHIKOE_TEST_SQL_REACH_DIR"
DIALECTS = ("sqlite", "postgresql")
_WHITESPACE = re.compile(r"\s+")
_SQLALCHEMY = f"{os.sep}sqlalchemy{os.sep}"
_ROOT = Path(__file__).resolve().parents[2]
_PROJECT = tuple(f"{_ROOT / package}{os.sep}" for package in ("survey_app", "analysis", "bot"))


class Recorder:
    """The statements this process sent, by dialect, with the first test that sent each."""

    def __init__(self) -> None:
        self.current_test = ""
        self.seen: dict[str, dict[str, str]] = {dialect: {} for dialect in DIALECTS}
        self._forms: dict[tuple[str, str], str] = {}  # (dialect, SQL sent) -> dialect-free form

    def record(self, dialect: str, sent: str, context: Any) -> None:
        if dialect not in self.seen:
            return
        key = (dialect, sent)
        form = self._forms.get(key)
        if form is None:
            form = self._forms[key] = dialect_free_form(sent, context)
        self.seen[dialect].setdefault(form, self.current_test)


def dialect_free_form(sent: str, context: Any) -> str:
    """The statement compiled for SQLAlchemy's default dialect (``:name`` for each bound value);
    the SQL as sent when there is no statement object (a driver-level string)."""
    compiled = getattr(context, "compiled", None)
    statement = getattr(compiled, "statement", None)
    if statement is not None:
        try:
            return _WHITESPACE.sub(" ", str(statement)).strip()
        except Exception:  # noqa: BLE001 - a construct only its own dialect compiles
            pass
    return _WHITESPACE.sub(" ", sent).strip()


RECORDER = Recorder()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(OPTION, action="store_true",
                     help="fail if a SQL statement the suite sends to SQLite never reaches PostgreSQL")


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption(OPTION):
        return
    if not hasattr(config, "workerinput"):  # the session's own process: workers inherit the directory
        os.environ[DIR_VARIABLE] = tempfile.mkdtemp(prefix="machikoe-sql-reach-")
    event.listen(Engine, "before_cursor_execute", _before_cursor_execute)


def _before_cursor_execute(conn, _cursor, statement: str, _parameters, context, _executemany) -> None:
    # The application's statements only: not the schema's (DDL, reflection and migrations are
    # each dialect's own, and tests/test_migrations.py runs them on both), not a test's own
    # queries (a browser test reading what it stored runs on SQLite by choice).
    if context is not None and context.compiled is not None and not context.isddl and _sent_by_the_application():
        RECORDER.record(conn.dialect.name, statement, context)


def _sent_by_the_application() -> bool:
    """Whether the nearest caller outside SQLAlchemy is a module of the project."""
    frame = sys._getframe(2)
    while frame is not None and _SQLALCHEMY in frame.f_code.co_filename:
        frame = frame.f_back
    return frame is not None and frame.f_code.co_filename.startswith(_PROJECT)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    RECORDER.current_test = item.nodeid
    yield
    RECORDER.current_test = ""


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    if not config.getoption(OPTION):
        return
    directory = Path(os.environ[DIR_VARIABLE])
    name = getattr(config, "workerinput", {}).get("workerid", "main")
    (directory / f"{name}-{os.getpid()}.json").write_text(json.dumps(RECORDER.seen), encoding="utf-8")
    if hasattr(config, "workerinput"):
        return
    try:
        _report(session, directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _report(session: pytest.Session, directory: Path) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if not any(_seen_on(path, "postgresql") for path in directory.glob("*.json")):
        # No PostgreSQL server here: its tests were skipped (outside CI; under CI=true they fail).
        if reporter is not None:
            reporter.write_line("SQL reaching PostgreSQL not checked: no statement reached PostgreSQL")
        return
    missing = unreached(directory)
    if missing and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if reporter is not None and missing:
        reporter.write_sep("=", f"{len(missing)} SQL statements reached SQLite but never PostgreSQL", red=True)
        for form, test in sorted(missing.items(), key=lambda pair: pair[1]):
            reporter.write_line(f"{test}\n    {form[:400]}")


def _seen_on(path: Path, dialect: str) -> bool:
    return bool(json.loads(path.read_text(encoding="utf-8"))[dialect])


def unreached(directory: Path) -> dict[str, str]:
    """Statements some process sent to SQLite and none to PostgreSQL, with a test that sent each."""
    on_sqlite: dict[str, str] = {}
    on_postgresql: set[str] = set()
    for path in sorted(directory.glob("*.json")):
        seen = json.loads(path.read_text(encoding="utf-8"))
        for form, test in seen["sqlite"].items():
            on_sqlite.setdefault(form, test)
        on_postgresql.update(seen["postgresql"])
    return {form: test for form, test in on_sqlite.items()
            if form not in on_postgresql and not any(pattern.search(form) for pattern in DIALECT_ONLY.values())}


# Statements the application writes for each dialect (the form above is the SQL as sent when
# SQLAlchemy's default dialect cannot compile the construct), and why.
DIALECT_ONLY: dict[str, re.Pattern[str]] = {
    # survey_app/lockout.py: one upsert per dialect (sqlite.insert / postgresql.insert).
    "upsert": re.compile(r"^INSERT INTO \w+ .* ON CONFLICT \("),
    # survey_app/monitor.py _day_expression: SQLite's date(…, '+9 hours'), PostgreSQL's timezone().
    "JST day": re.compile(r"\bdate\(responses\.submitted_at, :date_1\)"),
}
