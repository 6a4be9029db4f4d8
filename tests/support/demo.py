"""Demo responses for tests, built once per test module and copied into each test's database.

Building 300–400 demo responses goes through the core's validation and the ORM (about a
second each time on a loaded 2-core machine); the tests that read them need the same rows
every time. The first test of a module (per database dialect and ``(n, seed)``) builds them
for real with :func:`survey_app.demo.create_demo_responses`; the rows of ``responses`` and
``answers`` are kept and every later test of the module gets them back with two multi-row
inserts. The margins are always written for real (a few dozen rows, and they set the
survey's "illustrative" mark).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from survey_app.demo import create_demo_responses
from survey_app.instrument import Instrument, bundled_path
from survey_app.models import Answer, Response
from survey_app.population import margins_for, read_population_csv, replace_margins

BUNDLED_MARGINS = bundled_path().with_name("ebetsu-2025-population.csv")
COPIED_TABLES = (Response.__table__, Answer.__table__)  # parents first

Snapshot = dict[str, list[dict[str, Any]]]


def bundled_margins(session: Session, instrument: Instrument, illustrative: bool = False) -> None:
    replace_margins(session, instrument.id, read_population_csv(BUNDLED_MARGINS, instrument), illustrative)
    session.commit()


def _snapshot(session: Session) -> Snapshot:
    return {table.name: [dict(row._mapping) for row in session.execute(select(table))] for table in COPIED_TABLES}


def _restore(session: Session, snapshot: Snapshot) -> None:
    for table in COPIED_TABLES:
        session.execute(insert(table), snapshot[table.name])
    if session.get_bind().dialect.name == "postgresql":
        # Explicit ids leave the sequences behind; the test's own inserts must come after them.
        for table in COPIED_TABLES:
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                 f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false)"))
    session.commit()


@pytest.fixture(scope="module")
def demo_snapshots() -> dict[tuple, Snapshot]:
    """This module's demo responses, by (dialect, instrument, n, seed)."""
    return {}


@pytest.fixture
def load_demo(session: Session, demo_snapshots: dict[tuple, Snapshot]) -> Callable[..., None]:
    """``load_demo(instrument, n, seed, illustrative=False)``: the bundled (example) margins and
    ``n`` invited demo responses drawn with ``seed``, as ``machikoe demo`` would store them."""
    def load(instrument: Instrument, n: int, seed: int, illustrative: bool = False) -> None:
        bundled_margins(session, instrument, illustrative)
        key = (session.get_bind().dialect.name, instrument.content_hash, n, seed)
        if key in demo_snapshots:
            _restore(session, demo_snapshots[key])
            return
        empty = not session.scalar(select(func.count()).select_from(Response))
        create_demo_responses(session, instrument, margins_for(session, instrument.id), n, seed=seed)
        if empty:  # a snapshot of the demo rows alone, nothing the test stored before
            demo_snapshots[key] = _snapshot(session)

    return load
