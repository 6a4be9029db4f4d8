"""One section per page, the review page, submit and the thank-you page.

Every POST stores the page through ``survey_app.responses.record`` (valid answers are
kept even when others on the page are invalid), then moves: ``nav=back|next`` to the
neighbouring visible page, ``nav=later`` to the resume code, ``nav=submit`` on the
review page. Only ``next`` is held by an answer that is not valid yet: a resident who goes
back or stops for now keeps every valid answer, and the invalid one is left unanswered. A page whose answers reveal further questions on the same page (a
``show_if`` inside a section) is shown again with those questions instead of moving on.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, request, url_for
from flask.typing import ResponseReturnValue

from survey_app import responses
from survey_app.instrument import Instrument, Question, Section

from ..context import current_locale, db, gettext
from . import bp
from .fields import posted_answers, posted_values, stored_values
from .recovery import GONE_NOTICE, save_for_later
from .render import (
    page_url,
    render_already,
    render_landing,
    render_page,
    render_review,
    render_thanks,
    return_args,
)
from .state import (
    neighbour,
    pages,
    section_or_404,
    survey_and_response,
    visible_in,
)

NAV_VALUES = ("back", "next", "later", "stay")  # stay: save, then the same page (a language switch)


def no_response(instrument: Instrument) -> ResponseReturnValue:
    """This browser holds no response (any more). A page view goes to the start; answers posted
    to a response that was deleted since — "stop and delete" on this phone or another, whose
    cached page was still open — are said not to be saved, never dropped in silence."""
    if request.method == "POST":
        return render_landing(instrument, notice=gettext(GONE_NOTICE), status=409)
    return redirect(url_for("survey.landing", survey_id=instrument.id))


@bp.route("/q/<section_id>", methods=["GET", "POST"])
def page(survey_id: str, section_id: str) -> ResponseReturnValue:
    instrument, response = survey_and_response(survey_id)
    section = section_or_404(instrument, section_id)
    if response is None:
        return no_response(instrument)
    if response.status == "complete":
        return render_already(instrument)
    answers = response.answers
    shown = visible_in(instrument, section, answers)
    if not shown:  # hidden by an answer changed elsewhere: skip to where the survey goes on
        return redirect(page_url(instrument, neighbour(instrument, section, answers, +1)))
    if request.method == "GET":
        return render_page(instrument, section, shown, stored_values(shown, answers), answers)
    return save_page(instrument, section, response, shown)


def save_page(instrument: Instrument, section: Section, response: responses.Held,
              shown: list[Question]) -> ResponseReturnValue:
    nav = request.form.get("nav", "next")
    nav = nav if nav in NAV_VALUES else "next"
    try:
        # with the language the resident answers in now
        errors = responses.record(db(), instrument, response, posted_answers(shown, request.form),
                                  answers=response.answers, locale=current_locale())
    except responses.AlreadySubmitted:
        return render_already(instrument)
    answers = response.answers
    if nav == "next":
        for q in visible_in(instrument, section, answers):
            if q.required and answers.get(q.id) is None and q.id not in errors and q in shown:
                errors[q.id] = responses.required_error()
    if errors and nav == "next":
        return render_page(instrument, section, shown, posted_values(shown, request.form), answers, errors)
    if nav == "stay":  # machikoe.js: a language or furigana link, tapped with answers on the page not yet sent
        if errors:  # a value that could not be stored: shown with its error rather than lost
            return render_page(instrument, section, shown, posted_values(shown, request.form), answers, errors)
        return redirect(_same_page(request.form.get("then", "")) or page_url(instrument, section, **return_args()))
    appeared = [q for q in visible_in(instrument, section, answers) if q not in shown]
    if nav == "later":
        return save_for_later(instrument, response)
    if appeared and nav == "next":
        return redirect(page_url(instrument, section, anchor=appeared[0].id, more="1", **return_args()))
    if nav == "back":
        previous = neighbour(instrument, section, answers, -1)
        if previous is None:
            return redirect(url_for("survey.landing", survey_id=instrument.id))
        return redirect(page_url(instrument, previous))
    if return_args():
        return redirect(url_for("survey.review", survey_id=instrument.id))
    return redirect(page_url(instrument, neighbour(instrument, section, answers, +1)))


def _same_page(href: str) -> str | None:
    """``href`` when it is this page with another query (``?lang=vi``), else None: the link the
    resident tapped, followed once the page's answers are saved — never another site or page."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or parts.path != request.path:
        return None
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


# ---------------------------------------------------------------- review, submit, thanks

@bp.route("/review", methods=["GET", "POST"])
def review(survey_id: str) -> ResponseReturnValue:
    instrument, response = survey_and_response(survey_id)
    if response is None:
        return no_response(instrument)
    if response.status == "complete":
        return render_already(instrument)
    if request.method == "GET":
        return render_review(instrument, response.answers)
    if request.form.get("nav") == "later":
        return save_for_later(instrument, response)
    if request.form.get("nav") == "back":
        visible = pages(instrument, response.answers)
        return redirect(page_url(instrument, visible[-1] if visible else None))
    stored = responses.by_uuid(db(), response.uuid)  # submit works on the stored row itself
    if stored is None:
        return no_response(instrument)
    try:
        result = responses.submit(db(), instrument, stored, channel="web")
    except responses.MissingRequired as missing:
        return render_review(instrument, response.answers, missing.question_ids)
    if result.already:
        return render_already(instrument)
    return redirect(url_for("survey.thanks", survey_id=survey_id))


@bp.get("/thanks")
def thanks(survey_id: str) -> ResponseReturnValue:
    instrument, response = survey_and_response(survey_id)
    if response is None or response.status != "complete":
        return no_response(instrument)
    return render_thanks(instrument)
