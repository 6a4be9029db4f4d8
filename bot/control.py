"""What the resident (or the channel) may do at any time: /stop, /delete, reminders, a vanished response."""
from __future__ import annotations

from . import callbacks
from . import messages as m
from .context import Context
from .screens import Screens
from .states import REMINDABLE, State
from .transitions import Trigger


class Control:
    def __init__(self, ctx: Context, screens: Screens) -> None:
        self.ctx, self.screens = ctx, screens

    # ------------------------------------------------------------ stop
    def stop(self) -> None:
        ctx = self.ctx
        if ctx.state == State.STOPPED:
            return ctx.note("stop repeated: ignored")
        ctx.because(Trigger.STOP)
        ctx.conv.state = State.STOPPED
        ctx.out.close_keyboard = True
        ctx.note("stopped by the resident")
        ctx.say(m.STOPPED)

    def blocked(self) -> None:
        """The channel says the resident blocked the bot: never write again (nothing is sent)."""
        self.ctx.because(Trigger.BLOCKED)
        self.ctx.conv.state = State.STOPPED
        self.ctx.note("blocked by the resident: stopped")

    # ------------------------------------------------------------ delete
    def ask_delete(self) -> None:
        ctx, conv = self.ctx, self.ctx.conv
        ctx.because(Trigger.DELETE)
        # from the language chooser: keep what /language interrupted ("keep my answers" then goes back
        # to the question, not to a chooser that had forgotten it and a second privacy notice)
        if conv.state not in (State.CONFIRM_DELETE, State.CHOOSE_LANGUAGE):
            conv.interrupted(conv.state)
        conv.state = State.CONFIRM_DELETE
        ctx.out.close_keyboard = True
        ctx.out.messages.append(ctx.r.confirm_delete())

    def tap_delete(self, cb: callbacks.Callback) -> None:
        if self.ctx.state != State.CONFIRM_DELETE:
            return self.ctx.stale(m.BUTTON_INVALID)
        if cb.arg == "y":
            return self.erase()
        self.keep()

    def keep(self) -> None:
        ctx = self.ctx
        ctx.because(Trigger.KEEP)
        ctx.confirm(ctx.r.text(m.KEEP))
        ctx.say(m.NOTHING_ERASED)
        self.screens.show(ctx.conv.resume() or State.NEW)

    def erase(self) -> None:
        ctx, conv = self.ctx, self.ctx.conv
        ctx.because(Trigger.ERASE)
        rid = conv.response_id
        # a letter's code stays used when sent answers are erased; an open respondent had none
        code_kept = rid is not None and ctx.port.status(rid) == "complete" and ctx.port.invited(rid)
        if rid is not None:
            ctx.port.delete(rid)
        ctx.confirm(ctx.r.text(m.ERASE))
        ctx.out.forget = True
        ctx.note("answers and conversation erased")
        # survey_app.responses.delete_response: a submitted response's code stays used
        ctx.say(m.ERASED_CODE_USED if code_kept else m.ERASED)
        conv.reset()

    # ------------------------------------------------------------ reminders and surprises
    def remind(self) -> None:
        ctx, conv = self.ctx, self.ctx.conv
        if conv.state not in REMINDABLE:
            return ctx.note(f"no reminder in state {conv.state}")
        status = ctx.port.status(conv.response_id) if conv.response_id else None
        if status != "partial":  # sent on the web meanwhile, or erased: nothing to nudge about, and nothing said
            ctx.note(f"no reminder: the response is {status or 'gone'}")
            if status == "complete":
                ctx.because(Trigger.SUBMITTED_ELSEWHERE)
                conv.state = State.DONE
            else:
                ctx.because(Trigger.LOST)
                conv.reset()
            return None
        ctx.because(Trigger.REMIND)
        conv.reminders_sent += 1
        ctx.note(f"reminder {conv.reminders_sent}")
        ctx.say(m.REMINDER)
        ctx.out.close_keyboard = True
        self.screens.show(conv.state)

    def lost(self) -> None:
        """The response vanished (erased elsewhere, purged): start from scratch, losing nothing else."""
        ctx = self.ctx
        ctx.because(Trigger.LOST)
        ctx.note("response no longer exists: conversation reset")
        ctx.conv.reset()
        ctx.out.messages = [ctx.r.message(ctx.r.text(m.SEND_START))]

    def submitted_elsewhere(self) -> None:
        """The response was submitted on another channel (the web) while this chat was open."""
        self.ctx.because(Trigger.SUBMITTED_ELSEWHERE)
        self.screens.show(State.DONE)
