"""The floor: a bare Flask endpoint doing one INSERT, served exactly like ``machikoe serve``.

The benchmark divides our page rate by this endpoint's rate: what is left is what the
survey itself costs (sessions, CSRF, forms, validation, templates, several queries per
page). To make "same server settings" true by construction, this runs the real
``machikoe serve`` command with its application factory swapped for the floor's, so the
gunicorn options (workers, threads, worker class, logging, timeouts) cannot drift apart.
The engine comes from ``survey_app.db.make_engine``: the same pool and SQLite pragmas.

Usage: ``python bench/floor_app.py DATABASE_URL HOST PORT WORKERS THREADS``
"""
from __future__ import annotations

import sys

from flask import Flask, request
from sqlalchemy import Column, Integer, MetaData, String, Table

from survey_app.db import make_engine

METADATA = MetaData()
FLOOR_TABLE = Table("bench_floor", METADATA, Column("id", Integer, primary_key=True),
                    Column("payload", String(200), nullable=False))


def create_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    METADATA.create_all(engine)
    engine.dispose()


def create_floor_app(database_url: str) -> Flask:
    app = Flask(__name__)
    engine = make_engine(database_url)  # no connection yet: each forked worker opens its own

    @app.post("/floor")
    def floor():
        with engine.begin() as conn:
            conn.execute(FLOOR_TABLE.insert().values(payload=request.form.get("v", "")[:200]))
        return "ok"

    return app


def serve_floor(database_url: str, host: str, port: int, workers: int, threads: int) -> None:
    import survey_app.cli.serve as serve_command
    from survey_app.cli import main

    real = serve_command.gunicorn_application
    serve_command.gunicorn_application = lambda _factory, options: real(
        lambda: create_floor_app(database_url), options)
    main(["--database-url", database_url, "serve", "--host", host, "--port", str(port),
          "--workers", str(workers), "--threads", str(threads)])


if __name__ == "__main__":
    url, bind_host, bind_port, n_workers, n_threads = sys.argv[1:6]
    serve_floor(url, bind_host, int(bind_port), int(n_workers), int(n_threads))
