"""The conversation, independent of any chat channel (see ``bot/conversation.mmd``).

``Engine(instrument).handle(conversation, event, port) -> (conversation, outcome)``: a
function of the conversation state and one event. It returns a new state and the
messages to send; the only side effects go through ``port`` (an
:class:`bot.storage.AnswersPort`, i.e. ``survey_app.responses``), so every answer is in the
database the moment it is given. A Telegram, LINE or WhatsApp adapter maps its updates to
:mod:`bot.events`, calls ``handle`` and renders the outcome.
"""
from __future__ import annotations

import copy
import logging

from survey_app import responses
from survey_app.i18n import ruby
from survey_app.i18n.catalogs import gettext
from survey_app.i18n.locales import from_telegram, native_name, offered

from . import bidi, callbacks, parsing
from .asking import Asking
from .events import Blocked, Command, Event, Outcome, Remind, Start, Tap, TappedUpdate, Text, Unsupported
from .render import TICK, Renderer
from .states import (
    ASK,
    AWAIT_CODE,
    CHOOSE_LANGUAGE,
    CONFIRM_DELETE,
    CONSENT,
    DONE,
    NEW,
    REMINDABLE,
    REVIEW,
    STOPPED,
    Conversation,
)
from .storage import AnswersPort

log = logging.getLogger(__name__)

class Engine:
    def __init__(self, instrument) -> None:
        self.instrument = instrument

    def handle(self, conversation: Conversation, event: Event, port: AnswersPort) -> tuple[Conversation, Outcome]:
        turn = Turn(self.instrument, copy.deepcopy(conversation), port, getattr(event, "language_code", None))
        try:
            turn.dispatch(event)
        except responses.AlreadySubmitted:
            turn.finish_already_submitted()
        except responses.ResumeNotFound:
            turn.lost()
        turn.polish()
        return turn.conv, turn.out


class Turn(Asking):
    """One event's handling: the conversation copy, the port and the outcome being built."""

    def __init__(self, instrument, conv: Conversation, port: AnswersPort, language_code: str | None) -> None:
        self.instrument, self.conv, self.port, self.out = instrument, conv, port, Outcome()
        self.suggested = conv.locale or from_telegram(language_code, offered(self.instrument.languages))

    @property
    def locale(self) -> str:
        return self.conv.locale or self.suggested

    @property
    def r(self) -> Renderer:
        return Renderer(self.instrument, self.locale)

    def polish(self) -> None:
        """Texts not built by the renderer (tap acknowledgements) get the locale's bidi treatment too."""
        out = self.out
        if out.notice:
            out.notice = bidi.for_locale(self.locale, ruby.to_chat(out.notice))
        if out.tapped is not None and out.tapped.confirm:
            out.tapped = TappedUpdate(confirm=bidi.for_locale(self.locale, ruby.to_chat(out.tapped.confirm)))

    def say(self, text: str) -> None:
        self.out.messages.append(self.r.message(text))

    def note(self, what: str) -> None:
        self.out.log = f"{self.out.log}; {what}" if self.out.log else what

    # ------------------------------------------------------------ dispatch
    def dispatch(self, event: Event) -> None:
        if isinstance(event, Blocked):
            self.conv.state = STOPPED
            return self.note("blocked by the resident: stopped")
        if isinstance(event, Remind):
            return self.remind()
        if isinstance(event, Start):
            return self.start(event.payload)
        if isinstance(event, Command):
            return self.command(event.name)
        if isinstance(event, Text) and parsing.is_stop_word(event.text):
            return self.stop()
        if self.conv.state == STOPPED:
            return self.note("ignored: conversation stopped")
        if isinstance(event, Tap):
            return self.tap(event.data)
        if isinstance(event, Unsupported):
            self.note(f"unsupported message ({event.kind})")
            return self.say(gettext(self.locale, "Sorry, I can only read text messages and button taps."))
        return self.text(event.text)

    def command(self, name: str) -> None:
        if name == "stop":
            return self.stop()
        if name == "language":
            return self.choose_language()
        if name == "delete":
            return self.ask_delete()
        if name == "skip" and self.conv.state == ASK:
            return self.skip_current()
        if name == "start":
            return self.start(None)
        self.out.messages.append(self.r.help())
        if self.conv.state == NEW:
            self.say(gettext(self.locale, "Send /start to begin the survey."))

    # ------------------------------------------------------------ start, language, code, consent
    def start(self, payload: str | None) -> None:
        conv = self.conv
        status = self.port.status(conv.response_id) if conv.response_id else None
        if conv.response_id and status is None:
            self.reset()
        if status == "complete" or (conv.state == DONE and conv.response_id):
            conv.state = DONE
            return self.finish_already_submitted()
        if status == "partial" and conv.data.get("consented"):
            if payload:
                self.note("start payload ignored: this chat already has a response")
            self.say(gettext(self.locale, "Welcome back! Let's continue where you left off."))
            return self.ask_next()
        if conv.response_id:  # a code was accepted, but no consent yet
            return self.show_step(CONSENT if conv.state in (STOPPED, CONFIRM_DELETE) else conv.state)
        self.reset()
        if payload:
            self.use_code(payload, first=True)
            if self.conv.state == DONE:
                return
        self.conv.state = CHOOSE_LANGUAGE
        self.out.messages.append(self.r.language_chooser(self.suggested, greet=True))

    def reset(self) -> None:
        self.conv.state, self.conv.question_id, self.conv.response_id = NEW, None, None
        self.conv.data, self.conv.reminders_sent = {}, 0

    def use_code(self, code: str, first: bool = False) -> bool:
        """Start the response of an invitation code; on a problem say what is wrong."""
        try:
            rid, resumed = self.port.start(code, self.locale)
        except responses.CodeProblem as problem:
            self.note(f"invitation code refused ({problem.kind})")
            self.say(gettext(self.locale, problem.message))
            if problem.kind == "used":
                self.conv.state = DONE if first else self.conv.state
            elif first and self.instrument.allow_open:
                self.say(gettext(self.locale, "You can still answer the survey without a code."))
            return False
        self.conv.response_id = rid
        self.note("invitation code accepted" + (" (continuing a started response)" if resumed else ""))
        return True

    def choose_language(self) -> None:
        if self.conv.state not in (NEW, CHOOSE_LANGUAGE):
            back = self.conv.data.get("return_to") if self.conv.state == CONFIRM_DELETE else self.conv.state
            self.conv.data["return_to"] = back
        self.conv.state = CHOOSE_LANGUAGE  # from STOPPED too: the chooser's tap returns there, silently
        self.out.close_keyboard = True
        self.out.messages.append(self.r.language_chooser(self.locale, greet=False))

    def set_language(self, locale: str) -> None:
        self.conv.locale = locale
        if self.conv.response_id:
            self.port.set_locale(self.conv.response_id, locale)
        self.out.tapped = TappedUpdate(confirm=f"{TICK} {native_name(locale)}")
        if self.conv.state == CHOOSE_LANGUAGE:
            target = self.conv.data.pop("return_to", None) or self.after_language()
        else:
            target = self.conv.state
        self.note(f"language {locale}")
        self.show_step(target)

    def after_language(self) -> str:
        return CONSENT if self.conv.response_id or self.instrument.allow_open else AWAIT_CODE

    def typed_language(self, text: str) -> str | None:
        key = parsing.match_key(text)
        for loc in offered(self.instrument.languages):
            if key in (parsing.match_key(native_name(loc)), loc):
                return loc
        return None

    def show_step(self, state: str) -> None:
        """Put ``state``'s message on screen (after a language change, a cancelled delete …)."""
        self.conv.state = state
        if state == CHOOSE_LANGUAGE:
            self.out.messages.append(self.r.language_chooser(self.locale, greet=False))
        elif state == AWAIT_CODE:
            self.out.messages.append(self.r.ask_code())
        elif state == CONSENT:
            self.out.messages.append(self.r.consent())
        elif state in (ASK, REVIEW):
            self.ask_current() if state == ASK else self.ask_next()
        elif state == DONE:
            self.finish_already_submitted()
        elif state == NEW:
            self.say(gettext(self.locale, "Send /start to begin the survey."))

    def consent(self, agreed: bool) -> None:
        if not agreed:
            self.out.tapped = TappedUpdate(confirm=gettext(self.locale, "No, thank you"))
            self.conv.state = STOPPED
            self.note("consent declined")
            return self.say(gettext(self.locale, "All right, nothing more will be asked. If you change your mind, "
                                     "send /start."))
        if not self.conv.response_id:
            try:
                self.conv.response_id, _ = self.port.start(None, self.locale)
            except responses.OpenLinkRefused as refused:
                self.out.tapped = TappedUpdate()
                self.say(gettext(self.locale, refused.message))
                return self.show_step(AWAIT_CODE)
        self.out.tapped = TappedUpdate(confirm=gettext(self.locale, "Yes, start"))
        self.conv.data["consented"] = True
        self.note("consent given")
        self.ask_next()

    # ------------------------------------------------------------ stop, delete, remind
    def stop(self) -> None:
        if self.conv.state == STOPPED:
            return self.note("stop repeated: ignored")
        self.conv.state = STOPPED
        self.out.close_keyboard = True
        self.note("stopped by the resident")
        self.say(gettext(self.locale, "You will get no more messages about this survey. Your answers so far are kept: "
                          "send /start to continue, or /delete to erase them."))

    def ask_delete(self) -> None:
        if self.conv.state != CONFIRM_DELETE:
            self.conv.data["return_to"] = self.conv.state
        self.conv.state = CONFIRM_DELETE
        self.out.close_keyboard = True
        self.out.messages.append(self.r.confirm_delete())

    def delete(self, confirmed: bool) -> None:
        if not confirmed:
            self.out.tapped = TappedUpdate(confirm=gettext(self.locale, "No, keep them"))
            self.say(gettext(self.locale, "Nothing was erased."))
            back = self.conv.data.pop("return_to", None) or NEW
            return self.show_step(back) if back != STOPPED else setattr(self.conv, "state", STOPPED)
        submitted = bool(self.conv.response_id) and self.port.status(self.conv.response_id) == "complete"
        if self.conv.response_id:
            self.port.delete(self.conv.response_id)
        self.out.tapped = TappedUpdate(confirm=gettext(self.locale, "Yes, erase everything"))
        self.out.forget = True
        self.note("answers and conversation erased")
        if submitted:  # survey_app.responses.delete_response: the code stays used
            self.say(gettext(self.locale, "Your answers and this conversation have been erased. Your invitation "
                              "code stays used, so it cannot answer this survey again. Thank you for your time."))
        else:
            self.say(gettext(self.locale, "Your answers and this conversation have been erased. "
                                          "Thank you for your time."))
        locale = self.conv.locale
        self.reset()
        self.conv.locale = locale

    def remind(self) -> None:
        if self.conv.state not in REMINDABLE:
            return self.note(f"no reminder in state {self.conv.state}")
        self.conv.reminders_sent += 1
        self.note(f"reminder {self.conv.reminders_sent}")
        self.say(gettext(self.locale, "You have not finished the survey yet. You can continue here:"))
        self.out.close_keyboard = True
        self.show_step(self.conv.state)

    def lost(self) -> None:
        """The response vanished (erased elsewhere, purged): start from scratch, losing nothing else."""
        self.note("response no longer exists: conversation reset")
        locale = self.conv.locale
        self.reset()
        self.conv.locale = locale
        self.out.messages = [self.r.message(gettext(self.locale, "Send /start to begin the survey."))]

    def finish_already_submitted(self) -> None:
        self.conv.state = DONE
        self.say(gettext(self.locale, "These answers have already been submitted. Thank you!"))

    # ------------------------------------------------------------ taps and typed text
    def tap(self, data: str) -> None:
        try:
            cb = callbacks.decode(data)
        except callbacks.BadCallback:
            self.note("tap with unknown data ignored")
            self.out.notice = gettext(self.locale, "This button is no longer valid.")
            return
        if not callbacks.belongs_to(self.instrument, cb):
            self.note("tap for another survey ignored")
            self.out.notice = gettext(self.locale, "This button belongs to another survey.")
            return
        if not callbacks.is_current_version(self.instrument, cb):
            return self.stale(gettext(self.locale, "This button is no longer valid."))
        handler = {callbacks.LANGUAGE: self.tap_language, callbacks.CONSENT: self.tap_consent,
                   callbacks.DELETE: self.tap_delete, callbacks.REVIEW: self.tap_review}.get(cb.kind)
        if handler is not None:
            return handler(cb)
        return self.tap_question(cb)

    def stale(self, notice: str) -> None:
        self.note("stale tap ignored")
        self.out.notice = notice
        self.out.tapped = TappedUpdate()

    def tap_language(self, cb: callbacks.Callback) -> None:
        if cb.arg not in offered(self.instrument.languages):
            return self.stale(gettext(self.locale, "This button is no longer valid."))
        self.set_language(cb.arg)

    def tap_consent(self, cb: callbacks.Callback) -> None:
        if self.conv.state != CONSENT:
            return self.stale(gettext(self.locale, "This button is no longer valid."))
        self.consent(cb.arg == "y")

    def tap_delete(self, cb: callbacks.Callback) -> None:
        if self.conv.state != CONFIRM_DELETE:
            return self.stale(gettext(self.locale, "This button is no longer valid."))
        self.delete(cb.arg == "y")

    def text(self, text: str) -> None:
        state = self.conv.state
        if state == ASK:
            return self.typed_answer(text)
        if state == CHOOSE_LANGUAGE and self.typed_language(text):
            return self.set_language(self.typed_language(text))
        if state == AWAIT_CODE:
            if self.use_code(text):
                return self.show_step(CONSENT)
            return self.out.messages.append(self.r.ask_code()) if self.conv.state == AWAIT_CODE else None
        if state in (CHOOSE_LANGUAGE, CONSENT, CONFIRM_DELETE, REVIEW):
            self.note(f"typed text in state {state}: asked to use the buttons")
            return self.say(gettext(self.locale, "Please tap one of the buttons above."))
        self.show_step(state)
