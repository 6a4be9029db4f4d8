"""Shared fixtures.

Databases: every test that takes ``engine`` (or ``session``) runs twice, on SQLite and
on PostgreSQL. Each pytest run creates its own throw-away PostgreSQL database on
127.0.0.1:5432 (so parallel runs never collide) and drops it at the end. Without a
PostgreSQL server the PostgreSQL half is skipped locally — but under ``CI=true`` it is
a failure, never a skip.
"""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from survey_app.db import make_engine
from survey_app.instrument import bundled_path, load_instrument
from survey_app.migrate import upgrade
from survey_app.models import Base
from survey_app.surveys import load_survey

PG_ADMIN_URL = os.environ.get("MACHIKOE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TEST_SECRET = "test-secret-key-for-hmac-at-least-32-chars"


def _pg_unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required under CI=true: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture(scope="session")
def pg_url():
    """URL of a fresh PostgreSQL database for this test run (dropped afterwards)."""
    name = f"machikoe_t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any connection problem means "no server"
        _pg_unavailable(str(exc).splitlines()[0])
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory):
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'machikoe.db'}"


_migrated: dict[str, object] = {}


def migrated_engine(url: str):
    if url not in _migrated:
        upgrade(url)
        _migrated[url] = make_engine(url)
    return _migrated[url]


def _clean(engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request):
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine(db_url):
    """A migrated engine on each database, emptied after every test."""
    eng = migrated_engine(db_url)
    yield eng
    _clean(eng)


@pytest.fixture
def session(engine):
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture(scope="session")
def bundled_instrument():
    return load_instrument(bundled_path())


@pytest.fixture
def instrument(session, bundled_instrument):
    """The bundled Ebetsu instrument, loaded into the test database."""
    load_survey(session, bundled_instrument)
    return bundled_instrument


@pytest.fixture
def secret():
    return TEST_SECRET


@pytest.fixture
def cli(db_url, tmp_path, monkeypatch):
    """Run ``machikoe`` against the test database; returns click's Result."""
    from click.testing import CliRunner

    from survey_app.cli import main

    migrated_engine(db_url)
    monkeypatch.setenv("MACHIKOE_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET)
    runner = CliRunner()

    def run(*args, **kwargs):
        return runner.invoke(main, ["--database-url", db_url, *args], catch_exceptions=False, **kwargs)

    yield run
    _clean(migrated_engine(db_url))


# ---------------------------------------------------------------- web (Flask) fixtures

def web_config(db_url: str, **overrides) -> dict:
    """Configuration of a test app: the test database, the test secret, real CSRF and rate limits."""
    return {"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": TEST_SECRET, "REDIS_URL": None, **overrides}


@pytest.fixture
def app(db_url, instrument):
    """The web app on the test database (both databases), with the bundled survey loaded."""
    from survey_app.web import create_app

    return create_app(web_config(db_url))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
