"""What every step of one turn shares: the conversation copy, the answers port, the outcome being built.

A turn is one event's handling (:class:`bot.engine.Turn`). Its steps — onboarding, asking,
review, control — each get this context instead of reaching into each other's attributes:
they read the conversation, call the port, add messages and say which
:class:`bot.transitions.Trigger` moved the state (checked against the table when the turn ends).
"""
from __future__ import annotations

from typing import Any

from survey_app.i18n.locales import from_telegram, match, offered
from survey_app.instrument import Instrument, Question
from survey_app.responses import ResumeNotFound

from . import messages as m
from .events import Outcome, TappedUpdate
from .render import TICK, Renderer
from .states import Conversation, State
from .storage import AnswersPort
from .transitions import Trigger


class Context:
    def __init__(self, instrument: Instrument, conv: Conversation, port: AnswersPort,
                 language_code: str | None) -> None:
        self.instrument, self.conv, self.port, self.out = instrument, conv, port, Outcome()
        # The language to offer first: the chat's own, else the client's (when the survey offers it).
        self.suggested = conv.locale or from_telegram(language_code, offered(instrument.languages))
        # LINE sends no client language: a chat that has not chosen one (a new one, or one erased with
        # /delete) is not known to read Japanese
        self.language_known = conv.locale is not None or match(language_code, offered(instrument.languages)) is not None
        self.trigger: Trigger | None = None

    @property
    def locale(self) -> str:
        return self.conv.locale or self.suggested

    @property
    def r(self) -> Renderer:
        return Renderer(self.instrument, self.locale)

    @property
    def state(self) -> State:
        return self.conv.state

    def because(self, trigger: Trigger) -> None:
        """Name the event that may change the state in this turn (see :mod:`bot.transitions`)."""
        self.trigger = trigger

    # ------------------------------------------------------------ output
    def say(self, msgid: str, **params: Any) -> None:
        """Send an interface text (:mod:`bot.messages`, or a core error's msgid) as a message."""
        self.out.messages.append(self.r.message(self.r.text(msgid, **params)))

    def say_to_anyone(self, msgid: str) -> None:
        """:meth:`say` — in every language of the survey, one line each, when the chat's is unknown."""
        if self.language_known:
            return self.say(msgid)
        lines = dict.fromkeys(Renderer(self.instrument, tag).text(msgid) for tag in offered(self.instrument.languages))
        self.out.messages.append(self.r.message("\n".join(lines)))

    def notice(self, msgid: str, **params: Any) -> None:
        """A short acknowledgement of a tap (a toast on Telegram, a message on LINE)."""
        self.out.notice = self.r.text(msgid, **params)

    def confirm(self, text: str | None = None, *, ticked: bool = False) -> None:
        """Close the tapped message's keyboard, appending ``text`` (with a tick) when given."""
        if text is not None and ticked:
            text = f"{TICK} {text}"
        self.out.tapped = TappedUpdate(confirm=text)

    def stale(self, msgid: str) -> None:
        """A tap that can no longer be taken: say why on the button, take its keyboard away."""
        self.note("stale tap ignored")
        self.notice(msgid)
        self.out.tapped = TappedUpdate()

    def use_the_buttons(self) -> None:
        """Typed text where only the buttons can answer (the notice, the review, yes/no)."""
        self.note(f"typed text in state {self.state}: asked to use the buttons")
        self.say(m.USE_THE_BUTTONS)

    def note(self, what: str) -> None:
        """A privacy-safe fact for the adapter's log line: never what the resident wrote, nor which
        question was answered — the path through conditional questions tells answers (a reason is
        asked only of the dissatisfied), and a log outlives /delete and purge."""
        self.out.log = f"{self.out.log}; {what}" if self.out.log else what

    # ------------------------------------------------------------ the conversation
    def answers(self) -> dict[str, Any]:
        found = self.port.answers(self.conv.response_id) if self.conv.response_id else None
        if found is None:
            raise ResumeNotFound()
        return found

    def visible(self, answers: dict[str, Any]) -> list[Question]:
        return list(self.instrument.visible_questions(answers))

    def current_question(self) -> Question | None:
        qid = self.conv.question_id
        return self.instrument.question(qid) if qid and self.instrument.has_question(qid) else None

    @property
    def response_id(self) -> int:
        """The conversation's response (steps that need one are reached only once it exists)."""
        if self.conv.response_id is None:
            raise ResumeNotFound()
        return self.conv.response_id
