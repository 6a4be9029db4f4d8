"""When the database cannot be used: a friendly retry page (HTTP 503), never a traceback.

Covers a PostgreSQL server that is down, restarting or refusing connections, and a
SQLite file that is read-only, full or locked for too long — all surface from SQLAlchemy
as ``OperationalError`` / ``InterfaceError`` (or a pool timeout). The resident reads, in
their language, that nothing saved earlier is lost and that they can try again.
``Retry-After`` tells clients when to try again.

This module is the app-wide handler and the parts every handler shares; a blueprint
that can do better registers its own handler for ``DATABASE_ERRORS`` with these parts
(Flask asks the blueprint's handlers first). The resident survey does: a page that was
being posted is shown again *with the answers just posted* (``survey_app.web.survey.recovery``).

API requests get the JSON error shape (`database_unavailable`) with the same status and header.
The operator gets one log line with the database's own reason (e.g. "attempt to write a
readonly database", "database or disk is full", "connection refused").
"""
from __future__ import annotations

import contextlib
import logging

from flask import Flask, g, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from survey_app.i18n import N_

from . import errors

log = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError, PoolTimeout)
RETRY_AFTER_SECONDS = 30
TITLE = N_("Answers cannot be saved at the moment")
MESSAGE = N_("We cannot reach our database just now. Answers saved earlier are kept. "
             "Please try again in a minute.")
PAGE_NOTICE = N_("We could not save this page just now. Your answers are shown again: "
                 "please press the button again in a minute.")


def database_unavailable(exc: Exception) -> ResponseReturnValue:
    """Any page or API call outside a blueprint with its own handler."""
    note_outage(exc)
    if request.path.startswith("/api/"):  # scripts get the API's JSON error shape, not a page
        body = jsonify(error={"code": "database_unavailable", "message": "The database is unavailable; "
                              f"retry after {RETRY_AFTER_SECONDS} seconds."})
        return retry_later((body, 503))
    return retry_later(retry_page())


def note_outage(exc: Exception) -> None:
    """One log line with the database's own reason; the request's broken session dropped."""
    log.error("database unavailable on %s %s: %s", request.method, request.path, _reason(exc))
    _discard_session()


def retry_page() -> tuple[str, int]:
    """The plain 503 page in the resident's language: nothing saved earlier is lost, try again."""
    page = errors.render_error(503, TITLE, MESSAGE)
    return page[0], page[1]


def retry_later(page: tuple) -> ResponseReturnValue:
    """``page`` (body, status) with the ``Retry-After`` header."""
    return page[0], page[1], {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _reason(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def _discard_session() -> None:
    """Drop the request's broken session now (its connection may be dead)."""
    db_session = g.pop("db_session", None)
    if db_session is not None:
        with contextlib.suppress(Exception):
            db_session.close()


def init_app(app: Flask) -> None:
    for error in DATABASE_ERRORS:
        app.register_error_handler(error, database_unavailable)
