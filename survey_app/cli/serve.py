"""``machikoe serve``: the web app under gunicorn (what ``make run`` starts).

No auto-reload: this is how the app runs in production too. Several workers share
nothing but the database (and Redis for rate limits when ``REDIS_URL`` is set).
Each worker is ``survey_app.cli.worker.BufferingWorker``: an event loop reads whole requests
(a slow phone holds no thread), then ``--threads`` threads run the app. The access log
leaves out query strings: a QR link carries the resident's invitation code, and a log file
must not become a list of codes.
"""
from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from flask import Flask
    from gunicorn.app.base import BaseApplication

from .context import AppContext, pass_app


def register(main: click.Group) -> None:
    main.add_command(serve)


# gunicorn's default format minus the query string (%(U)s is the path only) and the referrer.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss'


def display_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


NEWER_GUNICORN = frozenset({"control_socket_disable"})  # settings gunicorn 25.1 added


def gunicorn_application(app_factory: Callable[[], Flask], options: dict[str, Any]) -> BaseApplication:
    """A gunicorn application object serving ``app_factory()`` (imported lazily: optional)."""
    from gunicorn.app.base import BaseApplication

    class MachikoeApplication(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                if key in NEWER_GUNICORN and key not in self.cfg.settings:
                    continue  # an older gunicorn (setup.cfg allows 23+) has no such setting
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return app_factory()

    return MachikoeApplication()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: all).")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (about 2 per CPU core).")
# Two threads: one runs Python while the other waits on the database. More threads per
# worker only queue for the interpreter lock: on 2 cores 2 × 2 served 10-20 % more pages than
# 2 × 4, with a lower p99 (bench/README.md). Slow phones do not hold a thread: the worker's
# event loop reads each request whole before a thread runs it (tests/serial/test_serve_slow_clients.py).
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Threads per worker (more workers, not threads, use more cores).")
@pass_app
def serve(app: AppContext, host: str, port: int, workers: int, threads: int) -> None:
    """Serve the resident survey (and staff pages) with gunicorn."""
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        raise click.ClickException(
            "gunicorn is not installed; install it with: pip install gunicorn "
            "(or run the development server: flask --app survey_app.web:create_app run)") from None
    settings = app.settings  # creates instance/ and the secret key once, before workers start
    _set_limits()

    def factory() -> Flask:
        from survey_app.web import create_app

        app = create_app({"DATABASE_URL": settings.database_url, "SECRET_KEY": settings.secret_key,
                          "REDIS_URL": settings.redis_url})
        # Built once in the master (preload_app) and shared by the forked workers: moved out of
        # reach of the cyclic GC, as Python's gc.freeze documentation advises before a fork, the
        # workers' collections do not copy the shared pages, and every process stops in a fraction
        # of a second instead of two (the collections at interpreter exit skip these objects).
        gc.freeze()
        return app

    click.echo(f"Machikoe is serving at {display_url(host, port)} ({workers} workers × {threads} threads; "
               "Ctrl+C stops)")
    options = {"bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}", "workers": workers,
               "threads": threads, "worker_class": "survey_app.cli.worker.BufferingWorker",
               "accesslog": "-", "errorlog": "-", "access_log_format": ACCESS_LOG_FORMAT,
               "timeout": 60, "graceful_timeout": 10, "preload_app": True,
               # gunicorn 25's control socket (for its gunicornc tool) is one path per user account,
               # $HOME/.gunicorn/gunicorn.ctl, so two deployments on a host take it from each other;
               # Machikoe does not use it, and a management interface nobody uses stays closed.
               "control_socket_disable": True}
    gunicorn_application(factory, options).run()


def _set_limits() -> None:
    """Body size and time limits of the buffering worker, from the same settings as the app."""
    from survey_app import config

    from . import worker

    values = {**config.defaults(), **config.app_settings()}
    worker.BODY_LIMIT = int(values["STAFF_MAX_UPLOAD"]) + 1024 * 1024
    worker.BODY_TIMEOUT = float(values["SERVE_BODY_TIMEOUT"])
