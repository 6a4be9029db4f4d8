"""When an unfinished conversation gets a nudge, and when it must not.

A conversation is remindable while the resident has agreed and not finished (states ASK
and REVIEW). The first reminder comes ``delay`` seconds after the resident's last message,
the second ``delay`` after the first; never more than ``limit`` (2) per conversation, and
never to a stopped, declined, finished or erased conversation.

Quiet hours: no reminder between ``quiet_start`` (21:00) and ``quiet_end`` (08:00) city time
(``timezone``, Asia/Tokyo by default). A reminder falling due in that window is moved to
the window's end, and no bot process sends one while the window lasts.

Reminders are rows in the database (``bot/reminder_store.py``), not jobs in one process's
memory: any running bot process of the channel sends them, once, and a restart loses none.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .states import REMINDABLE, Conversation

DEFAULT_DELAY = 24 * 3600.0
DEFAULT_LIMIT = 2
DEFAULT_TIMEZONE = "Asia/Tokyo"


@dataclass(frozen=True)
class ReminderPolicy:
    delay: float = DEFAULT_DELAY
    limit: int = DEFAULT_LIMIT
    timezone: str = DEFAULT_TIMEZONE
    quiet_start: int = 21  # hour, city time: from here …
    quiet_end: int = 8     # … until here no reminder is sent

    def __post_init__(self) -> None:
        if self.delay <= 0:
            raise ValueError("the reminder delay must be positive")
        if not 0 <= self.limit <= DEFAULT_LIMIT:
            raise ValueError(f"at most {DEFAULT_LIMIT} reminders per conversation")
        if not (0 <= self.quiet_start <= 23 and 0 <= self.quiet_end <= 23):
            raise ValueError("quiet hours are whole hours 0–23")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc

    def due(self, conversation: Conversation) -> bool:
        """May this conversation get (another) reminder?"""
        return conversation.state in REMINDABLE and conversation.reminders_sent < self.limit

    def next_in(self, conversation: Conversation) -> float | None:
        """Seconds until the next reminder, or None when none is allowed."""
        return self.delay if self.due(conversation) else None

    def is_quiet(self, when: datetime) -> bool:
        """Is ``when`` (aware) inside the quiet hours, city time? (start == end: never quiet)."""
        hour = when.astimezone(ZoneInfo(self.timezone)).hour
        if self.quiet_start > self.quiet_end:  # the window spans midnight (21–8)
            return hour >= self.quiet_start or hour < self.quiet_end
        return self.quiet_start <= hour < self.quiet_end

    def not_quiet(self, when: datetime) -> datetime:
        """``when`` itself, or the end of the quiet hours it falls in (same zone as ``when``)."""
        if not self.is_quiet(when):
            return when
        local = when.astimezone(ZoneInfo(self.timezone))
        end = datetime.combine(local.date(), time(self.quiet_end), tzinfo=local.tzinfo)
        if end <= local:
            end += timedelta(days=1)
        return end.astimezone(when.tzinfo)

    def next_at(self, conversation: Conversation, now: datetime) -> datetime | None:
        """When the next reminder may be sent (quiet hours respected), or None."""
        delay = self.next_in(conversation)
        return None if delay is None else self.not_quiet(now + timedelta(seconds=delay))
