"""The PostgreSQL pool replaces a connection the server closed without a round trip per checkout
(survey_app.db.drop_if_closed_by_server, in place of ``pool_pre_ping``)."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, event, text

from survey_app.db import drop_if_closed_by_server, make_engine
from tests.support.db import PG_ADMIN_URL


def _statements(engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def _terminate_and_wait(backend: int) -> None:
    """End a backend and return once it has exited (so its socket is closed on our side too)."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend}).scalar_one()
            deadline = time.monotonic() + 30  # a bound for a failing test, not a time the test expects
            while conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                               {"pid": backend}).scalar_one():
                assert time.monotonic() < deadline, "the backend did not exit"
                time.sleep(0.02)
    finally:
        admin.dispose()


@pytest.mark.postgres
def test_a_checkout_sends_nothing_and_a_connection_the_server_ended_is_replaced(pg_url):
    engine = make_engine(pg_url)
    try:
        assert event.contains(engine, "checkout", drop_if_closed_by_server)
        with engine.connect() as conn:
            first_backend = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        seen = _statements(engine)
        with engine.connect() as conn:  # the same pooled connection: no ping before our statement
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() == first_backend
        assert seen == ["SELECT pg_backend_pid()"]

        _terminate_and_wait(first_backend)
        with engine.connect() as conn:  # no error: the dead connection is swapped before anyone uses it
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != first_backend
    finally:
        engine.dispose()


def test_sqlite_engines_get_no_socket_check(sqlite_url):
    engine = make_engine(sqlite_url)
    assert not event.contains(engine, "checkout", drop_if_closed_by_server)
    engine.dispose()
