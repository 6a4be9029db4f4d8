"""The suite's own PostgreSQL databases: a killed run's are dropped by the next run on the host,
never a live run's (tests/support/db.py)."""
from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import create_engine, text

from tests.support.db import PG_ADMIN_URL, PREFIX, drop_abandoned


def test_a_killed_runs_databases_are_dropped_and_a_live_runs_kept(pg_url):
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    abandoned = f"{PREFIX}gw9_{int(finished.stdout)}_0a0a0a"  # its process has ended, as a killed run's has
    live = f"{PREFIX}gw9_{os.getpid()}_0b0b0b"
    try:
        with admin.connect() as conn:
            for name in (abandoned, live):
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        dropped = drop_abandoned(admin)
        with admin.connect() as conn:
            names = set(conn.scalars(text("SELECT datname FROM pg_database")))
        assert abandoned in dropped and abandoned not in names
        assert live not in dropped and live in names and pg_url.rsplit("/", 1)[1] in names
    finally:
        with admin.connect() as conn:
            for name in (abandoned, live):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
