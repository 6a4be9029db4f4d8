"""A response as the survey reads it: its state, its answers and its survey's version.

The read side of :mod:`survey_app.responses` (the one write path, which re-exports these names):
every survey page and every bot answer starts here, so these are Core statements built once,
run on the session's connection — Core rows cost a fraction of ORM objects, and nothing the
session caches can go out of date.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from survey_app.models import Answer, Response, Survey

RESPONSES, ANSWERS, SURVEYS = Response.__table__, Answer.__table__, Survey.__table__


class ResponseRef(Protocol):
    """What the answer functions read of a response: an ORM ``Response`` or a ``Held`` row both fit."""

    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...


@dataclass
class Held:
    """A response as a survey page needs it, read in one query: its state, its answers
    (kept up to date by ``record(..., answers=held.answers)``) and its survey's version."""

    id: int
    uuid: str
    survey_id: str
    status: str
    locale: str
    survey_hash: str  # the survey's content hash now: which instrument the page is built from
    survey_allow_open: bool
    answers: dict[str, Any]


_HELD = (
    select(RESPONSES.c.id, RESPONSES.c.uuid, RESPONSES.c.survey_id, RESPONSES.c.status, RESPONSES.c.locale,
           SURVEYS.c.content_hash, SURVEYS.c.allow_open, ANSWERS.c.question_id, ANSWERS.c.code,
           ANSWERS.c.codes, ANSWERS.c.number, ANSWERS.c.text)
    .select_from(RESPONSES.join(SURVEYS, SURVEYS.c.id == RESPONSES.c.survey_id)
                 .outerjoin(ANSWERS, ANSWERS.c.response_id == RESPONSES.c.id))
    .where(RESPONSES.c.uuid == bindparam("uuid"))
)
_CURRENT_ANSWERS = (select(ANSWERS.c.question_id, ANSWERS.c.code, ANSWERS.c.codes, ANSWERS.c.number, ANSWERS.c.text)
                    .where(ANSWERS.c.response_id == bindparam("response_id")))


def held_with_survey(session: Session, uuid: str) -> Held | None:
    """The response, its answers and its survey's current version in one round trip —
    what every survey page needs before it can do anything (Core rows: no ORM objects)."""
    rows = session.connection().execute(_HELD, {"uuid": uuid}).all()  # Core on the session's connection: no ORM layer
    if not rows:
        return None
    # Unpacked by position (the columns of _HELD, in order): reading each row's columns by name
    # made this function about 15 % slower on a response with fifteen answers.
    answers = {qid: value_of(code, codes, number, text)
               for *_, qid, code, codes, number, text in rows if qid is not None}
    rid, ruuid, survey_id, status, locale, content_hash, allow_open = rows[0][:7]
    return Held(rid, ruuid, survey_id, status, locale, content_hash, bool(allow_open), answers)


def current_answers(session: Session, response: ResponseRef) -> dict[str, Any]:
    """The response's answers as stored now (always read from the database; Core rows, so
    never an out-of-date object from the session)."""
    rows = session.execute(_CURRENT_ANSWERS, {"response_id": response.id})
    return {qid: value_of(code, codes, number, text) for qid, code, codes, number, text in rows}


def value_of(code: int | None = None, codes: Iterable[int] | None = None, number: float | None = None,
             text: str | None = None) -> Any:
    """An answer's value from its columns (a multi-choice answer is a tuple of codes)."""
    if codes is not None:
        return tuple(codes)
    for value in (code, number, text):
        if value is not None:
            return value
    return None
