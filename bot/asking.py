"""The questions: which one is next, putting it on screen, and taking its answer (tapped or typed).

The next question is always derived from the database: the first question (in instrument
order) that ``show_if`` makes visible for the answers given so far, that has no answer and
was not skipped. So a restarted bot, or a resident who began on the web, continues exactly
where the answers stop. When none is left, the review is shown (:class:`bot.review.Review`
takes its buttons).
"""
from __future__ import annotations

from typing import Any

from survey_app.instrument import REQUIRED_MESSAGE, Question

from . import callbacks, parsing
from . import messages as m
from .context import Context
from .events import TappedUpdate
from .render import all_labels
from .states import State
from .transitions import Trigger

MAX_HINTS = 2  # unrecognised replies answered with a hint before the buttons are shown again


class Asker:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # ------------------------------------------------------------ on screen
    def ask_next(self) -> None:
        answers = self.ctx.answers()
        question = self.next_question(answers)
        if question is None:
            return self.show_review(answers)
        self.present(question, answers)

    def ask_current(self) -> None:
        """The question on screen again (or the next one, if it was hidden or removed meanwhile)."""
        answers = self.ctx.answers()
        question = self.ctx.current_question()
        if question is None or not self.ctx.instrument.is_visible(question, answers):
            return self.ask_next()
        self.present(question, answers)

    def next_question(self, answers: dict[str, Any]) -> Question | None:
        skipped = set(self.ctx.conv.skipped)
        return next((q for q in self.ctx.visible(answers) if q.id not in answers and q.id not in skipped), None)

    def present(self, question: Question, answers: dict[str, Any]) -> None:
        conv, out = self.ctx.conv, self.ctx.out
        conv.state, conv.question_id = State.ASK, question.id
        conv.data["retries"] = 0
        given = answers.get(question.id)
        conv.data["selected"] = list(given) if question.kind.multiple and given else []
        shown = self.ctx.visible(answers)
        number = next(i for i, q in enumerate(shown, start=1) if q.id == question.id)
        out.close_keyboard = True
        out.messages.append(self.ctx.r.question(question, number, len(shown), conv.data["selected"]))

    def show_review(self, answers: dict[str, Any]) -> None:
        self.ctx.conv.state, self.ctx.conv.question_id = State.REVIEW, None
        self.ctx.out.close_keyboard = True
        self.ctx.out.messages.extend(self.ctx.r.review(self.ctx.visible(answers), answers))

    # ------------------------------------------------------------ answers
    def answered(self, question: Question, raw: Any, confirm: str | None) -> bool:
        """Record ``raw`` for ``question``; on success move on, else explain. True if stored.

        ``confirm`` is the tapped button's answer text (None for a typed answer).
        """
        ctx = self.ctx
        error = ctx.port.record(ctx.response_id, question.id, raw)
        if error is not None:
            ctx.note("an answer refused by its type")
            if confirm is not None:  # a tap: say it on the button
                ctx.notice(error.message, **error.params)
            else:
                self.retry(question, ctx.r.text(error.message, **error.params))
            return False
        ctx.because(Trigger.ANSWER)
        ctx.conv.set_skipped(question.id, False)
        ctx.note("answered")
        if confirm is not None:
            ctx.confirm(confirm, ticked=True)
        self.ask_next()
        return True

    def retry(self, question: Question, hint: str) -> None:
        """An unrecognised reply: a hint; after MAX_HINTS hints the question with its buttons again."""
        retries = int(self.ctx.conv.data.get("retries", 0)) + 1
        self.ctx.out.messages.append(self.ctx.r.message(hint))
        if retries > MAX_HINTS:
            self.present(question, self.ctx.answers())
        else:
            self.ctx.conv.data["retries"] = retries

    def skip(self, question: Question) -> None:
        self.ctx.because(Trigger.ANSWER)
        self.ctx.port.record(self.ctx.response_id, question.id, None)
        self.ctx.conv.set_skipped(question.id, True)
        self.ctx.note("skipped")
        self.ask_next()

    def skip_current(self) -> None:
        """/skip: leave the question on screen unanswered (a required one is asked again)."""
        question = self.ctx.current_question()
        if question is None:  # gone with a new instrument version: on to what the answers call for
            self.ctx.because(Trigger.ANSWER)
            return self.ask_next()
        if question.required:
            return self.retry(question, self.ctx.r.text(REQUIRED_MESSAGE))
        self.ctx.out.close_keyboard = True
        self.skip(question)

    # ------------------------------------------------------------ taps on question buttons
    def tap(self, cb: callbacks.Callback, question: Question) -> None:
        """A tap on the buttons of ``question``, which must be the one on screen."""
        current = self.ctx.current_question()
        if self.ctx.state != State.ASK or current is None or current.id != question.id:
            return self.ctx.stale(m.ALREADY_ANSWERED)
        if cb.kind == callbacks.ANSWER and cb.code is not None:
            return self.tap_answer(question, cb.code)
        if cb.kind == callbacks.TOGGLE and cb.code is not None:
            return self.toggle(question, cb.code)
        if cb.kind == callbacks.DONE:
            return self.finish_multiple(question)
        if cb.kind == callbacks.SKIP and not question.required:
            self.ctx.confirm(f"— {self.ctx.r.text(m.SKIPPED)}")
            return self.skip(question)
        self.ctx.stale(m.BUTTON_INVALID)

    def tap_answer(self, question: Question, code: int) -> None:
        if not is_choice(question, code):
            return self.ctx.stale(m.BUTTON_INVALID)
        self.answered(question, code, self.ctx.r.choice_label(question, code))

    def toggle(self, question: Question, code: int) -> None:
        """Tick or untick one choice; a 'missing' choice (Don't know) excludes the others."""
        if question.choice_list is None or not is_choice(question, code):
            return self.ctx.stale(m.BUTTON_INVALID)
        data = self.ctx.conv.data
        before = list(data.get("selected", []))
        selected = [c for c in before if c != code]
        if code not in before:
            exclusive = question.choice_list.missing_codes()
            selected = [c for c in selected if c not in exclusive] if code not in exclusive else []
            selected.append(code)
        data["selected"] = sorted(selected)
        self.ctx.note("toggled a choice")
        keyboard = self.ctx.r.message("", self.ctx.r.question_buttons(question, data["selected"])).buttons
        self.ctx.out.tapped = TappedUpdate(buttons=keyboard)

    def finish_multiple(self, question: Question) -> None:
        """"Done" under a multiple-choice question: record what is ticked."""
        selected = list(self.ctx.conv.data.get("selected", []))
        if not selected:
            self.ctx.note("done without a choice")
            return self.ctx.notice(m.CHOOSE_AT_LEAST_ONE)
        self.answered(question, selected, self.ctx.r.answer_text(question, tuple(selected)))

    # ------------------------------------------------------------ typed answers
    def typed(self, text: str) -> None:
        """A typed reply to the question on screen: a choice's number or words, a number, a text."""
        question = self.ctx.current_question()
        if question is None:  # gone with a new instrument version: on to what the answers call for
            self.ctx.because(Trigger.ANSWER)
            return self.ask_next()
        raw = self.typed_value(question, text)
        if raw is None:
            self.ctx.note("unrecognised reply")
            return self.retry(question, self.ctx.r.not_understood(question))
        # the question's keyboard goes once the answer is stored: a refused one (too long, out of range)
        # keeps it, or an optional question's Skip button was gone and only a typed /skip was left
        if self.answered(question, raw, None):
            self.ctx.out.close_keyboard = True

    def typed_value(self, question: Question, text: str) -> Any:
        """What ``text`` answers (None: no choice recognised); the question's type validates it."""
        kind = question.kind
        if kind.has_choices and question.choice_list is not None:
            labels = all_labels(self.ctx.instrument, question.choice_list.id)
            if kind.multiple:
                codes = parsing.match_choices(text, question, labels)
                return None if codes is None else list(codes)
            return parsing.match_choice(text, question, labels)
        return parsing.number_text(text) if kind.numeric else text


def is_choice(question: Question, code: int) -> bool:
    return question.choice_list is not None and question.choice_list.get(code) is not None
