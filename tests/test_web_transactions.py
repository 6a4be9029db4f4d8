"""The survey's read-only pages run outside transactions, so nothing is rolled back — and on
PostgreSQL the connection keeps its prepared statements: psycopg forgets them all after any
ROLLBACK, and a landing page read in a transaction once made every new resident wipe them."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from survey_app.db import engine_for
from tests.support.survey import SURVEY_URL
from tests.support.web import answer_all, start, submit

HELD_RESPONSE = "%FROM responses JOIN surveys%"  # survey_app.held._HELD, read by every page


def prepared(app) -> list[str]:
    """The statements prepared on the app's pooled connection (requests here come one at a time,
    so the pool holds that one connection and this checks it out) — read outside a transaction,
    or this check's own rollback would wipe them."""
    with engine_for(app.config["DATABASE_URL"]).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        return list(conn.execute(text("SELECT statement FROM pg_prepared_statements WHERE statement LIKE :held"),
                                 {"held": HELD_RESPONSE}).scalars())


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_new_residents_landing_page_keeps_the_hot_statements_prepared(app):
    # The engine is one per URL and process, shared with earlier tests: start from an empty pool,
    # so that every request (one at a time) and every check below use the same connection.
    engine_for(app.config["DATABASE_URL"]).dispose()
    first = app.test_client()
    start(first)
    answer_all(first)
    assert submit(first).status_code == 302
    assert prepared(app), "the held-response query was never prepared: psycopg prepares after 5 runs"
    newcomer = app.test_client()
    for path in ("/", "/start", "/saved", "/deleted", "/delete"):  # the pages that only read
        assert newcomer.get(f"{SURVEY_URL}{path}").status_code in (200, 302)
        assert prepared(app), f"{path} rolled a transaction back"
