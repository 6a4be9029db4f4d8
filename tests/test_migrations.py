"""Migrations: empty -> head -> base -> head on both databases; models and migrations agree."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from survey_app.migrate import current_revision, downgrade, upgrade
from survey_app.models import Base
from tests.support.db import PG_ADMIN_URL, pg_test_database_name, pg_unavailable


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_db_url(request, tmp_path):
    """A brand-new empty database (not the shared migrated one)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = pg_test_database_name()  # a killed run's is dropped by the next run, as the suite's own are
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        pg_unavailable(str(exc).splitlines()[0])
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


def test_unlinkable_invitations_migration_renumbers_existing_rows(empty_db_url):
    """Issue 14's revision: existing invitations lose their use time and channel, their ids stop
    following the frame, and a batch gets one creation time."""
    from datetime import UTC, datetime, timedelta

    from survey_app.db import engine_for
    upgrade(empty_db_url, "43f856bbf97b")
    engine = engine_for(empty_db_url)
    start = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO surveys (id, version, content_hash, title, definition, allow_open, loaded_at) "
                          "VALUES ('s', 1, 'h', 't', 'd', true, :at)"), {"at": start})
        conn.execute(text("INSERT INTO invitations (id, survey_id, code_hmac, stratum, batch, created_at, used_at, "
                          "used_channel, undeliverable) VALUES (:id, 's', :h, '{}', 'b', :c, :u, 'web', false)"),
                     [{"id": i, "h": f"{i:064d}", "c": start + timedelta(milliseconds=i),
                       "u": start + timedelta(days=1, seconds=i)} for i in range(1, 121)])
    upgrade(empty_db_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, code_hmac, created_at FROM invitations")).all()
    columns = {c["name"] for c in inspect(engine).get_columns("invitations")}
    assert "used_at" not in columns and "used_channel" not in columns
    assert sorted(r.id for r in rows) == list(range(1, 121))  # the same ids, given to other rows
    moved = sum(int(r.code_hmac) != r.id for r in rows)
    assert moved >= 100  # a random order of 120 keeps more than 20 in place with probability < 1e-15
    assert len({str(r.created_at) for r in rows}) == 1
