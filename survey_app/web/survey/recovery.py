"""Stopping and coming back, deleting, and recovering from expired pages and database outages.

- "Continue later" stores the page, then shows a resume code and link; the signed
  cookie also brings this phone back, and the invitation code continues too.
- "Delete my answers" (before submitting): the response and its answers are erased.
- A CSRF failure (a page left open too long, cookies cleared) re-shows the same page
  with what the resident posted — nothing is stored from an unverified post, nothing
  typed is lost from the screen. A post that carries no session cookie at all comes from a
  browser that refuses cookies: "press the button again" would fail forever, so the page
  says that the survey needs cookies instead.
- The database unreachable, read-only or full (``web.outage.DATABASE_ERRORS``): the page
  just posted is shown again from the request alone, with a fresh CSRF token, so pressing
  the button once the database is back stores it; any other survey page gets the plain
  retry page. Both are HTTP 503 with ``Retry-After`` (``survey_app.web.outage``).
"""
from __future__ import annotations

import logging

from flask import current_app, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError

from survey_app import responses, sealing
from survey_app.i18n import N_
from survey_app.instrument import Instrument
from survey_app.models import Response
from survey_app.surveys import UnknownSurvey, get_instrument

from .. import errors, outage
from ..context import db, gettext, reading_only
from . import bp
from .entry import submitted_code
from .fields import posted_answers, posted_values
from .render import (
    Rendered,
    render_delete,
    render_deleted,
    render_landing,
    render_page,
    render_review,
    render_saved,
)
from .state import (
    forget,
    held_response,
    instrument_for,
    last_known_instrument,
    secret,
    visible_in,
)

log = logging.getLogger(__name__)

SAVED_KEY = "saved"
SAVED_PURPOSE = "resume-code"
EXPIRED_NOTICE = N_("This page had expired, so nothing was saved yet. Your answers are shown again: "
                    "please check them and press the button again.")
# A survey page posted from a phone that no longer holds a response: nothing can be shown again.
LOST_NOTICE = N_("This phone no longer holds your survey (its cookies were cleared, or a private window was "
                 "closed), so the answers on that page were not saved. To carry on, enter the code from your "
                 "letter or your resume code below.")

# A survey page posted for a response deleted since (on this phone or another): nothing was saved.
GONE_NOTICE = N_("The answers of this survey were deleted, on this phone or on another device, so the answers "
                 "on that page were not saved. You can start the survey again below.")

# A post without any session cookie: the browser refuses cookies, so every retry would expire again.
COOKIES_NOTICE = N_("This survey needs cookies to keep your answers between pages. Please allow cookies for "
                    "this site in your browser, then start again.")


def save_for_later(instrument: Instrument, response: responses.ResponseRef) -> ResponseReturnValue:
    token = responses.issue_resume_token(db(), secret(), response)
    saved = dict(session.get(SAVED_KEY) or {})
    saved[instrument.id] = sealing.seal(secret(), SAVED_PURPOSE, token)  # never readable in the cookie
    session[SAVED_KEY] = saved
    return redirect(url_for("survey.saved", survey_id=instrument.id))


@bp.get("/saved")
def saved(survey_id: str) -> ResponseReturnValue:
    reading_only()
    instrument = instrument_for(survey_id)
    response = held_response(survey_id)
    token = sealing.unseal(secret(), SAVED_PURPOSE, (session.get(SAVED_KEY) or {}).get(survey_id))
    if response is None or token is None or response.status != "partial":
        return redirect(url_for("survey.landing", survey_id=survey_id))
    link = url_for("survey.landing", survey_id=survey_id, code=token, _external=True)
    return render_saved(instrument, token, link)


@bp.route("/delete", methods=["GET", "POST"])
def delete(survey_id: str) -> ResponseReturnValue:
    if request.method == "GET":  # the question is asked; only its POST deletes
        reading_only()
    instrument = instrument_for(survey_id)
    response = held_response(survey_id)
    if response is None:
        if request.method == "POST":  # deleted meanwhile (another tab, another phone): said, not silent
            return render_landing(instrument, notice=gettext(GONE_NOTICE), status=409)
        return redirect(url_for("survey.landing", survey_id=survey_id))
    # Sent answers can be erased too, as in the chats (/delete): the row stays as an empty marker that
    # keeps a letter's code used (survey_app.erasure).
    if request.method == "GET":
        return render_delete(instrument, sent=response.status == "complete", invited=response.source == "invited")
    responses.delete_response(db(), response)
    forget(survey_id)
    (session.get(SAVED_KEY) or {}).pop(survey_id, None)
    session.modified = True
    return redirect(url_for("survey.deleted", survey_id=survey_id))


@bp.get("/deleted")
def deleted(survey_id: str) -> ResponseReturnValue:
    reading_only()
    instrument = instrument_for(survey_id)
    return render_deleted(instrument)


@bp.errorhandler(CSRFError)
def csrf_failed(exc: CSRFError) -> ResponseReturnValue:
    survey_id = (request.view_args or {}).get("survey_id", "")
    try:
        instrument = get_instrument(db(), survey_id)
    except UnknownSurvey:
        return errors.handle_csrf_error(exc)
    notice = gettext(EXPIRED_NOTICE)
    response = held_response(survey_id)
    endpoint = request.endpoint or ""
    if endpoint == "survey.page" and response is not None and response.status == "partial":
        return _reshow_page(instrument, response, notice)
    if endpoint == "survey.review" and response is not None and response.status == "partial":
        return render_review(instrument, responses.current_answers(db(), response), notice=notice, status=400)
    if endpoint == "survey.delete" and response is not None:
        return render_delete(instrument, notice=notice, status=400, sent=response.status == "complete",
                             invited=response.source == "invited")
    if endpoint in ("survey.page", "survey.review") and response is None:
        notice = gettext(LOST_NOTICE)  # not "shown again": there is nothing of theirs on this phone to show
    elif _sent_no_session_cookie():
        notice = gettext(COOKIES_NOTICE)
    return render_landing(instrument, code=submitted_code(), notice=notice, status=400)


def _sent_no_session_cookie() -> bool:
    """Every page that has a form sets the session cookie (its CSRF token lives there), so a form
    posted without one comes from a browser that refused it — or lost it since, which is why a
    survey page posted that way keeps the "this phone no longer holds your survey" notice."""
    return current_app.config["SESSION_COOKIE_NAME"] not in request.cookies


def _reshow_page(instrument: Instrument, response: Response, notice: str) -> ResponseReturnValue:
    section_id = (request.view_args or {}).get("section_id")
    section = next((s for s in instrument.sections if s.id == section_id), None)
    if section is None:
        return errors.render_error(404, *errors.PAGES[404])
    answers = responses.current_answers(db(), response)
    shown = visible_in(instrument, section, answers)
    return render_page(instrument, section, shown, posted_values(shown, request.form), answers,
                       notice=notice, status=400)


def database_unavailable(exc: Exception) -> ResponseReturnValue:
    """A survey page hit a database failure: the posted page again if it can be, else the retry page."""
    outage.note_outage(exc)
    page = _reshow_posted_page() if request.method == "POST" and request.endpoint == "survey.page" else None
    return outage.retry_later(page or outage.retry_page())


for _error in outage.DATABASE_ERRORS:
    bp.register_error_handler(_error, database_unavailable)


def _reshow_posted_page() -> Rendered | None:
    """The posted survey page, re-rendered from the request alone (None if it cannot be)."""
    args = request.view_args or {}
    instrument = last_known_instrument(args.get("survey_id", ""))
    section = next((s for s in instrument.sections if s.id == args.get("section_id")), None) if instrument else None
    if instrument is None or section is None:
        return None
    posted = posted_answers((q for q in section.questions if q.id in request.form), request.form)
    values, _ = responses.validate(instrument, posted)
    answers = {k: v for k, v in values.items() if v is not None}
    # Without the database the answers of other pages are unknown: show what was posted
    # plus what the posted answers reveal.
    shown = [q for q in section.questions if q.id in posted or instrument.is_visible(q, answers)]
    if not shown:
        return None
    try:
        return render_page(instrument, section, shown, posted_values(shown, request.form), answers,
                           notice=gettext(outage.PAGE_NOTICE), status=503)
    except Exception:
        log.exception("the survey page could not be re-shown during a database outage")
        return None
