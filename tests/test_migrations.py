"""Migrations: empty -> head -> base -> head on both databases; models and migrations agree."""
from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from rootconf import PG_ADMIN_URL, _pg_unavailable
from sqlalchemy import create_engine, inspect, text

from survey_app.migrate import current_revision, downgrade, upgrade
from survey_app.models import Base


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_db_url(request, tmp_path):
    """A brand-new empty database (not the shared migrated one)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"machikoe_mig_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        _pg_unavailable(str(exc).splitlines()[0])
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    from survey_app.db import engine_for
    engine_for(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}").dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _tables(url: str) -> set[str]:
    from survey_app.db import engine_for
    return set(inspect(engine_for(url)).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(empty_db_url):
    assert current_revision(empty_db_url) is None
    upgrade(empty_db_url)
    head = current_revision(empty_db_url)
    assert head and _tables(empty_db_url) == set(Base.metadata.tables)
    downgrade(empty_db_url, "base")
    assert current_revision(empty_db_url) is None and _tables(empty_db_url) == set()
    upgrade(empty_db_url)
    assert current_revision(empty_db_url) == head


def test_models_and_migrations_do_not_differ(empty_db_url):
    from survey_app.db import engine_for
    upgrade(empty_db_url)
    with engine_for(empty_db_url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
