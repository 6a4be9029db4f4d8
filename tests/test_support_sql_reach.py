"""Which databases a test runs on (``databases`` mark), and the check that keeps a test on
SQLite alone from leaving a statement untried on PostgreSQL (tests/support/sql_reach.py)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import event, select

from survey_app.models import Response
from tests.support.db import _database_param, migrated_engine
from tests.support.sql_reach import dialect_free_form, unreached


@pytest.mark.databases("postgresql")
def test_the_mark_picks_postgresql_alone(db_url):
    assert db_url.startswith("postgresql")


@pytest.mark.databases("sqlite")
def test_the_mark_picks_sqlite_alone(db_url):
    assert db_url.startswith("sqlite")


def test_a_database_the_suite_does_not_know_is_a_usage_error_naming_the_two_it_does():
    with pytest.raises(pytest.UsageError, match="one of sqlite, postgresql"):
        _database_param("mysql")


def test_a_statement_has_one_form_whatever_the_database_and_the_values(sqlite_url, pg_url):
    forms = {}
    for url in (sqlite_url, pg_url):
        engine, seen = migrated_engine(url), set()

        def capture(_conn, _cursor, statement, _parameters, context, _executemany, seen=seen):
            seen.add(dialect_free_form(statement, context))

        event.listen(engine, "before_cursor_execute", capture)
        try:
            with engine.connect() as conn:
                for survey, statuses in (("a", ["complete"]), ("b", ["complete", "partial"])):
                    conn.execute(select(Response.id).where(Response.survey_id == survey, Response.status.in_(statuses)))
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        forms[url] = seen
    assert forms[sqlite_url] == forms[pg_url]
    assert len(forms[pg_url]) == 1 and ":survey_id_1" in next(iter(forms[pg_url]))


def test_a_statement_only_sqlite_saw_is_reported_with_a_test_that_sent_it(tmp_path):
    shared, alone = "SELECT responses.id FROM responses", "DELETE FROM bot_sessions WHERE bot_sessions.id = :id_1"
    upsert = "INSERT INTO login_throttle (subject, address) VALUES (?, ?) ON CONFLICT (subject, address) DO NOTHING"
    (tmp_path / "gw0-1.json").write_text(json.dumps(
        {"sqlite": {shared: "tests/a.py::t[sqlite]", alone: "tests/b.py::u[sqlite]", upsert: "tests/c.py::v"},
         "postgresql": {}}))
    (tmp_path / "gw1-2.json").write_text(json.dumps({"sqlite": {}, "postgresql": {shared: "tests/a.py::t[postgresql]"}}))
    assert unreached(tmp_path) == {alone: "tests/b.py::u[sqlite]"}  # the upsert is written per dialect
