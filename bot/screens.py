"""What each state shows when the resident comes back to it (after /language, a cancelled
/delete, a reminder, a repeated /start): one small handler per state."""
from __future__ import annotations

from collections.abc import Callable

from . import messages as m
from .asking import Asker
from .context import Context
from .states import State


class Screens:
    def __init__(self, ctx: Context, asker: Asker) -> None:
        self.ctx = ctx
        self.handlers: dict[State, Callable[[], None]] = {
            State.NEW: lambda: ctx.say_to_anyone(m.SEND_START),
            State.CHOOSE_LANGUAGE: lambda: ctx.out.messages.append(ctx.r.language_chooser(ctx.locale, greet=False)),
            State.AWAIT_CODE: lambda: ctx.out.messages.append(ctx.r.ask_code()),
            State.CONSENT: lambda: ctx.out.messages.append(ctx.r.consent()),
            State.ASK: asker.ask_current,
            State.REVIEW: asker.ask_next,  # the review, or a question that appeared meanwhile (web answers)
            State.DONE: lambda: ctx.say(m.ALREADY_SUBMITTED),
        }

    def show(self, state: State) -> None:
        """Enter ``state`` and put its message on screen (stopped and confirm_delete show nothing)."""
        self.ctx.conv.state = state
        handler = self.handlers.get(state)
        if handler is not None:
            handler()
