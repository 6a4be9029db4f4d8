"""The conversation, independent of any chat channel (see ``bot/conversation.mmd``).

``Engine(instrument).handle(conversation, event, port) -> (conversation, outcome)``: a
function of the conversation state and one event. It returns a new state and the
messages to send; the only side effects go through ``port`` (an
:class:`bot.storage.AnswersPort`, i.e. ``survey_app.responses``), so every answer is in the
database the moment it is given. A Telegram, LINE or WhatsApp adapter maps its updates to
:mod:`bot.events`, calls ``handle`` and renders the outcome.

One event is one :class:`Turn`. Like python-telegram-bot's ``conversationbot.py``, it routes
each event to one small handler per step, held by collaborators that share a
:class:`bot.context.Context`: :class:`bot.onboarding.Onboarding` (start, language, code,
consent), :class:`bot.asking.Asker` (questions and answers), :class:`bot.review.Review`
(review and submit), :class:`bot.control.Control` (stop, delete, reminders) and
:class:`bot.screens.Screens` (what each state shows). The state a turn ends in is checked
against the transition table (:mod:`bot.transitions`).
"""
from __future__ import annotations

import copy
from collections.abc import Callable

from survey_app import codes, responses
from survey_app.i18n import ruby
from survey_app.instrument import Instrument

from . import bidi, callbacks, parsing
from . import messages as m
from .asking import Asker
from .context import Context
from .control import Control
from .events import (
    Blocked,
    Button,
    Command,
    Event,
    Outcome,
    Remind,
    Start,
    Tap,
    TappedUpdate,
    Text,
    Unsupported,
)
from .onboarding import Onboarding
from .review import Review
from .screens import Screens
from .states import Conversation, State
from .storage import AnswersPort
from .transitions import check

# Where a typed invitation code means "start the invited survey" (afterwards it is an answer).
BEFORE_SURVEY = frozenset({State.NEW, State.CHOOSE_LANGUAGE, State.CONSENT})
# Screens answered by tapping (or typing) while their buttons are on screen.
WAITS_FOR_TAP = frozenset({State.CHOOSE_LANGUAGE, State.CONSENT, State.ASK, State.REVIEW, State.CONFIRM_DELETE})


class Engine:
    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument

    def handle(self, conversation: Conversation, event: Event, port: AnswersPort) -> tuple[Conversation, Outcome]:
        turn = Turn(Context(self.instrument, copy.deepcopy(conversation), port, getattr(event, "language_code", None)))
        turn.run(event)
        check(conversation.state, turn.ctx.trigger, turn.ctx.conv.state)
        return turn.ctx.conv, turn.ctx.out


class Turn:
    """One event's handling: routes the event to the step that takes it."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.asker = Asker(ctx)
        self.screens = Screens(ctx, self.asker)
        self.onboarding = Onboarding(ctx, self.asker, self.screens)
        self.review = Review(ctx, self.asker)
        self.control = Control(ctx, self.screens)
        self.commands: dict[str, Callable[[], None]] = {
            "start": lambda: self.onboarding.start(None),
            "language": self.onboarding.choose_language,
            "stop": self.control.stop,
            "delete": self.control.ask_delete,
        }
        self.taps: dict[str, Callable[[callbacks.Callback], None]] = {
            callbacks.LANGUAGE: self.onboarding.tap_language,
            callbacks.CONSENT: self.onboarding.tap_consent,
            callbacks.DELETE: self.control.tap_delete,
            callbacks.REVIEW: self.review.tap,
            callbacks.EDIT: self.review.edit,
        }
        self.typed: dict[State, Callable[[str], None]] = {
            State.ASK: self.asker.typed,
            State.CHOOSE_LANGUAGE: self.onboarding.typed_language,
            State.AWAIT_CODE: self.onboarding.typed_code,
        }

    def run(self, event: Event) -> None:
        try:
            self.dispatch(event)
        except responses.AlreadySubmitted:
            self.control.submitted_elsewhere()
        except responses.ResumeNotFound:
            self.control.lost()
        self.polish()

    def dispatch(self, event: Event) -> None:
        ctx = self.ctx
        if isinstance(event, Blocked):
            return self.control.blocked()
        if isinstance(event, Remind):
            return self.control.remind()
        if isinstance(event, Start):
            return self.onboarding.start(event.payload)
        if isinstance(event, Command):
            return self.command(event.name)
        if isinstance(event, Text) and parsing.is_stop_word(event.text):
            return self.control.stop()
        if isinstance(event, Text) and ctx.state in BEFORE_SURVEY and _is_code(event.text):
            # a letter's code typed instead of opening its link: the invited survey, not the open one
            return self.onboarding.start(event.text)
        if ctx.state == State.STOPPED:
            return ctx.note("ignored: conversation stopped")
        if isinstance(event, Tap):
            return self.tap(event.data)
        if isinstance(event, Unsupported):
            ctx.note(f"unsupported message ({event.kind})")
            return ctx.say(m.UNSUPPORTED)
        self.text(event.text)

    def command(self, name: str) -> None:
        if name == "skip" and self.ctx.state == State.ASK:
            return self.asker.skip_current()
        handler = self.commands.get(name)
        if handler is not None:
            return handler()
        self.ctx.out.messages.append(self.ctx.r.help())  # /help, and /skip where there is nothing to skip
        if self.ctx.state == State.NEW:
            self.ctx.say_to_anyone(m.SEND_START)

    def tap(self, data: str) -> None:
        ctx = self.ctx
        try:
            cb = callbacks.decode(data)
        except callbacks.BadCallback:
            ctx.note("tap with unknown data ignored")
            return ctx.notice(m.BUTTON_INVALID)
        if not callbacks.belongs_to(ctx.instrument, cb):
            ctx.note("tap for another survey ignored")
            return ctx.notice(m.OTHER_SURVEY)
        if not callbacks.is_current_version(ctx.instrument, cb):  # the survey changed: the screen as it is now
            ctx.stale(m.BUTTON_INVALID)
            return self.screens.show(ctx.state)
        handler = self.taps.get(cb.kind)
        if handler is not None:
            return handler(cb)
        question = callbacks.question_of(ctx.instrument, cb)
        if question is None:
            return ctx.stale(m.BUTTON_INVALID)
        self.asker.tap(cb, question)

    def text(self, text: str) -> None:
        state = self.ctx.state
        handler = self.typed.get(state)
        if handler is not None:
            return handler(text)
        if state in (State.CONSENT, State.CONFIRM_DELETE, State.REVIEW):
            return self.ctx.use_the_buttons()
        self.screens.show(state)

    def polish(self) -> None:
        """Texts not built by the renderer (tap acknowledgements) get the locale's bidi treatment too;
        the buttons on screen are remembered, and offered again with a hint that shows none."""
        out, locale = self.ctx.out, self.ctx.locale
        if out.notice:
            out.notice = bidi.for_locale(locale, ruby.to_chat(out.notice))
        if out.tapped is not None and out.tapped.confirm:
            out.tapped = TappedUpdate(confirm=bidi.for_locale(locale, ruby.to_chat(out.tapped.confirm)))
        shown = [msg.buttons for msg in out.messages if msg.buttons]
        if out.tapped is not None and out.tapped.buttons:
            shown.append(out.tapped.buttons)
        data = self.ctx.conv.data
        if shown:
            data["buttons"] = [[[b.label, b.data] for b in row] for row in shown[-1]]
        elif self.ctx.state in WAITS_FOR_TAP and (out.messages or out.notice) and self._current(data.get("buttons")):
            out.buttons_again = tuple(tuple(Button(label, value) for label, value in row) for row in data["buttons"])

    def _current(self, rows: list[list[list[str]]] | None) -> bool:
        """Buttons remembered from this version of the survey (an older one's would only be refused)."""
        if not rows:
            return False
        try:
            return callbacks.is_current_version(self.ctx.instrument, callbacks.decode(rows[0][0][1]))
        except (callbacks.BadCallback, IndexError, TypeError):
            return False


def _is_code(text: str) -> bool:
    return codes.check(text)[0] == codes.CodeStatus.VALID
