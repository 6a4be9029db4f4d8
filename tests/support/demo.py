"""Demo responses (and other costly rows) for tests, built once per test module and copied
into each test's database.

Building 300–400 demo responses goes through the core's validation and the ORM (about a
second each time on a loaded 2-core machine); the tests that read them need the same rows
every time. The first test of a module (per database dialect and ``(n, seed)``) builds them
for real with :func:`survey_app.demo.create_demo_responses`; the rows of ``responses`` and
``answers`` are kept and every later test of the module gets them back with two multi-row
inserts. The margins are always written for real (a few dozen rows, and they set the
survey's "illustrative" mark). ``rows_once`` does the same for any fixture's rows.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from survey_app.demo import create_demo_responses
from survey_app.instrument import Instrument, bundled_path
from survey_app.models import Answer, Response
from survey_app.population import margins_for, read_population_csv, replace_margins

BUNDLED_MARGINS = bundled_path().with_name("ebetsu-2025-population.csv")
DEMO_TABLES = (Response.__table__, Answer.__table__)  # parents first

Snapshot = dict[str, list[dict[str, Any]]]


def bundled_margins(session: Session, instrument: Instrument, illustrative: bool = False) -> None:
    replace_margins(session, instrument.id, read_population_csv(BUNDLED_MARGINS, instrument), illustrative)
    session.commit()


def _snapshot(session: Session, tables: tuple[Table, ...]) -> Snapshot:
    return {table.name: [dict(row._mapping) for row in session.execute(select(table))] for table in tables}


def _restore(session: Session, tables: tuple[Table, ...], snapshot: Snapshot) -> None:
    for table in tables:
        if snapshot[table.name]:
            session.execute(insert(table), snapshot[table.name])
    if session.get_bind().dialect.name == "postgresql":
        # Explicit ids leave the sequences behind; the test's own inserts must come after them.
        for table in tables:
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                 f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false)"))
    session.commit()


@pytest.fixture(scope="module")
def row_snapshots() -> dict[tuple, Snapshot]:
    """This module's copied rows, by (dialect, what was built)."""
    return {}


@pytest.fixture
def rows_once(session: Session, row_snapshots: dict[tuple, Snapshot]) -> Callable[..., None]:
    """``rows_once(key, tables, build)``: the first time in this module (per dialect) ``build()``
    runs and the rows it stored in ``tables`` (all empty before it) are kept; later tests of the
    module get those rows inserted again instead. ``tables`` lists parents before children."""
    def once(key: tuple, tables: tuple[Table, ...], build: Callable[[], object]) -> None:
        full_key = (session.get_bind().dialect.name, *key)
        if full_key in row_snapshots:
            _restore(session, tables, row_snapshots[full_key])
            return
        empty = not any(session.scalar(select(func.count()).select_from(table)) for table in tables)
        build()
        if empty:  # only then are the rows the build's alone
            row_snapshots[full_key] = _snapshot(session, tables)

    return once


@pytest.fixture
def load_demo(session: Session, rows_once: Callable[..., None]) -> Callable[..., None]:
    """``load_demo(instrument, n, seed, illustrative=False)``: the bundled (example) margins and
    ``n`` invited demo responses drawn with ``seed``, as ``machikoe demo`` would store them."""
    def load(instrument: Instrument, n: int, seed: int, illustrative: bool = False) -> None:
        bundled_margins(session, instrument, illustrative)
        rows_once(("demo", instrument.content_hash, n, seed), DEMO_TABLES, lambda: create_demo_responses(
            session, instrument, margins_for(session, instrument.id), n, seed=seed))

    return load
