"""The review: every visible answer listed, "Submit answers", "Change an answer" and its number picker."""
from __future__ import annotations

from . import callbacks
from . import messages as m
from .asking import Asker
from .context import Context
from .states import State
from .transitions import Trigger


class Review:
    def __init__(self, ctx: Context, asker: Asker) -> None:
        self.ctx, self.asker = ctx, asker

    def tap(self, cb: callbacks.Callback) -> None:
        """A tap on the review's own buttons: submit, change (the number picker), back."""
        ctx = self.ctx
        if ctx.state != State.REVIEW:
            return ctx.stale(m.BUTTON_INVALID)
        if cb.arg == "submit":
            return self.submit()
        ctx.confirm()
        if cb.arg == "change":
            return ctx.out.messages.append(ctx.r.change_picker(ctx.visible(ctx.answers())))
        self.asker.show_review(ctx.answers())

    def edit(self, cb: callbacks.Callback) -> None:
        """A question's number tapped in the picker: that question again, with its answer."""
        ctx = self.ctx
        question = callbacks.question_of(ctx.instrument, cb)
        if ctx.state != State.REVIEW or question is None:
            return ctx.stale(m.BUTTON_INVALID)
        answers = ctx.answers()
        if not ctx.instrument.is_visible(question, answers):
            return ctx.stale(m.BUTTON_INVALID)
        ctx.because(Trigger.EDIT)
        ctx.confirm()
        ctx.note(f"changing {question.id}")
        self.asker.present(question, answers)

    def submit(self) -> None:
        ctx = self.ctx
        ctx.because(Trigger.SUBMIT)
        missing = ctx.port.submit(ctx.response_id)
        if missing:
            ctx.note("submit refused: required answers missing")
            ctx.confirm()
            ctx.say(m.REQUIRED_MISSING)
            for qid in missing:
                ctx.conv.set_skipped(qid, False)
            return self.asker.present(ctx.instrument.question(missing[0]), ctx.answers())
        ctx.conv.state, ctx.conv.question_id = State.DONE, None
        ctx.confirm(ctx.r.text(m.SUBMIT), ticked=True)
        ctx.note("submitted")
        ctx.say(m.SUBMITTED)
