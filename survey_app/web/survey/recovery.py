"""Stopping and coming back, deleting, and recovering from expired pages.

- "Continue later" stores the page, then shows a resume code and link; the signed
  cookie also brings this phone back, and the invitation code continues too.
- "Delete my answers" (before submitting): the response and its answers are erased.
- A CSRF failure (a page left open too long, cookies cleared) re-shows the same page
  with what the resident posted — nothing is stored from an unverified post, nothing
  typed is lost from the screen.
"""
from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError

from survey_app import responses, sealing
from survey_app.i18n import N_
from survey_app.i18n.fmt import format_number as _format_number
from survey_app.instrument import Instrument
from survey_app.models import Response
from survey_app.surveys import UnknownSurvey, get_instrument

from .. import errors
from ..context import current_locale, db, gettext
from . import bp
from .state import forget, held_response, instrument_for, secret, survey_languages, texts_for, visible_in

SAVED_KEY = "saved"
SAVED_PURPOSE = "resume-code"
EXPIRED_NOTICE = N_("This page had expired, so nothing was saved yet. Your answers are shown again: "
                    "please check them and press the button again.")


def format_number(value: float) -> str:
    return _format_number(value, current_locale())


def save_for_later(instrument: Instrument, response: Response):
    token = responses.issue_resume_token(db(), secret(), response)
    saved = dict(session.get(SAVED_KEY) or {})
    saved[instrument.id] = sealing.seal(secret(), SAVED_PURPOSE, token)  # never readable in the cookie
    session[SAVED_KEY] = saved
    return redirect(url_for("survey.saved", survey_id=instrument.id))


@bp.get("/saved")
def saved(survey_id: str):
    instrument = instrument_for(survey_id)
    response = held_response(survey_id)
    token = sealing.unseal(secret(), SAVED_PURPOSE, (session.get(SAVED_KEY) or {}).get(survey_id))
    if response is None or token is None or response.status != "partial":
        return redirect(url_for("survey.landing", survey_id=survey_id))
    link = url_for("survey.landing", survey_id=survey_id, code=token, _external=True)
    return render_template("survey/saved.html", instrument=instrument, texts=texts_for(instrument),
                           languages=survey_languages(instrument), token=token, link=link)


def render_delete(instrument: Instrument, notice: str | None = None, status: int = 200):
    return render_template("survey/delete.html", instrument=instrument, texts=texts_for(instrument),
                           languages=survey_languages(instrument), notice=notice), status


@bp.route("/delete", methods=["GET", "POST"])
def delete(survey_id: str):
    instrument = instrument_for(survey_id)
    response = held_response(survey_id)
    if response is None:
        return redirect(url_for("survey.landing", survey_id=survey_id))
    if response.status == "complete":
        from .pages import render_already

        return render_already(instrument)
    if request.method == "GET":
        return render_delete(instrument)
    responses.delete_response(db(), response)
    forget(survey_id)
    (session.get(SAVED_KEY) or {}).pop(survey_id, None)
    session.modified = True
    return redirect(url_for("survey.deleted", survey_id=survey_id))


@bp.get("/deleted")
def deleted(survey_id: str):
    instrument = instrument_for(survey_id)
    return render_template("survey/deleted.html", instrument=instrument, texts=texts_for(instrument),
                           languages=survey_languages(instrument))


@bp.errorhandler(CSRFError)
def csrf_failed(exc: CSRFError):
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
        from .pages import render_review

        return render_review(instrument, responses.current_answers(db(), response), notice=notice, status=400)
    if endpoint == "survey.delete" and response is not None and response.status == "partial":
        return render_delete(instrument, notice=notice, status=400)
    from .entry import render_landing, submitted_code

    return render_landing(instrument, code=submitted_code(), notice=notice, status=400)


def _reshow_page(instrument: Instrument, response: Response, notice: str):
    from .fields import build_form
    from .pages import render_page

    section = next((s for s in instrument.sections if s.id == request.view_args.get("section_id")), None)
    if section is None:
        return errors.render_error(404, *errors.PAGES[404])
    answers = responses.current_answers(db(), response)
    shown = visible_in(instrument, section, answers)
    return render_page(instrument, section, shown, build_form(shown, formdata=request.form), answers,
                       notice=notice, status=400)
