"""The conversation's transition table: which event may move a conversation from which state to which.

Each row says: in any of ``sources``, ``trigger`` may lead to any of ``targets`` (several
when the database decides: after an answer the next question, or the review when none is
left). ``ANYWHERE`` stands for every state. Only changes of state are listed; an event
that leaves the state as it was (a hint, a stale tap, /help, the next question) needs no row.

:func:`check` is called by the engine after every event, so the table is the code's own
rule, not a picture of it; ``bot/conversation.mmd`` draws the same rows (``anywhere`` is
``ANYWHERE``) and ``tests/test_bot_transitions.py`` keeps the two equal.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .states import State


class Trigger(StrEnum):
    """What happened, as far as the state is concerned (the diagram's edge labels)."""

    START = "start"                      # /start, /start CODE, a LINE follow or a typed code before the survey
    LANGUAGE = "language"                # /language
    LANGUAGE_CHOSEN = "language_chosen"  # a language tapped (or typed while the chooser is shown)
    CODE = "code"                        # an invitation code typed when one is asked for
    AGREE = "agree"                      # "Yes, start" under the privacy notice
    DECLINE = "decline"                  # "No, thank you"
    ANSWER = "answer"                    # an answer tapped or typed, a skip
    EDIT = "edit"                        # a question's number tapped under "Change an answer"
    SUBMIT = "submit"                    # "Submit answers"
    REMIND = "remind"                    # a due reminder
    STOP = "stop"                        # /stop or a stop word
    BLOCKED = "blocked"                  # the channel reports that the resident blocked the bot
    DELETE = "delete"                    # /delete
    ERASE = "erase"                      # "Yes, erase everything"
    KEEP = "keep"                        # "No, keep them"
    LOST = "lost"                        # the response was erased elsewhere (staff, retention)
    SUBMITTED_ELSEWHERE = "submitted_elsewhere"  # the response was submitted on another channel


ANYWHERE = frozenset(State)


@dataclass(frozen=True)
class Row:
    sources: frozenset[State]
    trigger: Trigger
    targets: frozenset[State]


def row(sources: State | Iterable[State], trigger: Trigger, targets: State | Iterable[State]) -> Row:
    def states(given: State | Iterable[State]) -> frozenset[State]:
        return frozenset({given}) if isinstance(given, State) else frozenset(given)

    return Row(states(sources), trigger, states(targets))


S = State
QUESTIONS = (S.ASK, S.REVIEW)  # where the database sends a consented resident: a question or the review
TABLE: tuple[Row, ...] = (
    # A fresh start from anywhere (also after a response vanished); a used code in the link ends at once.
    row(ANYWHERE, Trigger.START, (S.CHOOSE_LANGUAGE, S.DONE)),
    # Consented and unfinished: back to the questions (where the answers stop).
    row((S.STOPPED, S.CHOOSE_LANGUAGE, S.CONFIRM_DELETE, *QUESTIONS), Trigger.START, QUESTIONS),
    # A code accepted but no consent yet: the privacy notice again.
    row((S.STOPPED, S.CONFIRM_DELETE), Trigger.START, S.CONSENT),
    row(ANYWHERE, Trigger.LANGUAGE, S.CHOOSE_LANGUAGE),
    # Back where /language interrupted, or on to the code or the notice; elsewhere the screen is shown again.
    row(S.CHOOSE_LANGUAGE, Trigger.LANGUAGE_CHOSEN, ANYWHERE),
    row(QUESTIONS, Trigger.LANGUAGE_CHOSEN, QUESTIONS),
    row(S.AWAIT_CODE, Trigger.CODE, S.CONSENT),
    row(S.CONSENT, Trigger.AGREE, (*QUESTIONS, S.AWAIT_CODE)),  # await_code: the open link was refused
    row(S.CONSENT, Trigger.DECLINE, S.STOPPED),
    row(S.ASK, Trigger.ANSWER, S.REVIEW),
    row(S.REVIEW, Trigger.EDIT, S.ASK),
    row(S.REVIEW, Trigger.SUBMIT, (S.DONE, S.ASK)),  # ask: a required answer is missing
    row(QUESTIONS, Trigger.REMIND, QUESTIONS),
    row(ANYWHERE, Trigger.STOP, S.STOPPED),
    row(ANYWHERE, Trigger.BLOCKED, S.STOPPED),
    row(ANYWHERE, Trigger.DELETE, S.CONFIRM_DELETE),
    row(S.CONFIRM_DELETE, Trigger.ERASE, S.NEW),
    row(S.CONFIRM_DELETE, Trigger.KEEP, ANYWHERE),  # back where /delete interrupted
    row(ANYWHERE, Trigger.LOST, S.NEW),
    row(ANYWHERE, Trigger.SUBMITTED_ELSEWHERE, S.DONE),
)

Edge = tuple[State, Trigger, State]


def edges(rows: Iterable[Row]) -> frozenset[Edge]:
    """Every (source, trigger, target) the rows allow that changes the state."""
    return frozenset((source, r.trigger, target) for r in rows for source in r.sources for target in r.targets
                     if source != target)


ALLOWED = edges(TABLE)


class UnlistedTransition(RuntimeError):
    """The engine moved a conversation in a way the table does not allow: a bug in one of the two."""


def check(source: State, trigger: Trigger | None, target: State) -> None:
    if source == target:
        return
    if trigger is None or (source, trigger, target) not in ALLOWED:
        raise UnlistedTransition(f"{source} --{trigger}--> {target} is not in bot/transitions.py")
