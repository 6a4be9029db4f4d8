"""Databases for tests: the shared secret, the throw-away PostgreSQL database, migrated engines.

Every test that takes ``engine`` (or ``session``) runs twice, on SQLite and on PostgreSQL —
unless it is marked ``pytest.mark.databases("sqlite")`` (on the test, or ``pytestmark`` for its
module; the nearest mark wins, so one test of a marked module can say
``databases("sqlite", "postgresql")``). That mark is for tests whose subject is not storage — a
page's words, an access rule, a report's layout — and whose statements other tests already send
to PostgreSQL: ``make test`` fails if a statement would then reach SQLite alone
(``tests/support/sql_reach.py``). Tests of storage — the write path, imports, queries, codes,
accounts, retention, faults, hostile and fuzzed input (a NUL that SQLite stores and PostgreSQL
refuses) — run on both.
Each pytest process — every pytest-xdist worker too — creates its own PostgreSQL database
on 127.0.0.1:5432 (named after the host, the worker and the process, so parallel workers never
collide) and drops it at the end, and its own SQLite file under its own temporary directory. A
run that was killed cannot drop its databases: the next run on the same host drops those whose
process is gone. Without a PostgreSQL
server the PostgreSQL half is skipped locally — but under ``CI=true`` it is a failure,
never a skip.
"""
from __future__ import annotations

import hashlib
import os
import socket
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from survey_app import surveys
from survey_app.db import make_engine
from survey_app.instrument import Instrument, bundled_path, load_instrument
from survey_app.migrate import upgrade
from survey_app.models import Base
from survey_app.surveys import load_survey

PG_ADMIN_URL = os.environ.get("MACHIKOE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TEST_SECRET = "test-secret-key-for-hmac-at-least-32-chars"


def pg_unavailable(reason: str) -> None:
    """Skip a PostgreSQL test when there is no server — except under CI, where it fails."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required under CI=true: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not available: {reason}")


def worker_name() -> str:
    """``gw0``, ``gw1``… under pytest-xdist; ``main`` in a plain run."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


# This host, shortened: a PostgreSQL server may be shared by several machines, and only this
# host's processes can be checked for being alive.
HOST = hashlib.sha1(socket.gethostname().encode()).hexdigest()[:6]
PREFIX = f"machikoe_t_{HOST}_"


def pg_test_database_name() -> str:
    # The pid and a random tail keep two pytest runs on one server (two checkouts, or the
    # serial and parallel halves of `make test`) apart; the worker name says whose it is.
    return f"{PREFIX}{worker_name()}_{os.getpid()}_{uuid.uuid4().hex[:6]}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def drop_abandoned(admin: Engine) -> list[str]:
    """Drop this host's test databases whose pytest process is gone (a killed run); their names."""
    dropped = []
    with admin.connect() as conn:
        names = conn.scalars(text("SELECT datname FROM pg_database WHERE starts_with(datname, :prefix)"),
                             {"prefix": PREFIX}).all()
        for name in names:
            pid = name[len(PREFIX):].split("_")[1]  # <worker>_<pid>_<random>
            if pid.isdigit() and not _alive(int(pid)):
                try:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                    dropped.append(name)
                except Exception:  # noqa: BLE001 - another worker dropping it at the same moment
                    continue
    return dropped


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """URL of a fresh PostgreSQL database for this test process (dropped afterwards)."""
    name = pg_test_database_name()
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        drop_abandoned(admin)
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            # A throw-away database need not wait for each commit's WAL to reach the disk: only a
            # crash of the server could lose a commit, never a killed client (what the fault tests do).
            # The PostgreSQL half ran about 6 % faster (51 s against 54 s, back to back).
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    except Exception as exc:  # noqa: BLE001 - any connection problem means "no server"
        pg_unavailable(str(exc).splitlines()[0])
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'machikoe.db'}"


_migrated: dict[str, Engine] = {}


def migrated_engine(url: str) -> Engine:
    """The engine of ``url``, migrated to head the first time this process asks for it."""
    if url not in _migrated:
        upgrade(url)
        _migrated[url] = make_engine(url)
    return _migrated[url]


def clean(engine: Engine) -> None:
    """Empty every table (children first), keeping the schema."""
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


DATABASES = ("sqlite", "postgresql")


def _database_param(name: str) -> object:
    if name not in DATABASES:
        raise pytest.UsageError(f"databases({name!r}): one of {', '.join(DATABASES)}")
    return pytest.param(name, marks=pytest.mark.postgres) if name == "postgresql" else name


def _argnames(parametrize: pytest.Mark) -> list[str]:
    names = parametrize.args[0]
    return [name.strip() for name in names.split(",")] if isinstance(names, str) else list(names)


@pytest.hookimpl(tryfirst=True)  # before pytest reads the parametrize marks
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``databases(...)`` narrows ``db_url``; a test's own ``parametrize("db_url", …)`` wins."""
    marker = metafunc.definition.get_closest_marker("databases")
    if marker is None or "db_url" not in metafunc.fixturenames:
        return
    if any("db_url" in _argnames(mark) for mark in metafunc.definition.iter_markers("parametrize")):
        return
    # As a mark, read by pytest's own parametrizing (which then leaves the fixture's params alone).
    metafunc.definition.add_marker(
        pytest.mark.parametrize("db_url", [_database_param(name) for name in marker.args], indirect=True))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated engine on each database, emptied after every test."""
    eng = migrated_engine(db_url)
    yield eng
    clean(eng)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture(autouse=True)
def _instruments_parsed_afresh() -> None:
    """Each test starts with no parsed instrument kept by the process (``survey_app.surveys``
    keeps them by survey and version, whatever the database): what a test sends to the database
    must not depend on which test ran before it in the same worker (``sql_reach`` compares it)."""
    surveys._PARSED.clear()


@pytest.fixture(scope="session")
def bundled_instrument() -> Instrument:
    return load_instrument(bundled_path())


@pytest.fixture
def instrument(session: Session, bundled_instrument: Instrument) -> Instrument:
    """The bundled Ebetsu instrument, loaded into the test database."""
    load_survey(session, bundled_instrument)
    return bundled_instrument


@pytest.fixture
def secret() -> str:
    return TEST_SECRET


@pytest.fixture
def cli(db_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable]:
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
    clean(migrated_engine(db_url))


@pytest.fixture
def sqlite_with_survey(sqlite_url: str, bundled_instrument: Instrument) -> Iterator[str]:
    """SQLite with the bundled survey, for tests of a command in a process of its own (the
    process is under test, not the database: PostgreSQL is covered in-process)."""
    engine = migrated_engine(sqlite_url)
    with Session(engine) as session:
        load_survey(session, bundled_instrument)
    yield sqlite_url
    clean(engine)
