"""Conversation states (see ``bot/conversation.mmd``) and the per-chat state the engine works on.

:class:`State` values are what ``bot_sessions.state`` holds: a ``StrEnum`` member is the same
string in the database, so rows written before the enum existed load unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class State(StrEnum):
    NEW = "new"                          # nothing known about this chat yet
    CHOOSE_LANGUAGE = "choose_language"  # the language chooser is on screen
    AWAIT_CODE = "await_code"            # a closed survey waits for a typed invitation code
    CONSENT = "consent"                  # the privacy notice waits for agreement
    ASK = "ask"                          # a question (``question_id``) is on screen
    REVIEW = "review"                    # every visible question is answered or skipped
    CONFIRM_DELETE = "confirm_delete"    # /delete waits for a yes/no
    DONE = "done"                        # submitted
    STOPPED = "stopped"                  # /stop, declined consent or blocked: the bot stays silent


# Conversations a reminder may nudge: the resident agreed and has not finished.
REMINDABLE = frozenset({State.ASK, State.REVIEW})


@dataclass
class Conversation:
    """One chat's conversation with one survey, as the engine sees it.

    ``data`` holds small working values that must survive a restart:
    ``retries`` (unrecognised replies to the current question), ``selected`` (codes toggled
    on a multiple-choice question), ``skipped`` (question ids the resident skipped),
    ``consented``, ``return_to`` (the state /language or /delete interrupted), ``buttons`` (the
    buttons last shown, as [label, data] pairs: offered again with a hint, ``Outcome.buttons_again``). Answers
    themselves are never kept here: the database is the truth (``survey_app.responses``).
    """

    state: State = State.NEW
    locale: str | None = None
    question_id: str | None = None
    response_id: int | None = None
    reminders_sent: int = 0
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def skipped(self) -> list[str]:
        return list(self.data.get("skipped", []))

    def set_skipped(self, qid: str, skipped: bool) -> None:
        ids = [q for q in self.skipped if q != qid]
        if skipped:
            ids.append(qid)
        self.data["skipped"] = ids

    def interrupted(self, state: State | None) -> None:
        """Remember the state /language or /delete interrupted (None: nothing to go back to)."""
        if state is None:
            self.data.pop("return_to", None)
        else:
            self.data["return_to"] = state.value

    def resume(self) -> State | None:
        """The interrupted state, forgotten now that the interruption is over."""
        value = self.data.pop("return_to", None)
        return State(value) if value else None

    def reset(self) -> None:
        """Forget everything but the language (a new start, an erased or vanished response)."""
        self.state, self.question_id, self.response_id = State.NEW, None, None
        self.data, self.reminders_sent = {}, 0
