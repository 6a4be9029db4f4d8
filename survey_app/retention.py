"""Retention: what is removed once its purpose is served (see SECURITY.md).

``purge(before)`` removes, for data last touched before the cut-off date:
- free-text answers (they may contain personal details a resident typed in),
- Telegram/LINE bot sessions (the pseudonymous chat key and conversation state),
- abandoned partial responses (never submitted) with their answers,
- the time of day of everything that remains: complete responses' start, update and submit
  times and their answers' times are cut to the day (00:00 UTC), so nothing finer than a day
  is left to line up with any other record (access logs, letters' posting times),
- login-throttle rows whose pause (if any) ended before the cut-off,
- the open-start address keys of the days before the cut-off (``survey_app.bursts``: after the
  last day of fieldwork no next day's first start comes to forget them).
Complete responses' coded answers stay: they are the statistics.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Select, bindparam, delete, func, or_, select
from sqlalchemy.orm import Session

from survey_app.bursts import forget_past_addresses
from survey_app.models import Answer, AuditEvent, BotSession, LoginThrottle, OpenStartCount, Response


@dataclass(frozen=True)
class PurgeCounts:
    free_texts: int
    bot_sessions: int
    partial_responses: int
    coarsened_responses: int = 0


def _old_responses(before: datetime) -> Select[int]:
    return select(Response.id).where(Response.updated_at < before)


def count_purgeable(session: Session, before: datetime) -> PurgeCounts:
    return PurgeCounts(
        free_texts=session.scalar(select(func.count()).select_from(Answer).where(
            Answer.text.is_not(None), Answer.response_id.in_(_old_responses(before)))) or 0,
        bot_sessions=session.scalar(select(func.count()).select_from(BotSession).where(
            BotSession.last_activity < before)) or 0,
        partial_responses=session.scalar(select(func.count()).select_from(Response).where(
            Response.status == "partial", Response.updated_at < before)) or 0,
    )


def _day(moment: datetime | None) -> datetime | None:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0) if moment is not None else None


def _coarsen_times(session: Session, before: datetime) -> int:
    """Cut the remaining responses' (and their answers') times to the day; how many responses."""
    table = Response.__table__
    rows = session.execute(select(table.c.id, table.c.started_at, table.c.updated_at, table.c.submitted_at)
                           .where(table.c.updated_at < before)).all()
    if not rows:
        return 0
    session.execute(table.update().where(table.c.id == bindparam("rid")).values(
        started_at=bindparam("s"), updated_at=bindparam("u"), submitted_at=bindparam("t")),
        [{"rid": r.id, "s": _day(r.started_at), "u": _day(r.updated_at), "t": _day(r.submitted_at)} for r in rows])
    answers = Answer.__table__
    session.execute(answers.update().where(answers.c.response_id == bindparam("rid"))
                    .values(answered_at=bindparam("day")),
                    [{"rid": r.id, "day": _day(r.submitted_at or r.updated_at)} for r in rows])
    return len(rows)


def purge(session: Session, before: datetime, actor: str = "cli") -> PurgeCounts:
    counts = count_purgeable(session, before)
    session.execute(delete(Answer).where(Answer.text.is_not(None), Answer.response_id.in_(_old_responses(before))))
    session.execute(delete(BotSession).where(BotSession.last_activity < before))
    partial = select(Response.id).where(Response.status == "partial", Response.updated_at < before)
    session.execute(delete(Answer).where(Answer.response_id.in_(partial)))
    session.execute(delete(Response).where(Response.status == "partial", Response.updated_at < before))
    coarsened = _coarsen_times(session, before)
    session.execute(delete(LoginThrottle).where(or_(LoginThrottle.locked_until.is_(None),
                                                    LoginThrottle.locked_until < before)))
    for survey_id in session.scalars(select(OpenStartCount.survey_id).distinct()).all():
        forget_past_addresses(session, survey_id, before.date())
    counts = replace(counts, coarsened_responses=coarsened)
    session.add(AuditEvent(actor=actor, action="purge", target=before.date().isoformat(),
                           detail=counts.__dict__.copy()))
    session.commit()
    return counts
