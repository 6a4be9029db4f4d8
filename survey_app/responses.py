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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from survey_app import codes
from survey_app.db import rows_changed
from survey_app.erasure import (  # noqa: F401 - callers write responses.delete_response, …
    ERASED,
    delete_response,
    discard_abandoned,
    drop_reminders,
)
from survey_app.held import (  # noqa: F401 - callers write responses.held_with_survey, …
    ANSWERS,
    RESPONSES,
    Held,
    ResponseRef,
    current_answers,
    held_with_survey,
    value_of,
)
from survey_app.i18n import N_
from survey_app.instrument import REQUIRED_MESSAGE, Instrument, InvalidAnswer, Question
from survey_app.instrument.types import ANSWER_COLUMNS
from survey_app.models import Invitation, Response, utcnow
from survey_app.response_errors import (  # noqa: F401 - callers write responses.CodeProblem, …
    AlreadySubmitted,
    CodeProblem,
    InvalidEntry,
    MissingRequired,
    OpenLinkRefused,
    ResponseError,
    ResumeNotFound,
    StartedElsewhere,
)

FINISHED = ("complete", ERASED)  # statuses whose code cannot answer again


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
    # The invitation row is NOT updated: a "used" mark or time on it would line up with this
    # response's insert (by time, or by PostgreSQL's row order), joining answers to letters.
    session.add(response)
    try:
        session.commit()
    except IntegrityError:
        # Another request started this code at the same moment: continue that response.
        session.rollback()
        winner = session.scalar(select(Response).where(Response.access_key == key))
        if winner is None:  # the conflict was not this code's response (it cannot vanish in between)
            raise
        return _continue(winner)
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
    if response.status in FINISHED:
        raise CodeProblem("used")
    return Started(response, resumed=True)


def _new_response(instrument: Instrument, channel: str, locale: str, source: str,
                  stratum: dict[str, Any] | None = None) -> Response:
    return Response(**_response_columns(instrument, channel, locale, source, stratum))


def _response_columns(instrument: Instrument, channel: str, locale: str, source: str,
                      stratum: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"survey_id": instrument.id, "survey_version": instrument.version, "channel": channel, "locale": locale,
            "source": source, "status": "partial", "stratum": stratum or {}}


def issue_resume_token(session: Session, secret: str, response: ResponseRef) -> str:
    """A code the resident can note down to continue on another device; only its HMAC is kept."""
    token = codes.generate()
    session.execute(RESPONSES.update().where(RESPONSES.c.id == response.id)
                    .values(resume_key=codes.token_hash(secret, token)))
    session.commit()
    return token


def resume(session: Session, secret: str, token: str) -> Response:
    """The partial response a resume code points to, however it was typed (lower case, no dashes)."""
    status, canonical = codes.check(token)
    token = canonical if status == codes.CodeStatus.VALID else token
    response = session.scalar(select(Response).where(Response.resume_key == codes.token_hash(secret, token)))
    if response is None:
        raise ResumeNotFound()
    if response.status == "complete":
        raise AlreadySubmitted()
    return response


def by_uuid(session: Session, uuid: str) -> Response | None:
    return session.scalar(select(Response).where(Response.uuid == uuid))


def set_locale(session: Session, response: Response, locale: str) -> None:
    if response.locale != locale:
        response.locale = locale
        session.commit()


# ---------------------------------------------------------------- answers

def _columns(question: Question, value: Any) -> dict[str, Any]:
    """The answer columns for a parsed value of ``question`` (the others None)."""
    return question.kind.to_columns(value)


def validate(instrument: Instrument, raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, InvalidAnswer]]:
    """Parse raw values by question type: (valid values, errors). Empty raw means 'no answer'."""
    values: dict[str, Any] = {}
    errors: dict[str, InvalidAnswer] = {}
    for qid, raw_value in raw.items():
        if not instrument.has_question(qid):
            errors[qid] = InvalidAnswer(N_("This question is not part of the survey."))
            continue
        question = instrument.question(qid)
        qtype = question.kind
        if qtype.is_empty(raw_value):
            values[qid] = None
            continue
        try:
            values[qid] = qtype.parse(question, raw_value)
        except InvalidAnswer as exc:
            errors[qid] = exc
    return values, errors


def record(session: Session, instrument: Instrument, response: ResponseRef, raw: Mapping[str, Any], *,
           answers: dict[str, Any] | None = None, locale: str | None = None) -> dict[str, InvalidAnswer]:
    """Store the valid answers of ``raw`` (question id → raw value; empty clears); return the errors.

    ``response``: a Response or a ``Held`` (its ``id`` and ``status`` are used). ``answers``:
    the response's answers as the caller read them — not read again, and updated in place to
    what is stored. ``locale``: the language the resident answers in now, stored alongside.
    The write begins by claiming the response row while it is still partial: a response
    submitted meanwhile refuses it (``AlreadySubmitted``), and two saves of one response
    (two tabs) take turns.
    """
    if response.status in FINISHED:
        raise AlreadySubmitted()
    values, errors = validate(instrument, raw)
    before = dict(answers) if answers is not None else current_answers(session, response)
    try:
        after = _save(session, instrument, response.id, before, values, locale)
    except (IntegrityError, _Overtaken):
        # Another tab saved or cleared the same question since ``before`` was read: apply ours
        # on top of what is stored now (once), so the latest answer wins and nothing is lost.
        session.rollback()
        after = _save(session, instrument, response.id, current_answers(session, response), values, locale)
    if answers is not None:
        answers.clear()
        answers.update(after)
    return errors


class _Overtaken(Exception):
    """An answer changed by another request between reading and writing."""


# The write path's statements, built once: building one per call (and SQLAlchemy working out
# its cache key) cost more than running it — an UPDATE of the response row took 452 µs built
# per call against 180 µs prebuilt (bench/README.md). Parameters are not named after columns:
# SQLAlchemy reserves those names in an UPDATE's SET clause.
_CLAIM = (RESPONSES.update()
          .where(RESPONSES.c.id == bindparam("rid"), RESPONSES.c.status == "partial")
          .values(updated_at=bindparam("at")))
_CLAIM_IN_LOCALE = _CLAIM.values(locale=bindparam("lang"))
_FORGET = ANSWERS.delete().where(ANSWERS.c.response_id == bindparam("rid"),
                                 ANSWERS.c.question_id.in_(bindparam("gone", expanding=True)))
_INSERT_ANSWERS = ANSWERS.insert()
# Core, not the ORM's UPDATE (which first checks the session's objects to keep them in step:
# submit() sets the one it holds itself).
_SUBMIT = (RESPONSES.update()
           .where(RESPONSES.c.id == bindparam("rid"), RESPONSES.c.status == "partial")
           .values(status="complete", submitted_at=bindparam("at"), updated_at=bindparam("at"), resume_key=None,
                   channel=bindparam("via"), survey_version=bindparam("ver")))
_REWRITE = (ANSWERS.update()
            .where(ANSWERS.c.response_id == bindparam("rid"), ANSWERS.c.question_id == bindparam("qid"))
            .values(answered_at=bindparam("at"), **{name: bindparam(f"new_{name}") for name in ANSWER_COLUMNS}))


def _save(session: Session, instrument: Instrument, response_id: int, before: dict[str, Any],
          values: dict[str, Any], locale: str | None) -> dict[str, Any]:
    after = _merged(instrument, before, values)
    now, conn = utcnow(), session.connection()  # Core statements in the session's transaction, past the ORM layer
    claimed = rows_changed(conn.execute(_CLAIM_IN_LOCALE if locale else _CLAIM,
                                        {"rid": response_id, "at": now, "lang": locale}))
    if claimed != 1:
        session.rollback()
        raise AlreadySubmitted()
    gone = [qid for qid in before if qid not in after]
    if gone:
        conn.execute(_FORGET, {"rid": response_id, "gone": gone})
    written = [qid for qid in values if qid in after and after[qid] != before.get(qid)]
    new = [qid for qid in written if qid not in before]
    if new:
        conn.execute(_INSERT_ANSWERS, [
            {"response_id": response_id, "question_id": qid, "answered_at": now,
             **_columns(instrument.question(qid), after[qid])} for qid in new])
    for qid in written:
        if qid in before:
            columns = _columns(instrument.question(qid), after[qid])
            changed = rows_changed(conn.execute(_REWRITE, {
                "rid": response_id, "qid": qid, "at": now, **{f"new_{name}": columns[name] for name in ANSWER_COLUMNS}}))
            if changed != 1:
                raise _Overtaken(qid)
    session.commit()
    return after


def _merged(instrument: Instrument, before: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """``before`` with ``values`` applied (None clears), minus answers now hidden by ``show_if``;
    values in their stored form (a multi-choice answer is a tuple of codes)."""
    after = dict(before)
    for qid, value in values.items():
        if value is None:
            after.pop(qid, None)
        else:
            after[qid] = value_of(**_columns(instrument.question(qid), value))
    for q in instrument.questions:
        if q.id in after and not instrument.is_visible(q, after):
            del after[q.id]
    return after


def missing_required(instrument: Instrument, answers: Mapping[str, Any]) -> list[str]:
    return [q.id for q in instrument.visible_questions(answers) if q.required and answers.get(q.id) is None]


SKIPPED_BUT_ANSWERED = N_("An earlier answer on this form skips this question. Leave it blank, or correct "
                          "the earlier answer if it was keyed wrongly.")


def required_error() -> InvalidAnswer:
    return InvalidAnswer(REQUIRED_MESSAGE)


# ---------------------------------------------------------------- submit / delete

def submit(session: Session, instrument: Instrument, response: Response, *, channel: str | None = None) -> SubmitResult:
    session.refresh(response)
    if response.status in FINISHED:
        return SubmitResult(response, already=True)
    missing = missing_required(instrument, current_answers(session, response))
    if missing:
        raise MissingRequired(missing)
    now = utcnow()
    # The version whose questions and checks the answers were submitted under (a response started
    # before a new version was loaded ends under it): what the answers mean is that version's.
    stored = {"status": "complete", "submitted_at": now, "updated_at": now, "resume_key": None,
              "channel": channel or response.channel, "survey_version": instrument.version}
    claimed = rows_changed(session.connection().execute(_SUBMIT, {"rid": response.id, "at": now,
                                                                  "via": stored["channel"],
                                                                  "ver": instrument.version}))
    if claimed == 1:  # finished on any channel: no chat may nudge the resident to finish it again
        drop_reminders(session, response.id)
    session.commit()
    if claimed == 1:  # the row is what we wrote: no need to read it back
        for name, value in stored.items():
            set_committed_value(response, name, value)
    else:
        session.refresh(response)
    return SubmitResult(response, already=claimed != 1)


def enter_complete(session: Session, instrument: Instrument, *, secret: str, channel: str, locale: str,
                   raw: Mapping[str, Any], code: str | None = None) -> SubmitResult:
    """Start, record and submit in one go (paper returns, imports). Invalid answers refuse the whole entry.

    A code whose resident has unfinished answers on another channel is refused
    (``StartedElsewhere``) before anything is written: a paper return never overwrites them.
    A partial response of the same channel (an entry cut off earlier) is completed.
    """
    values, errors = validate(instrument, raw)
    if errors:
        raise InvalidEntry(errors)
    skipped = instrument.skipped_but_answered(values)
    if skipped:  # stored, the answer would be dropped without a word: the person keying it decides
        raise InvalidEntry({qid: InvalidAnswer(SKIPPED_BUT_ANSWERED) for qid in skipped})
    missing = missing_required(instrument, {k: v for k, v in values.items() if v is not None})
    if missing:
        raise MissingRequired(missing)
    started = start(session, instrument, secret=secret, channel=channel, locale=locale, code=code)
    if started.resumed and started.response.channel != channel:
        raise StartedElsewhere()
    record(session, instrument, started.response, raw)
    return submit(session, instrument, started.response, channel=channel)


def bulk_complete(session: Session, instrument: Instrument, rows: Iterable[Mapping[str, Any]], *,
                  channel: str, source: str = "open", locale: str | None = None) -> int:
    """Validate and store many complete responses in one transaction (demo data, CSV imports).

    Per row, ``_source`` (invited/open), ``_stratum`` and ``_access_key`` (an invited row's
    code key, checked by the caller, unique in the database) override the defaults. Every row
    is validated before anything is written; then two multi-row INSERTs (responses, returning
    their ids in order, then answers): 600 demo responses (16,000 answers) take 0.3-0.8 s,
    against 2-3 s as ORM objects.
    """
    responses: list[dict[str, Any]] = []
    answers: list[list[dict[str, Any]]] = []
    now = utcnow()  # one time for every row: times rising row by row would keep the file's order
    for index, raw in enumerate(rows, start=1):
        values, errors = validate(instrument, {k: v for k, v in raw.items() if not k.startswith("_")})
        if errors:
            qid, err = next(iter(errors.items()))
            raise ValueError(f"row {index}: question '{qid}': {err}")
        visible = {q.id for q in instrument.visible_questions(values)}
        columns = _response_columns(instrument, channel, raw.get("_locale", locale or instrument.source_language),
                                    raw.get("_source", source), stratum=raw.get("_stratum"))
        at = raw.get("_submitted_at") or now
        columns.update(access_key=raw.get("_access_key"), status="complete", submitted_at=at, started_at=at,
                       updated_at=at)
        responses.append(columns)
        answers.append([{"question_id": qid, **_columns(instrument.question(qid), value)}
                        for qid, value in values.items() if value is not None and qid in visible])
    if responses:
        ids = session.scalars(RESPONSES.insert().returning(RESPONSES.c.id, sort_by_parameter_order=True),
                              responses).all()
        stored = [{"response_id": id_, **answer} for id_, group in zip(ids, answers, strict=True) for answer in group]
        if stored:
            session.execute(ANSWERS.insert(), stored)
    session.commit()
    return len(responses)
