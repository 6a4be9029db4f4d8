"""Retention: what is removed once its purpose is served (see SECURITY.md).

``purge(before)`` removes, for data last touched before the cut-off date:
- free-text answers (they may contain personal details a resident typed in),
- Telegram/LINE bot sessions (the pseudonymous chat key and conversation state),
- abandoned partial responses (never submitted) with their answers.
Complete responses' coded answers stay: they are the statistics.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from survey_app.models import Answer, AuditEvent, BotSession, Response


@dataclass(frozen=True)
class PurgeCounts:
    free_texts: int
    bot_sessions: int
    partial_responses: int


def _old_responses(before: datetime):
    return select(Response.id).where(Response.updated_at < before)


def count_purgeable(session: Session, before: datetime) -> PurgeCounts:
    return PurgeCounts(
        free_texts=session.scalar(select(func.count()).select_from(Answer).where(
            Answer.text.is_not(None), Answer.response_id.in_(_old_responses(before)))),
        bot_sessions=session.scalar(select(func.count()).select_from(BotSession).where(
            BotSession.last_activity < before)),
        partial_responses=session.scalar(select(func.count()).select_from(Response).where(
            Response.status == "partial", Response.updated_at < before)),
    )


def purge(session: Session, before: datetime, actor: str = "cli") -> PurgeCounts:
    counts = count_purgeable(session, before)
    session.execute(delete(Answer).where(Answer.text.is_not(None), Answer.response_id.in_(_old_responses(before))))
    session.execute(delete(BotSession).where(BotSession.last_activity < before))
    partial = select(Response.id).where(Response.status == "partial", Response.updated_at < before)
    session.execute(delete(Answer).where(Answer.response_id.in_(partial)))
    session.execute(delete(Response).where(Response.status == "partial", Response.updated_at < before))
    session.add(AuditEvent(actor=actor, action="purge", target=before.date().isoformat(),
                           detail=counts.__dict__.copy()))
    session.commit()
    return counts
