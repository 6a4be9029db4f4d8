"""One event through the engine with the database around it (synchronous; any channel).

``ConversationService.process(chat_id, event)`` opens a session, loads the chat's
conversation by pseudonym, runs the engine with a :class:`bot.storage.ResponsesPort`, and
saves (or, after /delete, erases) the conversation — before anything is sent, so a crash
while sending loses nothing. Adapters run it in a worker thread.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.engine import Engine as SqlEngine

from survey_app.db import session_scope
from survey_app.surveys import get_instrument

from .engine import Engine
from .events import Event, Outcome, Remind
from .reminders import ReminderPolicy
from .states import Conversation
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
                 reminders: ReminderPolicy | None = None) -> None:
        self.db, self.survey_id, self.secret, self.channel = db, survey_id, secret, channel
        self.reminders = reminders or ReminderPolicy()

    def store(self, session) -> ConversationStore:
        return ConversationStore(session, self.survey_id, self.secret, self.channel)

    def process(self, chat_id: int | str, event: Event) -> Processed:
        with session_scope(self.db) as session:
            store = self.store(session)
            key = store.chat_key(chat_id)
            before = store.load(key)
            if isinstance(event, Remind) and not self.reminders.due(before):
                return Processed(key, before, Outcome(log="reminder no longer due"), skipped=True)
            instrument = get_instrument(session, self.survey_id)
            port = ResponsesPort(session, instrument, self.secret, self.channel)
            after, outcome = Engine(instrument).handle(before, event, port)
            if outcome.forget:
                store.forget(key)
            else:
                store.save(key, after, activity=not isinstance(event, Remind))
            return Processed(key, after, outcome)

    def remember_keyboard(self, chat_key: str, message_ref: int | str | None) -> None:
        """Note which message carries the live keyboard (so it can be removed once answered)."""
        with session_scope(self.db) as session:
            store = self.store(session)
            conversation = store.load(chat_key)
            if conversation.data.get(KEYBOARD) == message_ref or conversation.state == "new":
                return
            conversation.data[KEYBOARD] = message_ref
            store.save(chat_key, conversation, activity=False)
