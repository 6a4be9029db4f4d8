"""Surveys in the database: load an instrument, fetch it back (parsed once per process)."""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from survey_app.i18n import N_
from survey_app.instrument import Instrument, parse_cached
from survey_app.instrument.loader import SURVEY_ID_RE
from survey_app.models import Response, Survey


class UnknownSurvey(LookupError):
    message = N_("There is no survey with this id.")

    def __init__(self, survey_id: str):
        super().__init__(f"unknown survey '{survey_id}'")
        self.survey_id = survey_id


def load_survey(session: Session, instrument: Instrument) -> tuple[Survey, str]:
    """Insert or update a survey from its instrument; returns (survey, 'created'|'updated'|'unchanged').

    Rewording a survey that already has responses is allowed only with a new ``version``:
    otherwise answers would silently mix two different questions. A change that leaves every question,
    choice and indicator definition as it was (a target, a short name) is not a rewording.
    """
    survey = session.get(Survey, instrument.id)
    if survey is None:
        survey = Survey(id=instrument.id)
        session.add(survey)
        outcome = "created"
    elif survey.content_hash == instrument.content_hash:
        return survey, "unchanged"
    else:
        has_answers = (session.scalar(select(func.count()).select_from(Response)
                                      .where(Response.survey_id == instrument.id)) or 0) > 0
        if has_answers and survey.version == instrument.version and not _same_measurement(survey, instrument):
            raise ValueError(f"{instrument.path}: instrument '{instrument.id}': its text changed but its version "
                             f"is still {instrument.version}, and it already has responses; raise 'version'")
        outcome = "updated"
    survey.version = instrument.version
    survey.content_hash = instrument.content_hash
    survey.title = instrument.title
    survey.definition = instrument.source_text
    survey.allow_open = instrument.allow_open
    session.commit()
    return survey, outcome


def _same_measurement(survey: Survey, instrument: Instrument) -> bool:
    """True when only metadata changed (targets, history, short names…): the answers keep their meaning."""
    try:
        stored = parse_cached(survey.definition, f"{survey.id}.yaml")
    except ValueError:
        return False
    return stored.measurement() == instrument.measurement()


# Parsed instruments by (survey id, content hash, open link allowed): a page asks the
# database which version is current (a small row, or two columns joined to the response
# it reads anyway), never re-reads or re-parses the definition.
_PARSED: dict[tuple[str, str, bool], Instrument] = {}


def get_instrument(session: Session, survey_id: str) -> Instrument:
    if not SURVEY_ID_RE.match(survey_id):
        # Not an id any survey can have (ids are checked on load): unknown without asking the
        # database, which may refuse the text outright (PostgreSQL: a NUL from a typed URL).
        raise UnknownSurvey(survey_id)
    current = session.execute(_CURRENT_VERSION, {"survey_id": survey_id}).first()
    if current is None:
        raise UnknownSurvey(survey_id)
    content_hash, allow_open = current
    return instrument_at(session, survey_id, content_hash, bool(allow_open))


# Built once, not per call (as the write path's statements in survey_app.responses).
_CURRENT_VERSION = select(Survey.content_hash, Survey.allow_open).where(Survey.id == bindparam("survey_id"))


def instrument_at(session: Session, survey_id: str, content_hash: str, allow_open: bool) -> Instrument:
    """The survey's instrument as of ``content_hash`` (read from its row), parsed once per process."""
    key = (survey_id, content_hash, allow_open)
    instrument = _PARSED.get(key)
    if instrument is None:
        definition = session.scalar(select(Survey.definition).where(Survey.id == survey_id))
        if definition is None:
            raise UnknownSurvey(survey_id)
        instrument = parse_cached(definition, f"{survey_id}.yaml")
        if allow_open != instrument.allow_open:
            # Staff can close the open link without editing the instrument.
            instrument = replace(instrument, allow_open=allow_open)
        if instrument.content_hash == content_hash:  # not reloaded between the two reads
            if len(_PARSED) > 64:
                _PARSED.clear()
            _PARSED[key] = instrument
    return instrument


def list_surveys(session: Session) -> list[Survey]:
    return list(session.scalars(select(Survey).order_by(Survey.id)))
