"""Per-request state: the database session and the resident's language.

Both are created lazily and cached on ``flask.g`` so error handlers can use the
language even when a request failed before any view ran (a 413 raised while the
CSRF check reads the body, a CSRF failure, a broken database).

Language, first match wins: ``?lang=`` (then remembered in the signed session
cookie), the cookie, the browser's Accept-Language, the default (Japanese).
"""
from __future__ import annotations

from typing import Protocol

from flask import current_app, g, request, session
from markupsafe import Markup
from sqlalchemy.orm import Session

from survey_app.db import engine_for, session_factory
from survey_app.i18n import locales, ruby
from survey_app.i18n.catalogs import Loaded, get_translations

LANG_PARAM = "lang"
LANG_COOKIE_KEY = "lang"


def db() -> Session:
    """The request's database session (closed at the end of the request)."""
    if "db_session" not in g:
        factory = current_app.extensions.get("machikoe_sessions")
        if factory is None:
            factory = session_factory(engine_for(current_app.config["DATABASE_URL"]))
            current_app.extensions["machikoe_sessions"] = factory
        g.db_session = factory()
    return g.db_session


def reading_only() -> Session:
    """The request's session for a view that only reads: its statements run without a
    transaction, saving the BEGIN and ROLLBACK round trips on PostgreSQL (a page view is one
    SELECT, consistent on its own). Only for views that write nothing.

    The ROLLBACK costs more than its round trip: psycopg forgets the connection's prepared
    statements after every rollback (and sends ``DEALLOCATE ALL``), so one read in a
    transaction per new resident — the landing page — kept the hot statements from ever
    staying prepared (``tests/test_web_transactions.py``)."""
    session = db()
    if not session.in_transaction():
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return session


def close_db(_exc: BaseException | None = None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


def requested_locale() -> str | None:
    """The supported locale ``?lang=`` names (``EN``, ``vi-VN`` and ``ur-PK`` too: tags are
    case-insensitive, a region is dropped), else None — ignored, never an error."""
    return locales.match(request.args.get(LANG_PARAM, ""), locales.supported())


def current_locale() -> str:
    if "locale" not in g:
        g.locale = _resolve_locale()
    return g.locale


def _resolve_locale() -> str:
    chosen = requested_locale()
    if chosen:
        session[LANG_COOKIE_KEY] = chosen
        return chosen
    remembered = session.get(LANG_COOKIE_KEY)
    if remembered in locales.supported():
        return remembered
    # A survey form carries the language it was shown in: when the phone lost its cookies between
    # showing and posting the page, the answer comes back in the resident's language, not the phone's.
    posted = _posted_language() if request.method == "POST" else ""
    if posted in locales.supported():
        session[LANG_COOKIE_KEY] = posted
        return posted
    try:
        return locales.negotiate(request.headers.get("Accept-Language", "")) or locales.default()
    except Exception:  # noqa: BLE001 - a garbled header must never break a page
        return locales.default()


def _posted_language() -> str:
    try:
        return request.form.get(LANG_PARAM, "")
    except Exception:  # noqa: BLE001 - a body too large or malformed: its error page is drawn without it
        return ""


def translations() -> Loaded:
    if "translations" not in g:
        g.translations = get_translations(current_locale())
    return g.translations


def gettext(message: str, **params: object) -> str:
    text = translations().gettext(message)
    if locales.uses_ruby(current_locale()) and ruby.has_markup(text):  # やさしい日本語: readings as <ruby>
        text = Markup(ruby.to_html(text))
    return _format(text, message, params) if params else text


def _format(translated: str, original: str, params: dict[str, object]) -> str:
    """A translation whose placeholders do not match falls back to the msgid, never to a 500."""
    try:
        return translated % params
    except (KeyError, ValueError, TypeError):
        return original % params


class Refusal(Protocol):
    """An error a resident reads: ``message`` is a msgid; an optional ``params`` dict fills it."""

    message: str


def translate_error(error: Refusal) -> str:
    """An error object with ``message`` (msgid) and ``params`` in the resident's language."""
    params = getattr(error, "params", None) or {}
    return gettext(error.message, **params)
