"""The ONE write path for answers, used by the web survey, the bot and paper entry.

Rules enforced here, whatever the channel:
- answers are validated by their question type; answers hidden by ``show_if`` are dropped;
- a page with some invalid answers still stores the valid ones (nothing given is lost);
- an invitation code yields one response: concurrent starts meet on the unique
  ``Response.access_key``; concurrent submits meet on a conditional UPDATE
  (``status='partial'`` → ``'complete'``), so exactly one succeeds — enforced by the
  database, not by read-then-write;
- submitting twice changes nothing and says so.
Each public function is one transaction (it commits).
"""
from __future__ import annotations

import secrets as _secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.exc import StaleDataError

from survey_app import codes
from survey_app.i18n import N_
from survey_app.instrument import REQUIRED_MESSAGE, Instrument, InvalidAnswer, Question, question_type
from survey_app.models import Answer, BotSession, Invitation, Response, Survey, utcnow


class ResponseError(Exception):
    """A refusal a resident should read in their own language (``message`` is a msgid)."""

    message = N_("Something went wrong with your answers.")

    def __init__(self, message: str | None = None, **params: Any) -> None:
        self.message = message or self.message
        self.params = params
        super().__init__(self.message % params if params else self.message)


class CodeProblem(ResponseError):
    MESSAGES = {
        "malformed": N_("This does not look like an invitation code. A code has 16 letters and digits, "
                        "like K7QF-3MZD-8WXP-R2TA."),
        "typo": N_("This code has a typing mistake. Please check each character against your letter."),
        "unknown": N_("We could not find this invitation code."),
        "other_survey": N_("This invitation code belongs to a different survey."),
        "used": N_("This invitation code has already been used to answer the survey. Thank you!"),
    }

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__(self.MESSAGES[kind])


class OpenLinkRefused(ResponseError):
    message = N_("This survey can only be answered with the invitation code from your letter.")


class AlreadySubmitted(ResponseError):
    message = N_("These answers have already been submitted. Thank you!")


class MissingRequired(ResponseError):
    message = N_("Please answer the required questions.")

    def __init__(self, question_ids: list[str]) -> None:
        self.question_ids = question_ids
        super().__init__()


class ResumeNotFound(ResponseError):
    message = N_("We could not find answers for this resume code.")


@dataclass(frozen=True)
class Started:
    response: Response
    resumed: bool


@dataclass(frozen=True)
class SubmitResult:
    response: Response
    already: bool


# ---------------------------------------------------------------- start / resume

def start(session: Session, instrument: Instrument, *, secret: str, channel: str, locale: str,
          code: str | None = None) -> Started:
    """Start a response (or continue the one an invitation code already started)."""
    if not code:
        if not instrument.allow_open:
            raise OpenLinkRefused()
        response = _new_response(instrument, channel, locale, source="open")
        session.add(response)
        session.commit()
        return Started(response, resumed=False)
    invitation = find_invitation(session, instrument, secret, code)
    key = codes.response_key(secret, code)
    existing = session.scalar(select(Response).where(Response.access_key == key))
    if existing is not None:
        return _continue(existing)
    response = _new_response(instrument, channel, locale, source="invited", stratum=dict(invitation.stratum))
    response.access_key = key
    session.add(response)
    if invitation.used_at is None:  # first use; says nothing about the answers
        invitation.used_at, invitation.used_channel = utcnow(), channel
    try:
        session.commit()
    except IntegrityError:
        # Another request started this code at the same moment: continue that response.
        session.rollback()
        return _continue(session.scalar(select(Response).where(Response.access_key == key)))
    return Started(response, resumed=False)


def find_invitation(session: Session, instrument: Instrument, secret: str, code: str) -> Invitation:
    status, _ = codes.check(code)
    if status != codes.CodeStatus.VALID:
        raise CodeProblem(status)
    invitation = session.scalar(select(Invitation).where(
        Invitation.code_hmac == codes.invitation_hmac(secret, code)))
    if invitation is None:
        raise CodeProblem("unknown")
    if invitation.survey_id != instrument.id:
        raise CodeProblem("other_survey")
    return invitation


def _continue(response: Response) -> Started:
    if response.status == "complete":
        raise CodeProblem("used")
    return Started(response, resumed=True)


def _new_response(instrument: Instrument, channel: str, locale: str, source: str,
                  stratum: dict | None = None) -> Response:
    return Response(survey_id=instrument.id, survey_version=instrument.version, channel=channel,
                    locale=locale, source=source, status="partial", stratum=stratum or {})


def issue_resume_token(session: Session, secret: str, response: Response) -> str:
    """A code the resident can note down to continue on another device; only its HMAC is kept."""
    token = codes.generate()
    response.resume_key = codes.token_hash(secret, token)
    session.commit()
    return token


def resume(session: Session, secret: str, token: str) -> Response:
    response = session.scalar(select(Response).where(Response.resume_key == codes.token_hash(secret, token)))
    if response is None:
        raise ResumeNotFound()
    if response.status == "complete":
        raise AlreadySubmitted()
    return response


def by_uuid(session: Session, uuid: str) -> Response | None:
    return session.scalar(select(Response).where(Response.uuid == uuid))


@dataclass(frozen=True)
class HeldResponse:
    response: Response
    survey_hash: str  # the survey's content hash now: which instrument the page is built from
    survey_allow_open: bool


def held_with_survey(session: Session, uuid: str) -> HeldResponse | None:
    """The response with its answers and its survey's current version, in one query —
    what every survey page needs before it can do anything."""
    row = session.execute(
        select(Response, Survey.content_hash, Survey.allow_open)
        .join(Survey, Survey.id == Response.survey_id)
        .where(Response.uuid == uuid)
        .options(joinedload(Response.answers))
    ).unique().first()
    return None if row is None else HeldResponse(row[0], row[1], bool(row[2]))


def set_locale(session: Session, response: Response, locale: str) -> None:
    if response.locale != locale:
        response.locale = locale
        session.commit()


# ---------------------------------------------------------------- answers

def current_answers(session: Session, response: Response) -> dict[str, Any]:
    """The response's answers as stored now (always read from the database)."""
    rows = session.scalars(select(Answer).where(Answer.response_id == response.id))
    return {a.question_id: _value_of(a) for a in rows}


def held_answers(response: Response) -> dict[str, Any]:
    """The answers this session holds for the response: loaded with it (``held_with_survey``)
    or on first use, and kept up to date by ``record`` — so a page that saves and shows
    answers reads them once."""
    return {a.question_id: _value_of(a) for a in response.answers}


def _value_of(answer: Answer) -> Any:
    if answer.codes is not None:
        return tuple(answer.codes)
    for value in (answer.code, answer.number, answer.text):
        if value is not None:
            return value
    return None


def _store(answer: Answer, question: Question, value: Any) -> None:
    answer.code = answer.codes = answer.number = answer.text = None
    if question.type == "multi":
        answer.codes = list(value)
    elif question.type in ("single", "scale"):
        answer.code = int(value)
    elif question.type == "number":
        answer.number = float(value)
    else:
        answer.text = str(value)


def validate(instrument: Instrument, raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, InvalidAnswer]]:
    """Parse raw values by question type: (valid values, errors). Empty raw means 'no answer'."""
    values, errors = {}, {}
    for qid, raw_value in raw.items():
        if not instrument.has_question(qid):
            errors[qid] = InvalidAnswer(N_("This question is not part of the survey."))
            continue
        question = instrument.question(qid)
        qtype = question_type(question.type)
        if qtype.is_empty(raw_value):
            values[qid] = None
            continue
        try:
            values[qid] = qtype.parse(question, raw_value)
        except InvalidAnswer as exc:
            errors[qid] = exc
    return values, errors


def record(session: Session, instrument: Instrument, response: Response,
           raw: Mapping[str, Any], *, _retry: bool = True) -> dict[str, InvalidAnswer]:
    """Store the valid answers of ``raw`` (question id → raw value; empty clears); return the errors."""
    if response.status == "complete":
        raise AlreadySubmitted()
    values, errors = validate(instrument, raw)
    # Through the response's answer collection (delete-orphan): what this session holds stays
    # what the database holds after the commit, with no query to read it back.
    existing = {a.question_id: a for a in response.answers}
    for qid, value in values.items():
        answer = existing.get(qid)
        if value is None:
            if answer is not None:
                response.answers.remove(existing.pop(qid))
            continue
        if answer is None:
            answer = existing[qid] = Answer(question_id=qid)
            response.answers.append(answer)
        _store(answer, instrument.question(qid), value)
    _drop_hidden(instrument, response, existing)
    response.updated_at = utcnow()
    try:
        session.commit()
    except (IntegrityError, StaleDataError):
        # Two tabs saved (or cleared) the same question at once: the other write is already
        # stored; apply ours on top of it (once) so the latest answer wins and nothing is lost.
        session.rollback()
        if not _retry:
            raise
        return record(session, instrument, response, raw, _retry=False)
    return errors


def _drop_hidden(instrument: Instrument, response: Response, answers: dict[str, Answer]) -> None:
    values = {qid: _value_of(a) for qid, a in answers.items()}
    for q in instrument.questions:
        if q.id in answers and not instrument.is_visible(q, values):
            response.answers.remove(answers.pop(q.id))
            values.pop(q.id)


def missing_required(instrument: Instrument, answers: Mapping[str, Any]) -> list[str]:
    return [q.id for q in instrument.visible_questions(answers) if q.required and answers.get(q.id) is None]


def required_error() -> InvalidAnswer:
    return InvalidAnswer(REQUIRED_MESSAGE)


# ---------------------------------------------------------------- submit / delete

def submit(session: Session, instrument: Instrument, response: Response, *, channel: str | None = None) -> SubmitResult:
    session.refresh(response)
    if response.status == "complete":
        return SubmitResult(response, already=True)
    missing = missing_required(instrument, current_answers(session, response))
    if missing:
        raise MissingRequired(missing)
    now = utcnow()
    claimed = session.execute(
        update(Response).where(Response.id == response.id, Response.status == "partial")
        .values(status="complete", submitted_at=now, updated_at=now, resume_key=None,
                channel=channel or response.channel)
    ).rowcount
    session.commit()
    session.refresh(response)
    return SubmitResult(response, already=claimed != 1)


def delete_response(session: Session, response: Response) -> None:
    """A resident's right to erasure: answers and the response row go; bot sessions let go of it."""
    session.execute(update(BotSession).where(BotSession.response_id == response.id).values(response_id=None))
    session.execute(delete(Answer).where(Answer.response_id == response.id))
    session.execute(delete(Response).where(Response.id == response.id))
    session.commit()


def enter_complete(session: Session, instrument: Instrument, *, secret: str, channel: str, locale: str,
                   raw: Mapping[str, Any], code: str | None = None) -> SubmitResult:
    """Start, record and submit in one go (paper returns, imports). Invalid answers refuse the whole entry."""
    values, errors = validate(instrument, raw)
    if errors:
        raise InvalidEntry(errors)
    missing = missing_required(instrument, {k: v for k, v in values.items() if v is not None})
    if missing:
        raise MissingRequired(missing)
    started = start(session, instrument, secret=secret, channel=channel, locale=locale, code=code)
    record(session, instrument, started.response, raw)
    return submit(session, instrument, started.response, channel=channel)


class InvalidEntry(ResponseError):
    message = N_("Some answers are not valid.")

    def __init__(self, errors: dict[str, InvalidAnswer]) -> None:
        self.errors = errors
        super().__init__()


def bulk_complete(session: Session, instrument: Instrument, rows: Iterable[Mapping[str, Any]], *,
                  channel: str, source: str = "open", locale: str = "ja") -> int:
    """Validate and store many complete responses in one transaction (demo data, CSV imports)."""
    count = 0
    for index, raw in enumerate(rows, start=1):
        values, errors = validate(instrument, {k: v for k, v in raw.items() if not k.startswith("_")})
        if errors:
            qid, err = next(iter(errors.items()))
            raise ValueError(f"row {index}: question '{qid}': {err}")
        visible = {q.id for q in instrument.visible_questions(values)}
        response = _new_response(instrument, channel, raw.get("_locale", locale), source,
                                 stratum=raw.get("_stratum"))
        response.status, response.submitted_at = "complete", raw.get("_submitted_at") or utcnow()
        for qid, value in values.items():
            if value is not None and qid in visible:
                answer = Answer(question_id=qid)
                _store(answer, instrument.question(qid), value)
                response.answers.append(answer)
        session.add(response)
        count += 1
    session.commit()
    return count


def new_secret_token() -> str:
    return _secrets.token_urlsafe(32)
