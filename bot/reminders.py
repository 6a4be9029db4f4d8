"""When an unfinished conversation gets a nudge.

A conversation is remindable while the resident has agreed and not finished (states ASK
and REVIEW). The first reminder comes ``delay`` seconds after the resident's last message,
the second ``delay`` after the first; never more than ``limit`` (2) per conversation, and
never to a stopped, declined, finished or erased conversation (those states are not
remindable, and /stop cancels the pending reminder).

Why reminders live in the running bot's memory: a chat can only be written to with its
chat id, and the database holds only the HMAC pseudonym of it. So the pending reminder
(with its chat id) is a job in the process's job queue; after a restart it is scheduled
again when the resident next writes. That is the price of not storing chat ids.
"""
from __future__ import annotations

from dataclasses import dataclass

from .states import REMINDABLE, Conversation

DEFAULT_DELAY = 24 * 3600.0
DEFAULT_LIMIT = 2


@dataclass(frozen=True)
class ReminderPolicy:
    delay: float = DEFAULT_DELAY
    limit: int = DEFAULT_LIMIT

    def __post_init__(self) -> None:
        if self.delay <= 0:
            raise ValueError("the reminder delay must be positive")
        if not 0 <= self.limit <= DEFAULT_LIMIT:
            raise ValueError(f"at most {DEFAULT_LIMIT} reminders per conversation")

    def due(self, conversation: Conversation) -> bool:
        """May this conversation get (another) reminder?"""
        return conversation.state in REMINDABLE and conversation.reminders_sent < self.limit

    def next_in(self, conversation: Conversation) -> float | None:
        """Seconds until the next reminder, or None when none is allowed."""
        return self.delay if self.due(conversation) else None
