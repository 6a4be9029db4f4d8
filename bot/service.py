"""One event through the engine with the database around it (synchronous; any channel).

``ConversationService.process(chat_id, event)`` opens a session, loads the chat's
conversation by pseudonym, runs the engine with a :class:`bot.storage.ResponsesPort`, and
saves (or, after /delete, erases) the conversation together with its pending reminder
(moved, or cancelled: ``bot/reminder_store.py``) in one transaction — before anything is
sent, so a crash while sending loses nothing. Adapters run it in a worker thread.
``claim_reminders`` hands due reminders to one process; the adapter then processes a
:class:`bot.events.Remind` for each.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.orm import Session

from survey_app import codes
from survey_app.db import session_scope
from survey_app.models import utcnow
from survey_app.surveys import get_instrument

from .engine import Engine
from .events import Event, Outcome, Remind
from .reminder_store import DueReminder, ReminderStore
from .reminders import ReminderPolicy
from .states import Conversation, State
from .storage import ConversationStore, ResponsesPort

log = logging.getLogger("bot")
KEYBOARD = "kb"  # data key: the channel's id of the last message that still shows buttons


@dataclass
class Processed:
    chat_key: str
    conversation: Conversation
    outcome: Outcome
    skipped: bool = False  # nothing was done (e.g. a reminder that was no longer due)


class ConversationService:
    def __init__(self, db: SqlEngine, survey_id: str, secret: str, channel: str,
                 reminders: ReminderPolicy | None = None, clock: Callable[[], datetime] = utcnow) -> None:
        self.db, self.survey_id, self.secret, self.channel = db, survey_id, secret, channel
        self.reminders = reminders or ReminderPolicy()
        self.clock = clock

    def store(self, session: Session) -> ConversationStore:
        return ConversationStore(session, self.survey_id, self.channel)

    def reminder_store(self, session: Session) -> ReminderStore:
        return ReminderStore(session, self.channel, self.secret)

    def chat_key(self, chat_id: int | str) -> str:
        """The chat's pseudonym: all that is stored or logged of a chat id (an HMAC under SECRET_KEY)."""
        return codes.pseudonym(self.secret, self.channel, chat_id)

    def process(self, chat_id: int | str, event: Event) -> Processed:
        with session_scope(self.db) as session:
            store = self.store(session)
            key = self.chat_key(chat_id)
            before = store.load(key)
            if isinstance(event, Remind) and not self.reminders.due(before):
                row_id = store.row_id(key)
                if row_id is not None:
                    self.reminder_store(session).cancel(row_id)
                    session.commit()
                return Processed(key, before, Outcome(log="reminder no longer due"), skipped=True)
            instrument = get_instrument(session, self.survey_id)
            port = ResponsesPort(session, instrument, self.secret, self.channel)
            after, outcome = Engine(instrument).handle(before, event, port)
            if outcome.forget:
                store.forget(key)  # its reminder row goes with it (ON DELETE CASCADE)
            else:
                row_id = store.save(key, after, activity=not isinstance(event, Remind), commit=False)
                self.keep_reminder(session, row_id, chat_id, after)
                session.commit()
            return Processed(key, after, outcome)

    def keep_reminder(self, session: Session, row_id: int, chat_id: int | str, conversation: Conversation) -> None:
        """Move the conversation's reminder to the next allowed time, or cancel it (caller commits)."""
        due_at = self.reminders.next_at(conversation, self.clock())
        reminders = self.reminder_store(session)
        if due_at is None:
            reminders.cancel(row_id)
        else:
            reminders.schedule(row_id, chat_id, due_at)

    def claim_reminders(self, worker: str) -> list[DueReminder]:
        """Due reminders of this survey and channel, now owned by ``worker`` (none in quiet hours)."""
        now = self.clock()
        if self.reminders.is_quiet(now):
            return []
        with session_scope(self.db) as session:
            return self.reminder_store(session).claim_due(self.survey_id, worker, now)

    def first_sighting(self, event_id: str) -> bool:
        """False when a webhook event with this id was already taken (by any process)."""
        with session_scope(self.db) as session:
            return self.reminder_store(session).first_sighting(event_id, self.clock())

    def prune_seen(self) -> None:
        with session_scope(self.db) as session:
            self.reminder_store(session).prune_seen(self.clock())

    def remember_keyboard(self, chat_key: str, message_ref: int | str | None) -> None:
        """Note which message carries the live keyboard (so it can be removed once answered)."""
        with session_scope(self.db) as session:
            store = self.store(session)
            conversation = store.load(chat_key)
            if conversation.data.get(KEYBOARD) == message_ref or conversation.state == State.NEW:
                return
            conversation.data[KEYBOARD] = message_ref
            store.save(chat_key, conversation, activity=False)

    def load(self, chat_key: str) -> Conversation:
        with session_scope(self.db) as session:
            return self.store(session).load(chat_key)
