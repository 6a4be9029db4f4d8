"""When the database cannot be used: a friendly retry page (HTTP 503), never a traceback.

Covers a PostgreSQL server that is down, restarting or refusing connections, and a
SQLite file that is read-only, full or locked for too long — all surface from SQLAlchemy
as ``OperationalError`` / ``InterfaceError`` (or a pool timeout). The resident reads, in
their language, that nothing saved earlier is lost and that they can try again; a survey
page that was being posted is shown again *with the answers just posted* (taken from the
request, not the database), with a fresh CSRF token, so pressing the button again once
the database is back stores them. ``Retry-After`` tells clients when to try again.

API requests get the JSON error shape (`database_unavailable`) with the same status and header.
The operator gets one log line with the database's own reason (e.g. "attempt to write a
readonly database", "database or disk is full", "connection refused").
"""
from __future__ import annotations

import contextlib
import logging

from flask import Flask, g, jsonify, request
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from survey_app import responses
from survey_app.i18n import N_

from . import errors
from .context import gettext

log = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError, PoolTimeout)
RETRY_AFTER_SECONDS = 30
TITLE = N_("Answers cannot be saved at the moment")
MESSAGE = N_("We cannot reach our database just now. Answers saved earlier are kept. "
             "Please try again in a minute.")
PAGE_NOTICE = N_("We could not save this page just now. Your answers are shown again: "
                 "please press the button again in a minute.")


def database_unavailable(exc: Exception):
    log.error("database unavailable on %s %s: %s", request.method, request.path, _reason(exc))
    _discard_session()
    if request.path.startswith("/api/"):  # scripts get the API's JSON error shape, not a page
        body = jsonify(error={"code": "database_unavailable", "message": "The database is unavailable; "
                              f"retry after {RETRY_AFTER_SECONDS} seconds."})
        return body, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    page = _reshow_posted_page()
    if page is None:
        page = errors.render_error(503, TITLE, MESSAGE)
    body, status = page[0], page[1]
    return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _reason(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def _discard_session() -> None:
    """Drop the request's broken session now (its connection may be dead)."""
    db_session = g.pop("db_session", None)
    if db_session is not None:
        with contextlib.suppress(Exception):
            db_session.close()


def _reshow_posted_page():
    """The survey page that was posted, re-rendered from the request alone (None if not one)."""
    if request.method != "POST" or request.endpoint != "survey.page":
        return None
    from .survey.fields import build_form
    from .survey.pages import render_page
    from .survey.state import last_known_instrument

    args = request.view_args or {}
    instrument = last_known_instrument(args.get("survey_id", ""))
    section = next((s for s in instrument.sections if s.id == args.get("section_id")), None) if instrument else None
    if section is None:
        return None
    posted = {q.id: _posted_value(q) for q in section.questions if q.id in request.form}
    values, _ = responses.validate(instrument, posted)
    answers = {k: v for k, v in values.items() if v is not None}
    # Without the database the answers of other pages are unknown: show what was posted
    # plus what the posted answers reveal.
    shown = [q for q in section.questions if q.id in posted or instrument.is_visible(q, answers)]
    if not shown:
        return None
    try:
        return render_page(instrument, section, shown, build_form(shown, formdata=request.form), answers,
                           notice=gettext(PAGE_NOTICE), status=503)
    except Exception:  # noqa: BLE001 - fall back to the plain retry page, never a 500
        log.exception("the survey page could not be re-shown during a database outage")
        return None


def _posted_value(question):
    return request.form.getlist(question.id) if question.type == "multi" else request.form.get(question.id, "")


def init_app(app: Flask) -> None:
    for error in DATABASE_ERRORS:
        app.register_error_handler(error, database_unavailable)
