"""Where a resident is in a survey: their response (from the signed cookie) and the pages.

The cookie holds only ``{survey id: sealed response uuid}`` — a random id, encrypted
(``survey_app.sealing``) so that whoever sees the cookie cannot read it, and signed so it
cannot be forged; answers stay in the database (web processes are stateless).
Pages are the sections that have at least one visible question under the answers
given so far (``show_if`` evaluated on the server), so a section whose questions are
all hidden is skipped and the progress count follows what the resident will see.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import abort, current_app, g, request, session

from survey_app import responses, sealing
from survey_app.i18n import locales
from survey_app.i18n.texts import InstrumentTexts
from survey_app.instrument import Instrument, Question, Section
from survey_app.models import Response
from survey_app.surveys import UnknownSurvey, get_instrument, instrument_at

from ..context import current_locale, db, reading_only
from ..rich import WebTexts

COOKIE_KEY = "r"
SEAL_PURPOSE = "response-uuid"
_LEGACY_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII)
# The last instrument each survey id resolved to in this process, so that a page posted
# while the database is unreachable can still be shown again (survey.recovery.database_unavailable).
_LAST_KNOWN: dict[str, Instrument] = {}


def instrument_for(survey_id: str) -> Instrument:
    """The survey's instrument, or a 404 page for an unknown (or tampered) survey id."""
    cache = g.setdefault("instruments", {})
    if survey_id not in cache:
        try:
            _keep(survey_id, get_instrument(db(), survey_id))
        except UnknownSurvey:
            abort(404)
    return cache[survey_id]


def _keep(survey_id: str, instrument: Instrument) -> Instrument:
    g.setdefault("instruments", {})[survey_id] = _LAST_KNOWN[survey_id] = instrument
    return instrument


def survey_and_response(survey_id: str) -> tuple[Instrument, responses.Held | None]:
    """The instrument and the response this browser holds (with its answers), in one query
    when there is a response — the common case for every page after the first."""
    uuid = _held_uuid(survey_id)
    if request.method == "GET":  # page views, the review and thank-you pages write nothing
        reading_only()
    held = responses.held_with_survey(db(), uuid) if uuid else None
    if held is None or held.survey_id != survey_id or held.status == responses.ERASED:
        if uuid:
            forget(survey_id)
        return instrument_for(survey_id), None
    try:
        instrument = instrument_at(db(), survey_id, held.survey_hash, held.survey_allow_open)
    except UnknownSurvey:
        abort(404)
    return _keep(survey_id, instrument), held


def last_known_instrument(survey_id: str) -> Instrument | None:
    return _LAST_KNOWN.get(survey_id)


def texts_for(instrument: Instrument) -> InstrumentTexts:
    """The instrument's wording in the resident's language, made once per request."""
    made = g.setdefault("texts", {})
    key = (id(instrument), current_locale())
    if key not in made:
        made[key] = WebTexts(instrument, current_locale())
    return made[key]


def survey_languages(instrument: Instrument) -> tuple[str, ...]:
    return locales.offered(instrument.languages)


def secret() -> str:
    return current_app.config["SECRET_KEY"]


# ---------------------------------------------------------------- the cookie

def remember(survey_id: str, response: Response) -> None:
    held = dict(session.get(COOKIE_KEY) or {})
    held[survey_id] = sealing.seal(secret(), SEAL_PURPOSE, response.uuid)
    session[COOKIE_KEY] = held
    session.permanent = True


def forget(survey_id: str) -> None:
    held = dict(session.get(COOKIE_KEY) or {})
    if held.pop(survey_id, None) is not None:
        session[COOKIE_KEY] = held


def held_response(survey_id: str) -> Response | None:
    """The response this browser holds for the survey (None if none, deleted or tampered)."""
    uuid = _held_uuid(survey_id)
    if uuid is None:
        return None
    response = responses.by_uuid(db(), uuid)
    if response is None or response.survey_id != survey_id or response.status == responses.ERASED:
        forget(survey_id)
        return None
    return response


def _held_uuid(survey_id: str) -> str | None:
    stored = session.get(COOKIE_KEY)
    held = dict(stored) if isinstance(stored, dict) else {}
    value = held.get(survey_id)
    if isinstance(value, str) and _LEGACY_UUID.fullmatch(value):
        # A cookie from before values were sealed (signed by us, so genuine): seal it now,
        # so a resident in the middle of the survey at the upgrade keeps their place.
        held[survey_id] = sealing.seal(secret(), SEAL_PURPOSE, value)
        session[COOKIE_KEY] = held
        return value
    return sealing.unseal(secret(), SEAL_PURPOSE, value)


# ---------------------------------------------------------------- pages

def pages(instrument: Instrument, answers: Mapping[str, Any]) -> list[Section]:
    return [s for s in instrument.sections if any(instrument.is_visible(q, answers) for q in s.questions)]


def visible_in(instrument: Instrument, section: Section, answers: Mapping[str, Any]) -> list[Question]:
    return [q for q in section.questions if instrument.is_visible(q, answers)]


def section_or_404(instrument: Instrument, section_id: str) -> Section:
    for section in instrument.sections:
        if section.id == section_id:
            return section
    abort(404)


def neighbour(instrument: Instrument, section: Section, answers: Mapping[str, Any], step: int) -> Section | None:
    """The visible section ``step`` pages away (None past either end)."""
    visible = pages(instrument, answers)
    ids = [s.id for s in visible]
    if section.id in ids:
        index = ids.index(section.id) + step
    else:  # the section just became hidden: continue from where it stands in the survey
        order = [s.id for s in instrument.sections]
        here = order.index(section.id)
        later = [i for i, s in enumerate(visible) if order.index(s.id) > here]
        index = (later[0] if later else len(visible)) + (step - 1 if step > 0 else step)
    return visible[index] if 0 <= index < len(visible) else None


def progress(instrument: Instrument, section: Section, answers: Mapping[str, Any]) -> tuple[int, int]:
    visible = [s.id for s in pages(instrument, answers)]
    position = visible.index(section.id) + 1 if section.id in visible else 1
    return position, len(visible)


def continue_from(instrument: Instrument, answers: Mapping[str, Any]) -> Section | None:
    """Where a returning resident continues (None: every page is done, go to the review).

    The page after the last page with an answer — or that page itself if something on
    it is still unanswered (the resident stopped in the middle of it).
    """
    visible = pages(instrument, answers)
    answered = [i for i, s in enumerate(visible)
                if any(answers.get(q.id) is not None for q in visible_in(instrument, s, answers))]
    if not answered:
        return visible[0] if visible else None
    last = visible[answered[-1]]
    if any(answers.get(q.id) is None for q in visible_in(instrument, last, answers)):
        return last
    return visible[answered[-1] + 1] if answered[-1] + 1 < len(visible) else None
