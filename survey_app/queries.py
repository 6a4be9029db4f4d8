"""Read-only queries for analysis: what the complete responses of a survey said, and its invitations.

``survey_app.responses`` is the one *write* path; this module is the read side that the
``analysis`` package uses, so analysis never touches ORM tables itself and a change of
schema is made here, behind plain rows. Only complete responses count: a partial
response was never submitted and an erased one has no answers left.

Rows are plain named tuples of stored values (choice codes, numbers), never labels;
free text is never read here.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import select
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
