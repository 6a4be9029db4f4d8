"""Landing page, invitation / resume codes, starting and continuing a response.

One code field takes both kinds of code, because residents should not have to know
the difference: the code from the letter (its response continues if already started)
or the resume code given by "continue later". Both look alike and carry a check
character, so a typing mistake is told apart from an unknown code.

Rate limits (Flask-Limiter) count the codes that were not accepted — unknown, mistyped or
already used — per client IP and per code, shared between the landing page's ``?code=`` check
and the start form. A code that was accepted is not a guess: the resident who opens the link
from their letter, switches language there (the links keep ``?code=``) and presses Start never
uses up their own code's tries, and residents behind one mobile network's shared address do not
use up each other's.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Response as FlaskResponse
from flask import current_app, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from survey_app import codes, responses
from survey_app.bursts import note_open_start
from survey_app.instrument import Instrument
from survey_app.models import Response

from ..context import current_locale, db, reading_only, translate_error
from ..extensions import limiter
from . import bp
from .render import render_landing, render_used
from .state import continue_from, held_response, instrument_for, remember, secret

MAX_CODE_INPUT = 64


def submitted_code() -> str:
    return (request.values.get("code") or "").strip()[:MAX_CODE_INPUT]


def _no_code() -> bool:
    return not submitted_code()


def _code_key() -> str:
    return "code:" + (codes.normalise(submitted_code()) or "-")


def _accept_code() -> None:
    """The submitted code was accepted: this request does not count against the code limits."""
    g.code_accepted = True


def _code_not_accepted(_response: FlaskResponse) -> bool:
    return not g.get("code_accepted", False)


# With ``deduct_when`` the limiter checks the count before the view and adds to it after: guesses sent at
# the same moment can overshoot a limit by as many as are in flight — harmless against 74-bit codes, and
# the price of never counting a resident's own accepted code.
code_limit_per_ip = limiter.shared_limit(
    lambda: current_app.config["RATE_LIMIT_CODE_PER_IP"], scope="code-entry-ip", exempt_when=_no_code,
    deduct_when=_code_not_accepted)
code_limit_per_code = limiter.shared_limit(
    lambda: current_app.config["RATE_LIMIT_PER_CODE"], scope="code-entry-code", key_func=_code_key,
    exempt_when=_no_code, deduct_when=_code_not_accepted)


@dataclass(frozen=True)
class CodeCheck:
    """Outcome of looking at a code without starting anything."""

    ok: bool
    error: str | None = None  # translated message for the code field
    used: bool = False


def check_code(instrument: Instrument, code: str) -> CodeCheck:
    try:
        responses.find_invitation(db(), instrument, secret(), code)
    except responses.CodeProblem as problem:
        if problem.kind == "unknown" and _resumable(instrument, code) is not None:
            return CodeCheck(ok=True)
        return CodeCheck(ok=False, error=translate_error(problem))
    status = db().scalar(select(Response.status).where(
        Response.access_key == codes.response_key(secret(), code)))
    return CodeCheck(ok=status not in responses.FINISHED, used=status in responses.FINISHED)


def _resumable(instrument: Instrument, code: str) -> Response | None:
    """The partial response a resume code points to, if it belongs to this survey."""
    try:
        response = responses.resume(db(), secret(), code)
    except responses.ResponseError:
        return None
    return response if response.survey_id == instrument.id else None


@bp.get("/")
@code_limit_per_ip
@code_limit_per_code
def landing(survey_id: str) -> ResponseReturnValue:
    reading_only()  # the survey and any code are looked up, nothing written
    instrument = instrument_for(survey_id)
    code = submitted_code()
    if not code:
        return render_landing(instrument)
    check = check_code(instrument, code)
    if check.ok:
        _accept_code()
    if check.used:
        return render_used(instrument)
    return render_landing(instrument, code=code, error=check.error, recognised=check.ok)


@bp.get("/start")
def start_again(survey_id: str) -> ResponseReturnValue:
    """``/start`` opened directly (bookmark, back button): the landing page shows the way in."""
    reading_only()
    instrument_for(survey_id)
    return redirect(url_for("survey.landing", survey_id=survey_id))


@bp.post("/start")
@code_limit_per_ip
@code_limit_per_code
def start(survey_id: str) -> ResponseReturnValue:
    instrument = instrument_for(survey_id)
    code = submitted_code()
    held = held_response(survey_id)
    if not code and held is not None and held.status == "partial":
        return go_on(instrument, held)
    if not code and held is not None and held.status == "complete":
        # One open response per browser (issue 11): a phone that has sent this survey — by the open link or
        # with a letter's code — does not start an open answer too; the same resident would count twice in
        # the open sample. Another resident of the household types the code from their own letter.
        return redirect(url_for("survey.thanks", survey_id=survey_id))
    try:
        started = responses.start(db(), instrument, secret=secret(), channel="web",
                                  locale=current_locale(), code=code or None)
        response = started.response
        if code:
            _accept_code()
        if response.source == "open":
            note_open_start(db(), survey_id, secret(), request.remote_addr)
    except responses.CodeProblem as problem:
        if problem.kind == "used":
            return render_used(instrument)
        resumed = _resumable(instrument, code) if problem.kind == "unknown" else None
        if resumed is None:
            return render_landing(instrument, code=code, error=translate_error(problem))
        _accept_code()
        _let_go_of(held, resumed)
        return go_on(instrument, resumed)
    except responses.OpenLinkRefused as refused:
        return render_landing(instrument, code=code, error=translate_error(refused))
    _let_go_of(held, response)
    # a response created just now has the current language and no answers: nothing to read back
    return go_on(instrument, response, None if started.resumed else {})


def _let_go_of(held: Response | None, now_held: Response) -> None:
    """The phone moves from the response it held to ``now_held`` (a code was typed): an unfinished
    open response it leaves is deleted, not left in the database where neither a code nor this
    phone reaches it — "delete my answers" would then erase only the new one and say nothing is kept.

    Deleted rather than carried over into the code's response: a phone is often shared in a household,
    and answers given before the letter's code was typed may be another person's — moved, they would be
    counted for the sampled resident (and their stratum). One kept a resume code is left: it is reachable.
    """
    if held is not None and held.id != now_held.id and held.source == "open" and held.status == "partial":
        responses.discard_abandoned(db(), held)


def go_on(instrument: Instrument, response: Response,
          answers: Mapping[str, Any] | None = None) -> ResponseReturnValue:
    """Remember the response on this phone and open the page where it continues (``answers``:
    what it holds, when the caller knows; otherwise its language is updated and they are read)."""
    remember(instrument.id, response)
    if answers is None:
        responses.set_locale(db(), response, current_locale())
        answers = responses.current_answers(db(), response)
    section = continue_from(instrument, answers)
    if section is None:
        return redirect(url_for("survey.review", survey_id=instrument.id))
    return redirect(url_for("survey.page", survey_id=instrument.id, section_id=section.id))


@bp.get("/continue")
def continue_here(survey_id: str) -> ResponseReturnValue:
    instrument = instrument_for(survey_id)
    held = held_response(survey_id)
    if held is None:
        return redirect(url_for("survey.landing", survey_id=survey_id))
    if held.status == "complete":
        return redirect(url_for("survey.thanks", survey_id=survey_id))
    return go_on(instrument, held)
