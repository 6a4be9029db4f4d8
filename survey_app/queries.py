"""Read-only queries for analysis: what the complete responses of a survey said, and its invitations.

``survey_app.responses`` is the one *write* path; this module is the read side that the
``analysis`` package uses, so analysis never touches ORM tables itself and a change of
schema is made here, behind plain rows. Only complete responses count: a partial
response was never submitted and an erased one has no answers left.

Rows are plain named tuples of stored values (choice codes, numbers), never labels.
Free text is read by one function only, :func:`complete_texts`, for the published
report's comment list (which is screened and suppressed there).
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from survey_app.models import Answer, Invitation, Response

COMPLETE = "complete"


class CompleteResponse(NamedTuple):
    id: int
    stratum: dict[str, Any]  # the invitation's stratum copied at start ({} for an open link)
    source: str  # "invited" or "open"
    locale: str  # the language the resident answered in (a registry tag such as ja-x-easy)


class StoredValue(NamedTuple):
    """One answer of a complete response: a choice code or a number (the other is None)."""

    response_id: int
    question_id: str
    code: int | None
    number: float | None


class InvitationRow(NamedTuple):
    stratum: dict[str, Any]
    undeliverable: bool


def complete_responses(session: Session, survey_id: str) -> list[CompleteResponse]:
    """The survey's complete responses in id order (the order analysis rows take)."""
    rows = session.execute(
        select(Response.id, Response.stratum, Response.source, Response.locale)
        .where(Response.survey_id == survey_id, Response.status == COMPLETE)
        .order_by(Response.id)).all()
    return [CompleteResponse(r.id, dict(r.stratum or {}), r.source, r.locale) for r in rows]


def complete_values(session: Session, survey_id: str, question_ids: list[str]) -> list[StoredValue]:
    """The stored codes and numbers of ``question_ids`` in the survey's complete responses."""
    if not question_ids:
        return []
    rows = session.execute(
        select(Answer.response_id, Answer.question_id, Answer.code, Answer.number)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey_id, Response.status == COMPLETE,
               Answer.question_id.in_(question_ids))).all()
    return [StoredValue(*r) for r in rows]


def invitations(session: Session, survey_id: str) -> list[InvitationRow]:
    """Every invitation of the survey: its stratum and whether the letter came back undelivered."""
    rows = session.execute(select(Invitation.stratum, Invitation.undeliverable)
                           .where(Invitation.survey_id == survey_id)).all()
    return [InvitationRow(dict(r.stratum or {}), bool(r.undeliverable)) for r in rows]


class StoredText(NamedTuple):
    question_id: str
    text: str
    locale: str  # the language the resident answered in


class FieldworkCounts(NamedTuple):
    letters: int
    undeliverable: int
    first_submitted: datetime | None
    last_submitted: datetime | None
    partial: int
    complete_by: dict[tuple[str, str, str], int]  # (source, channel, locale) -> complete responses


def complete_ids(session: Session, survey_id: str) -> list[int]:
    """The ids of the survey's complete responses, in the order of :func:`complete_responses`."""
    return list(session.scalars(select(Response.id)
                                .where(Response.survey_id == survey_id, Response.status == COMPLETE)
                                .order_by(Response.id)))


def complete_code_sets(session: Session, survey_id: str, question_ids: list[str]) -> dict[tuple[int, str], frozenset[int]]:
    """The codes chosen in multiple-choice answers, by (response id, question id), complete responses only."""
    if not question_ids:
        return {}
    rows = session.execute(
        select(Answer.response_id, Answer.question_id, cast(Answer.codes, Text))
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey_id, Response.status == COMPLETE, Answer.question_id.in_(question_ids)))
    # Cast to text: the JSON column reads back the same way on SQLite and PostgreSQL.
    return {(rid, qid): frozenset(int(c) for c in (json.loads(raw) if raw and raw != "null" else []))
            for rid, qid, raw in rows}


def complete_texts(session: Session, survey_id: str, question_ids: list[str]) -> list[StoredText]:
    """Non-empty free-text answers of complete responses, by language, question and response."""
    if not question_ids:
        return []
    rows = session.execute(
        select(Answer.question_id, Answer.text, Response.locale)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey_id, Response.status == COMPLETE, Answer.question_id.in_(question_ids),
               Answer.text.is_not(None))
        .order_by(Response.locale, Answer.question_id, Response.id))
    return [StoredText(qid, text.strip(), locale) for qid, text, locale in rows if text and text.strip()]


def fieldwork_counts(session: Session, survey_id: str) -> FieldworkCounts:
    """Letters sent and returned undelivered, partial and complete responses, first and last submission."""
    def count(model: Any, *conditions: Any) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0

    complete = (Response.survey_id == survey_id, Response.status == COMPLETE)
    first, last = session.execute(select(func.min(Response.submitted_at), func.max(Response.submitted_at))
                                  .where(*complete)).one()
    returned = session.execute(select(Response.source, Response.channel, Response.locale, func.count())
                               .where(*complete).group_by(Response.source, Response.channel, Response.locale)).all()
    return FieldworkCounts(count(Invitation, Invitation.survey_id == survey_id),
                           count(Invitation, Invitation.survey_id == survey_id, Invitation.undeliverable.is_(True)),
                           first, last, count(Response, Response.survey_id == survey_id, Response.status == "partial"),
                           {(s, c, loc): int(n) for s, c, loc, n in returned})
