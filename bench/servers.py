"""Databases and servers for the load benchmark: throw-away databases, gunicorn subprocesses.

Everything binds to 127.0.0.1 on a free port; every database made here is removed
afterwards (the SQLite file with its temporary directory, the PostgreSQL database with
``DROP DATABASE … WITH (FORCE)``).
"""
from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, select, text

BENCH_DIR = Path(__file__).resolve().parent
PG_ADMIN_URL = os.environ.get("MACHIKOE_BENCH_PG",
                              os.environ.get("MACHIKOE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))


class Unavailable(RuntimeError):
    """A database the benchmark cannot use here (e.g. no PostgreSQL server)."""


@contextlib.contextmanager
def sqlite_database():
    folder = Path(tempfile.mkdtemp(prefix="machikoe-bench-"))
    try:
        yield f"sqlite:///{folder / 'bench.db'}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def postgres_database():
    name = f"machikoe_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any connection problem means "no server here"
        admin.dispose()
        raise Unavailable(str(exc).splitlines()[0]) from None
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(database_url: str) -> None:
    """Migrate, load the bundled survey and create the floor's table."""
    from floor_app import create_tables
    from sqlalchemy.orm import Session

    from survey_app.db import make_engine
    from survey_app.instrument import bundled_path, load_instrument
    from survey_app.migrate import upgrade
    from survey_app.surveys import load_survey

    upgrade(database_url)
    engine = make_engine(database_url)
    with Session(engine) as session:
        load_survey(session, load_instrument(bundled_path()))
    engine.dispose()
    create_tables(database_url)


def count_rows(database_url: str, table_name: str, where: str = "") -> int:
    from survey_app.db import make_engine

    engine = make_engine(database_url)
    with engine.connect() as conn:
        count = conn.execute(text(f"SELECT count(*) FROM {table_name} {where}")).scalar_one()
    engine.dispose()
    return int(count)


def incomplete_submissions(database_url: str) -> int:
    """Complete responses lacking a required answer (must be 0: nothing half-written)."""
    from sqlalchemy.orm import Session

    from survey_app import responses
    from survey_app.db import make_engine
    from survey_app.instrument import bundled_path, load_instrument
    from survey_app.models import Response

    instrument = load_instrument(bundled_path())
    engine = make_engine(database_url)
    bad = 0
    with Session(engine) as session:
        for response in session.scalars(select(Response).where(Response.status == "complete")):
            if responses.missing_required(instrument, responses.current_answers(session, response)):
                bad += 1
    engine.dispose()
    return bad


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def machikoe_command() -> list[str]:
    script = Path(sys.executable).parent / "machikoe"
    return [str(script)] if script.exists() else [sys.executable, "-c", "from survey_app.cli import main; main()"]


@contextlib.contextmanager
def server(kind: str, database_url: str, workers: int, threads: int):
    """``machikoe serve`` (kind ``survey``) or the floor app (kind ``floor``); yields (port, pid)."""
    port = free_port()
    instance = Path(tempfile.mkdtemp(prefix="machikoe-bench-instance-"))
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(32),
           "MACHIKOE_INSTANCE": str(instance), "PYTHONPATH": str(BENCH_DIR)}
    env.pop("REDIS_URL", None)
    sizes = ["--workers", str(workers), "--threads", str(threads)]
    if kind == "survey":
        cmd = [*machikoe_command(), "serve", "--host", "127.0.0.1", "--port", str(port), *sizes]
    else:
        cmd = [sys.executable, str(BENCH_DIR / "floor_app.py"), database_url, "127.0.0.1", str(port),
               str(workers), str(threads)]
    log_path = instance / "server.log"
    with open(log_path, "wb") as log:
        # Access log lines go to stdout: discarded (both servers write them, so both pay for them).
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    try:
        _wait_until_listening(port, proc, log_path)
        yield port, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(instance, ignore_errors=True)


def _wait_until_listening(port: int, proc: subprocess.Popen, log_path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log_path.read_text()[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"server did not listen on port {port} within {timeout} s")


def cpu_by_process(pid: int) -> dict[int, float]:
    """User+system CPU seconds of a process and of each of its direct children, by pid."""
    tick = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for p in [pid, *_children(pid)]:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            seconds[p] = (int(fields[11]) + int(fields[12])) / tick
    return seconds


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
