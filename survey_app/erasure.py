"""Erasure: a resident's answers removed through the one write path (``survey_app.responses``
re-exports these), and the chats' reminders that must not outlive a response's end."""
from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from survey_app.db import rows_changed
from survey_app.held import ResponseRef
from survey_app.models import Answer, BotReminder, BotSession, Response, utcnow

ERASED = "erased"  # a submitted response its resident erased: no answers, its code stays used
UNDETERMINED = "und"  # BCP 47's "undetermined language": an erased marker keeps none


def delete_response(session: Session, response: ResponseRef) -> None:
    """A resident's right to erasure: every answer goes; bot sessions let go of the response.

    A partial response's row goes too (its code may start again). A *submitted* response's
    row stays as an empty ``erased`` marker — no answers, no stratum, no times but its start —
    holding only the code's key: one response per invitation code, so erasing must not
    free the code to answer (and be counted) a second time.
    """
    drop_reminders(session, response.id)  # erased: nobody is nudged to start again
    session.execute(update(BotSession).where(BotSession.response_id == response.id).values(response_id=None))
    # channel and language go too (answered over Telegram in English was a nationality proxy), and the
    # last change is set back to the start, not stamped with the erasure
    erased = rows_changed(session.execute(
        update(Response).where(Response.id == response.id, Response.status == "complete")
        .values(status=ERASED, stratum={}, submitted_at=None, resume_key=None, channel=ERASED,
                locale=UNDETERMINED, updated_at=Response.started_at)))
    session.execute(delete(Answer).where(Answer.response_id == response.id))
    if not erased:
        session.execute(delete(Response).where(Response.id == response.id))
    session.commit()


def drop_reminders(session: Session, response_id: int) -> None:
    """Every chat's pending reminder for this response goes, sealed address and all (the caller commits)."""
    chats = select(BotSession.id).where(BotSession.response_id == response_id).scalar_subquery()
    session.execute(delete(BotReminder).where(BotReminder.session_id.in_(chats)))


def discard_abandoned(session: Session, response: ResponseRef) -> bool:
    """Delete an unfinished *open* response nothing leads back to (no code; its phone now holds another
    response), as ``delete_response`` does. Kept (False) once sent, or given a resume code to return with."""
    # Claimed first, in the delete's transaction: a submit from another tab waits, then finds it gone.
    claimed = rows_changed(session.execute(
        update(Response).where(Response.id == response.id, Response.status == "partial", Response.source == "open",
                               Response.resume_key.is_(None)).values(updated_at=utcnow())))
    if claimed:
        delete_response(session, response)
    else:
        session.rollback()
    return bool(claimed)
