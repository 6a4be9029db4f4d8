"""Pending reminders as database rows: scheduled with the conversation, claimed once, sent by any process.

One row per conversation (``BotReminder.session_id`` is unique). :meth:`ReminderStore.schedule`
writes it in the same transaction as the conversation, so a resident's answer and the
reminder it moves can never disagree. :meth:`ReminderStore.claim_due` hands a due row to
exactly one process: a conditional ``UPDATE … SET claimed_by = me WHERE id = … AND claimed_by
IS NULL`` is atomic on PostgreSQL (row lock; a concurrent updater re-checks the condition
after the first commits, READ COMMITTED) and on SQLite (one writer at a time), and only the
process whose update changed the row sends it. A claim older than ``LEASE`` (a process died
between claim and send) may be taken again: nothing was sent for it, because the claimant
processes the reminder — which rewrites or deletes the row — before sending.
Delivery is therefore at most once per reminder: a crash after that commit loses it, never
doubles it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey_app import sealing
from survey_app.models import BotReminder, BotSeenEvent, BotSession

log = logging.getLogger("bot")
LEASE = timedelta(minutes=10)
SEEN_EVENTS_KEPT = timedelta(days=7)
CLAIM_BATCH = 20
SEAL_PURPOSE = "bot-chat-address"  # the chat address in a reminder row (survey_app/sealing.py)


@dataclass(frozen=True)
class DueReminder:
    reminder_id: int
    chat_key: str
    address: str  # opened: the chat id / user id to write to


class ReminderStore:
    def __init__(self, session: Session, channel: str, secret: str) -> None:
        self.session, self.channel, self.secret = session, channel, secret

    def _row(self, bot_session_id: int) -> BotReminder | None:
        return self.session.scalar(select(BotReminder).where(BotReminder.session_id == bot_session_id))

    def schedule(self, bot_session_id: int, address: int | str, due_at: datetime) -> None:
        """Set (or move) the conversation's one reminder; the caller commits."""
        row = self._row(bot_session_id)
        if row is None:
            row = BotReminder(session_id=bot_session_id, channel=self.channel)
            self.session.add(row)
        row.due_at, row.address = due_at, sealing.seal(self.secret, SEAL_PURPOSE, str(address))
        row.claimed_by = row.claimed_at = None

    def cancel(self, bot_session_id: int) -> None:
        """No reminder for this conversation (and its sealed address is gone); the caller commits."""
        self.session.execute(delete(BotReminder).where(BotReminder.session_id == bot_session_id))

    def claim_due(self, survey_id: str, worker: str, now: datetime, limit: int = CLAIM_BATCH) -> list[DueReminder]:
        """Take up to ``limit`` due reminders of this channel and survey for ``worker`` (committed)."""
        free = or_(BotReminder.claimed_by.is_(None), BotReminder.claimed_at < now - LEASE)
        takeable = and_(BotReminder.channel == self.channel, BotReminder.due_at <= now, free)
        candidates = self.session.execute(
            select(BotReminder.id, BotSession.chat_key, BotReminder.address)
            .join(BotSession, BotSession.id == BotReminder.session_id)
            .where(takeable, BotSession.survey_id == survey_id)
            .order_by(BotReminder.due_at).limit(limit)).all()
        self.session.rollback()  # end the read: each claim below is its own short transaction
        claimed = []
        for reminder_id, chat_key, address in candidates:
            taken = cast(CursorResult[Any], self.session.execute(
                update(BotReminder).where(BotReminder.id == reminder_id, takeable)
                .values(claimed_by=worker, claimed_at=now)))
            self.session.commit()
            if taken.rowcount != 1:
                continue
            opened = sealing.unseal(self.secret, SEAL_PURPOSE, address)
            if opened is None:  # sealed under an earlier SECRET_KEY: it can never be sent
                log.warning("a reminder whose address cannot be opened was dropped (SECRET_KEY changed?)")
                self.session.execute(delete(BotReminder).where(BotReminder.id == reminder_id))
                self.session.commit()
            else:
                claimed.append(DueReminder(reminder_id, chat_key, opened))
        return claimed

    # ------------------------------------------------------------ redelivered webhook events
    def first_sighting(self, event_id: str, now: datetime) -> bool:
        """Record ``event_id``; False when some process already took it (a redelivery)."""
        exists = select(BotSeenEvent.id).where(BotSeenEvent.channel == self.channel,
                                               BotSeenEvent.event_id == event_id)
        if self.session.scalar(exists) is not None:
            return False
        self.session.add(BotSeenEvent(channel=self.channel, event_id=event_id, seen_at=now))
        try:
            self.session.commit()
        except IntegrityError:  # the unique constraint: another process took it first
            self.session.rollback()
            return False
        return True

    def prune_seen(self, now: datetime) -> None:
        self.session.execute(delete(BotSeenEvent).where(BotSeenEvent.channel == self.channel,
                                                        BotSeenEvent.seen_at < now - SEEN_EVENTS_KEPT))
        self.session.commit()
