"""Engine and session factory. SQLite gets WAL, foreign keys and a busy timeout."""
from __future__ import annotations

import select
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import create_engine, event
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry


def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 10})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        event.listen(engine, "checkout", drop_if_closed_by_server)
    return engine


def drop_if_closed_by_server(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry, _proxy: object) -> None:
    """Pool checkout: a connection the server has closed is replaced before anyone uses it.

    An idle PostgreSQL connection has nothing to read; one the server closed (a restart,
    ``pg_terminate_backend``, ``idle_session_timeout``) has its goodbye and end of file waiting
    on the socket. One ``poll()`` with no timeout sees that without a round trip, where
    ``pool_pre_ping`` sent a query on every checkout — a round trip on every request, 13 % of
    the request threads' samples at 64 clients (py-spy, waiting included; bench/README.md). Raising ``DisconnectionError`` here
    makes the pool open a fresh connection (SQLAlchemy's documented pessimistic recipe).
    A path that dies without a word (no FIN, no RST) is not seen here; the first statement then
    fails, the resident gets the outage page with their answers kept (web/outage.py), and
    SQLAlchemy, seeing a disconnect, renews the pool for the next request.
    """
    try:
        fileno = cast(Any, dbapi_conn).fileno()
    except Exception as exc:  # a driver that cannot name its socket has lost it
        raise DisconnectionError("this pooled connection has no socket") from exc
    poller = select.poll()  # not select(): a busy server's descriptors pass select()'s limit of 1024
    poller.register(fileno, select.POLLIN)
    if poller.poll(0):
        raise DisconnectionError("the server closed this pooled connection")


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE touched (``Session.execute`` returns a CursorResult typed as Result)."""
    return cast(CursorResult[Any], result).rowcount


@lru_cache(maxsize=16)
def engine_for(url: str) -> Engine:
    """One engine (and pool) per URL and process."""
    return make_engine(url)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that rolls back on error and is always closed."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
