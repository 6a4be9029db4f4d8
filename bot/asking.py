"""The question-and-answer part of the engine: next question, taps, typed answers, review, submit.

The next question is always derived from the database: the first question (in instrument
order) that ``show_if`` makes visible for the answers given so far, that has no answer and
was not skipped. So a restarted bot, or a resident who began on the web, continues exactly
where the answers stop.
"""
from __future__ import annotations

from typing import Any

from survey_app.i18n.catalogs import gettext
from survey_app.instrument import Question
from survey_app.responses import ResumeNotFound

from . import callbacks, parsing
from .events import TappedUpdate
from .render import TICK, all_labels
from .states import ASK, DONE, REVIEW

MAX_HINTS = 2  # unrecognised replies answered with a hint before the buttons are shown again


class Asking:
    """Mixed into :class:`bot.engine.Turn` (uses its ``conv``, ``port``, ``out``, ``r``, ``say``)."""

    # ------------------------------------------------------------ where are we
    def answers(self) -> dict[str, Any]:
        found = self.port.answers(self.conv.response_id) if self.conv.response_id else None
        if found is None:
            raise ResumeNotFound()
        return found

    def visible(self, answers: dict[str, Any]) -> list[Question]:
        return list(self.instrument.visible_questions(answers))

    def next_question(self, answers: dict[str, Any]) -> Question | None:
        skipped = set(self.conv.skipped)
        return next((q for q in self.visible(answers) if q.id not in answers and q.id not in skipped), None)

    def current_question(self) -> Question | None:
        qid = self.conv.question_id
        return self.instrument.question(qid) if qid and self.instrument.has_question(qid) else None

    # ------------------------------------------------------------ asking
    def ask_next(self) -> None:
        answers = self.answers()
        question = self.next_question(answers)
        if question is None:
            return self.show_review(answers)
        self.present(question, answers)

    def ask_current(self) -> None:
        answers = self.answers()
        question = self.current_question()
        if question is None or not self.instrument.is_visible(question, answers):
            return self.ask_next()
        self.present(question, answers)

    def present(self, question: Question, answers: dict[str, Any]) -> None:
        conv = self.conv
        conv.state, conv.question_id = ASK, question.id
        conv.data["retries"] = 0
        given = answers.get(question.id)
        conv.data["selected"] = list(given) if question.type == "multi" and given else []
        shown = self.visible(answers)
        number = next(i for i, q in enumerate(shown, start=1) if q.id == question.id)
        self.out.close_keyboard = True
        self.out.messages.append(self.r.question(question, number, len(shown), conv.data["selected"]))

    def answered(self, question: Question, raw: Any, confirm: str | None) -> bool:
        """Record ``raw`` for ``question``; on success move on, else explain. True if stored."""
        error = self.port.record(self.conv.response_id, question.id, raw)
        if error is not None:
            self.note(f"answer to {question.id} refused by its type")
            if confirm is not None:  # a tap: say it on the button
                self.out.notice = gettext(self.locale, error.message, **error.params)
            else:
                self.retry(question, gettext(self.locale, error.message, **error.params))
            return False
        self.conv.set_skipped(question.id, False)
        self.note(f"answered {question.id}")
        if confirm is not None:
            self.out.tapped = TappedUpdate(confirm=f"{TICK} {confirm}")
        self.ask_next()
        return True

    def retry(self, question: Question, hint: str) -> None:
        """An unrecognised reply: a hint; after MAX_HINTS hints the question with its buttons again."""
        retries = int(self.conv.data.get("retries", 0)) + 1
        self.say(hint)
        if retries > MAX_HINTS:
            answers = self.answers()
            self.present(question, answers)
        else:
            self.conv.data["retries"] = retries

    def skip(self, question: Question) -> None:
        self.port.record(self.conv.response_id, question.id, None)
        self.conv.set_skipped(question.id, True)
        self.note(f"skipped {question.id}")
        self.ask_next()

    def skip_current(self) -> None:
        question = self.current_question()
        if question is None:
            return self.ask_next()
        if question.required:
            return self.retry(question, gettext(self.locale, "Please answer this question."))
        self.out.close_keyboard = True
        self.skip(question)

    # ------------------------------------------------------------ taps on question buttons
    def tap_question(self, cb: callbacks.Callback) -> None:
        question = callbacks.question_of(self.instrument, cb)
        if question is None:
            return self.stale(gettext(self.locale, "This button is no longer valid."))
        if cb.kind == callbacks.EDIT:
            return self.edit(question)
        current = self.current_question()
        if self.conv.state != ASK or current is None or current.id != question.id:
            return self.stale(gettext(self.locale, "This question has already been answered."))
        if cb.kind == callbacks.ANSWER and cb.code is not None:
            return self.tap_answer(question, cb.code)
        if cb.kind == callbacks.TOGGLE and cb.code is not None:
            return self.toggle(question, cb.code)
        if cb.kind == callbacks.DONE:
            return self.finish_multi(question)
        if cb.kind == callbacks.SKIP and not question.required:
            self.out.tapped = TappedUpdate(confirm=f"— {gettext(self.locale, 'Skipped')}")
            return self.skip(question)
        self.stale(gettext(self.locale, "This button is no longer valid."))

    def tap_answer(self, question: Question, code: int) -> None:
        if question.choice_list is None or question.choice_list.get(code) is None:
            return self.stale(gettext(self.locale, "This button is no longer valid."))
        self.answered(question, code, self.r.choice_label(question, code))

    def toggle(self, question: Question, code: int) -> None:
        """Tick or untick one choice; a 'missing' choice (Don't know) excludes the others."""
        if question.choice_list is None or question.choice_list.get(code) is None:
            return self.stale(gettext(self.locale, "This button is no longer valid."))
        selected = [c for c in self.conv.data.get("selected", []) if c != code]
        if code not in self.conv.data.get("selected", []):
            exclusive = question.choice_list.missing_codes()
            selected = [c for c in selected if c not in exclusive] if code not in exclusive else []
            selected.append(code)
        self.conv.data["selected"] = sorted(selected)
        self.note(f"toggled a choice of {question.id}")
        self.out.tapped = TappedUpdate(buttons=tuple(tuple(row) for row in self.r.message(
            "", self.r.question_buttons(question, self.conv.data["selected"])).buttons))

    def finish_multi(self, question: Question) -> None:
        selected = list(self.conv.data.get("selected", []))
        if not selected:
            self.note(f"done without a choice on {question.id}")
            self.out.notice = gettext(self.locale, "Choose at least one answer.")
            return
        self.answered(question, selected, self.r.answer_text(question, tuple(selected)))

    def edit(self, question: Question) -> None:
        if self.conv.state != REVIEW:
            return self.stale(gettext(self.locale, "This button is no longer valid."))
        answers = self.answers()
        if not self.instrument.is_visible(question, answers):
            return self.stale(gettext(self.locale, "This button is no longer valid."))
        self.out.tapped = TappedUpdate()
        self.note(f"changing {question.id}")
        self.present(question, answers)

    # ------------------------------------------------------------ typed answers
    def typed_answer(self, text: str) -> None:
        question = self.current_question()
        if question is None:
            return self.ask_next()
        if question.type in ("single", "scale"):
            code = parsing.match_choice(text, question, all_labels(self.instrument, question.choice_list.id))
            if code is None:
                return self.not_understood(question)
            return self.typed(question, code)
        if question.type == "multi":
            codes = parsing.match_choices(text, question, all_labels(self.instrument, question.choice_list.id))
            if codes is None:
                return self.not_understood(question)
            return self.typed(question, list(codes))
        raw = parsing.number_text(text) if question.type == "number" else text
        self.typed(question, raw)

    def typed(self, question: Question, raw: Any) -> None:
        self.out.close_keyboard = True
        self.answered(question, raw, None)

    def not_understood(self, question: Question) -> None:
        self.note(f"unrecognised reply to {question.id}")
        self.retry(question, self.r.not_understood(question))

    # ------------------------------------------------------------ review and submit
    def show_review(self, answers: dict[str, Any]) -> None:
        self.conv.state, self.conv.question_id = REVIEW, None
        self.out.close_keyboard = True
        self.out.messages.extend(self.r.review(self.visible(answers), answers))

    def tap_review(self, cb: callbacks.Callback) -> None:
        if self.conv.state != REVIEW:
            return self.stale(gettext(self.locale, "This button is no longer valid."))
        if cb.arg == "submit":
            return self.submit()
        self.out.tapped = TappedUpdate()
        if cb.arg == "change":
            return self.out.messages.append(self.r.change_picker(self.visible(self.answers())))
        self.show_review(self.answers())

    def submit(self) -> None:
        missing = self.port.submit(self.conv.response_id)
        if missing:
            self.note("submit refused: required answers missing")
            self.out.tapped = TappedUpdate()
            self.say(gettext(self.locale, "Please answer the required questions."))
            for qid in missing:
                self.conv.set_skipped(qid, False)
            return self.present(self.instrument.question(missing[0]), self.answers())
        self.conv.state, self.conv.question_id = DONE, None
        self.out.tapped = TappedUpdate(confirm=f"{TICK} {gettext(self.locale, 'Submit answers')}")
        self.note("submitted")
        self.say(gettext(self.locale, "Thank you! Your answers have been submitted. If you ever want them erased, "
                          "send /delete."))
