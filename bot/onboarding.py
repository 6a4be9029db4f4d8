"""Before the first question: /start (with or without a code), the language, the code, the consent."""
from __future__ import annotations

from survey_app import responses
from survey_app.i18n.locales import native_name, offered

from . import callbacks, parsing
from . import messages as m
from .asking import Asker
from .context import Context
from .events import TappedUpdate
from .screens import Screens
from .states import State
from .transitions import Trigger


class Onboarding:
    def __init__(self, ctx: Context, asker: Asker, screens: Screens) -> None:
        self.ctx, self.asker, self.screens = ctx, asker, screens

    # ------------------------------------------------------------ /start
    def start(self, payload: str | None) -> None:
        """/start [CODE]: continue what exists (submitted, consented, code accepted), else greet."""
        ctx, conv = self.ctx, self.ctx.conv
        ctx.because(Trigger.START)
        status = ctx.port.status(conv.response_id) if conv.response_id else None
        if conv.response_id and status is None:  # erased meanwhile: start afresh
            conv.reset()
        if status == "complete" or (conv.state == State.DONE and conv.response_id):
            return self.screens.show(State.DONE)
        if status == "partial" and conv.data.get("consented"):
            if payload:
                ctx.note("start payload ignored: this chat already has a response")
            ctx.say(m.WELCOME_BACK)
            return self.asker.ask_next()
        if conv.response_id:  # a code was accepted, but no consent yet
            interrupted = conv.state in (State.STOPPED, State.CONFIRM_DELETE)
            return self.screens.show(State.CONSENT if interrupted else conv.state)
        conv.reset()
        if payload:
            self.use_code(payload, first=True)
            if conv.state == State.DONE:  # the code was used already
                return
        conv.state = State.CHOOSE_LANGUAGE
        ctx.out.messages.append(ctx.r.language_chooser(ctx.suggested, greet=True))

    def use_code(self, code: str, first: bool = False) -> bool:
        """Start the response of an invitation code; on a problem say what is wrong.

        ``first``: the code came with /start, so a used code ends the conversation at once.
        """
        ctx = self.ctx
        try:
            rid, resumed = ctx.port.start(code, ctx.locale)
        except responses.CodeProblem as problem:
            ctx.note(f"invitation code refused ({problem.kind})")
            ctx.say(problem.message)
            if problem.kind == "used" and first:
                ctx.conv.state = State.DONE
            elif first and ctx.instrument.allow_open:
                ctx.say(m.NO_CODE_NEEDED)
            return False
        ctx.conv.response_id = rid
        ctx.note("invitation code accepted" + (" (continuing a started response)" if resumed else ""))
        return True

    def typed_code(self, text: str) -> None:
        if self.use_code(text):
            self.ctx.because(Trigger.CODE)
            return self.screens.show(State.CONSENT)
        self.ctx.out.messages.append(self.ctx.r.ask_code())

    # ------------------------------------------------------------ language
    def choose_language(self) -> None:
        """/language: the chooser; the tap returns to where the resident was (even when stopped)."""
        ctx, conv = self.ctx, self.ctx.conv
        ctx.because(Trigger.LANGUAGE)
        if conv.state not in (State.NEW, State.CHOOSE_LANGUAGE, State.CONFIRM_DELETE):
            conv.interrupted(conv.state)  # from confirm_delete: keep what /delete interrupted
        conv.state = State.CHOOSE_LANGUAGE
        ctx.out.close_keyboard = True
        ctx.out.messages.append(ctx.r.language_chooser(ctx.locale, greet=False))

    def tap_language(self, cb: callbacks.Callback) -> None:
        if cb.arg not in offered(self.ctx.instrument.languages):
            return self.ctx.stale(m.BUTTON_INVALID)
        self.set_language(cb.arg)

    def typed_language(self, text: str) -> None:
        """A language typed instead of tapped (its native name or its code)."""
        key = parsing.match_key(text)
        for locale in offered(self.ctx.instrument.languages):
            if key in (parsing.match_key(native_name(locale)), locale):
                return self.set_language(locale)
        self.ctx.use_the_buttons()

    def set_language(self, locale: str) -> None:
        ctx, conv = self.ctx, self.ctx.conv
        ctx.because(Trigger.LANGUAGE_CHOSEN)
        conv.locale = locale
        if conv.response_id:
            ctx.port.set_locale(conv.response_id, locale)
        ctx.confirm(native_name(locale), ticked=True)
        # From the chooser: back where /language came from, or onwards. An older chooser tapped
        # elsewhere: the language changes, the screen stays.
        chooser = conv.state == State.CHOOSE_LANGUAGE
        target = (conv.resume() or self.after_language()) if chooser else conv.state
        ctx.note(f"language {locale}")
        self.screens.show(target)

    def after_language(self) -> State:
        open_or_coded = self.ctx.conv.response_id or self.ctx.instrument.allow_open
        return State.CONSENT if open_or_coded else State.AWAIT_CODE

    # ------------------------------------------------------------ consent
    def tap_consent(self, cb: callbacks.Callback) -> None:
        if self.ctx.state != State.CONSENT:
            return self.ctx.stale(m.BUTTON_INVALID)
        if cb.arg == "y":
            return self.agree()
        self.decline()

    def decline(self) -> None:
        ctx = self.ctx
        ctx.because(Trigger.DECLINE)
        ctx.confirm(ctx.r.text(m.DECLINE))
        ctx.conv.state = State.STOPPED
        ctx.note("consent declined")
        ctx.say(m.DECLINED)

    def agree(self) -> None:
        ctx, conv = self.ctx, self.ctx.conv
        ctx.because(Trigger.AGREE)
        if not conv.response_id:
            try:
                conv.response_id, _ = ctx.port.start(None, ctx.locale)
            except responses.OpenLinkRefused as refused:
                ctx.out.tapped = TappedUpdate()
                ctx.say(refused.message)
                return self.screens.show(State.AWAIT_CODE)
        ctx.confirm(ctx.r.text(m.AGREE))
        conv.data["consented"] = True
        ctx.note("consent given")
        self.asker.ask_next()
