"""The engine's messages in the resident's language (interface strings + instrument texts).

Every text passes :func:`bot.bidi.for_locale` last, so Urdu messages and buttons keep
Latin fragments and numbers in place. Long messages are split below the chat limit.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from survey_app.i18n import locales, ruby
from survey_app.i18n.catalogs import gettext
from survey_app.i18n.locales import native_name, offered
from survey_app.i18n.texts import InstrumentTexts
from survey_app.instrument import Instrument, Question

from . import bidi, callbacks
from .events import Button, Message

MAX_MESSAGE = 3800     # Telegram allows 4096 characters; leave room for isolates
REVIEW_TEXT_CHARS = 60  # question texts are shortened in the review list
TICK = "✓"


class Renderer:
    """Builds messages for one instrument in one locale."""

    def __init__(self, instrument: Instrument, locale: str) -> None:
        self.instrument, self.locale = instrument, locale
        self.texts = InstrumentTexts(instrument, locale)

    # ------------------------------------------------------------ helpers
    def message(self, text: str, buttons: Sequence[Sequence[Button]] = ()) -> Message:
        rows = tuple(tuple(Button(self.chat_text(b.label), b.data) for b in row) for row in buttons)
        return Message(self.chat_text(text), rows)

    def chat_text(self, text: str) -> str:
        """Chat has no ruby: readings in parentheses (漢字（かんじ）), then Urdu isolates."""
        return bidi.for_locale(self.locale, ruby.to_chat(text))

    def button(self, label: str, kind: str, arg: str = "", code: int | None = None) -> Button:
        return Button(label, callbacks.encode(self.instrument, kind, arg, code))

    def choice_label(self, question: Question, code: int) -> str:
        return self.texts.choice(question.choice_list, code)

    def answer_text(self, question: Question, value: Any) -> str:
        """An answer as the resident would read it (labels for codes, the number, the text)."""
        if question.type == "multi":
            return "、".join(self.choice_label(question, c) for c in value) if locales.info(self.locale) and locales.info(self.locale).script == "Jpan" else \
                ", ".join(self.choice_label(question, c) for c in value)
        if question.type in ("single", "scale"):
            return self.choice_label(question, value)
        if question.type == "number":
            return str(int(value)) if float(value).is_integer() else str(value)
        return str(value)

    # ------------------------------------------------------------ language and consent
    def language_chooser(self, suggested: str, greet: bool) -> Message:
        ordered = [suggested, *[loc for loc in offered(self.instrument.languages) if loc != suggested]]
        rows = [[self.button(f"{TICK} {native_name(loc)}" if loc == suggested else native_name(loc),
                             callbacks.LANGUAGE, loc)] for loc in ordered]
        # i18n: First message of the chat; %(title)s is the survey's title.
        hello = gettext(self.locale, "Hello! This is the survey “%(title)s”.", title=self.texts.title()) + "\n\n" if greet else ""
        # i18n: Above the language buttons (each language is named in itself).
        return self.message(hello + gettext(self.locale, "Please choose your language."), rows)

    def consent(self) -> Message:
        text = "\n\n".join([
            self.texts.privacy_notice(),
            # i18n: %(contact)s is the city office answering questions about the survey.
            gettext(self.locale, "Contact: %(contact)s", contact=self.texts.contact()),
            gettext(self.locale, "Do you agree to answer the survey on these terms?"),
        ])
        return self.message(text, [[self.button(gettext(self.locale, "Yes, start"), callbacks.CONSENT, "y")],
                                   [self.button(gettext(self.locale, "No, thank you"), callbacks.CONSENT, "n")]])

    def ask_code(self) -> Message:
        return self.message(gettext(self.locale,
            "Please type the invitation code from your letter, for example K7QF-3MZD-8WXP-R2TA."))

    # ------------------------------------------------------------ questions
    def question(self, question: Question, number: int, total: int, selected: Sequence[int] = ()) -> Message:
        section = self.texts.section(question.section_id)
        parts = [f"{section} ({number}/{total})", self.texts.question(question)]
        hint = self.texts.hint(question)
        if hint:
            parts.append(hint)
        if question.choice_list is not None:
            parts.append("\n".join(f"{i}. {self.choice_label(question, c.code)}"
                                   for i, c in enumerate(question.choices, start=1)))
        parts.append(self.instruction(question))
        return self.message("\n\n".join(parts), self.question_buttons(question, selected))

    def instruction(self, question: Question) -> str:
        if question.type == "multi":
            return gettext(self.locale, "Tap every answer that applies, then tap “Done”. You can also type their numbers, "
                          "for example 1, 3.")
        if question.type == "number":
            return gettext(self.locale, "Please type a number.")
        if question.type == "text":
            return gettext(self.locale, "Please type your answer.")
        return gettext(self.locale, "Tap your answer, or type its number.")

    def question_buttons(self, question: Question, selected: Sequence[int] = ()) -> list[list[Button]]:
        rows: list[list[Button]] = []
        for position, choice in enumerate(question.choices, start=1):
            label = f"{position}. {self.choice_label(question, choice.code)}"
            if question.type == "multi":
                mark = f"{TICK} " if choice.code in selected else ""
                rows.append([self.button(mark + label, callbacks.TOGGLE, question.id, choice.code)])
            else:
                rows.append([self.button(label, callbacks.ANSWER, question.id, choice.code)])
        last = []
        if question.type == "multi":
            # i18n: Button that finishes a multiple-choice question.
            last.append(self.button(gettext(self.locale, "Done"), callbacks.DONE, question.id))
        if not question.required:
            # i18n: Button that leaves an optional question unanswered.
            last.append(self.button(gettext(self.locale, "Skip"), callbacks.SKIP, question.id))
        if last:
            rows.append(last)
        return rows

    def not_understood(self, question: Question) -> str:
        if question.type == "multi":
            return gettext(self.locale, "Sorry, I did not understand. Please tap the buttons, or type the numbers of your "
                          "answers separated by commas, for example 1, 3.")
        return gettext(self.locale, "Sorry, I did not understand. Please tap one of the buttons, or type the number of "
                      "your answer.")

    # ------------------------------------------------------------ review
    def review(self, questions: Sequence[Question], answers: Mapping[str, Any]) -> list[Message]:
        lines = [gettext(self.locale, "Please check your answers:")]
        for number, question in enumerate(questions, start=1):
            value = answers.get(question.id)
            shown = gettext(self.locale, "Skipped") if value is None else self.answer_text(question, value)
            lines.append(f"{number}. {shorten(self.texts.question(question))}\n    → {shown}")
        buttons = [[self.button(gettext(self.locale, "Submit answers"), callbacks.REVIEW, "submit")],
                   [self.button(gettext(self.locale, "Change an answer"), callbacks.REVIEW, "change")]]
        chunks = split_text("\n".join(lines))
        return [self.message(chunk) for chunk in chunks[:-1]] + [self.message(chunks[-1], buttons)]

    def change_picker(self, questions: Sequence[Question]) -> Message:
        numbers = [self.button(str(n), callbacks.EDIT, q.id) for n, q in enumerate(questions, start=1)]
        rows = [numbers[i:i + 5] for i in range(0, len(numbers), 5)]
        rows.append([self.button(gettext(self.locale, "Back"), callbacks.REVIEW, "back")])
        return self.message(gettext(self.locale, "Which answer would you like to change? Tap its number."), rows)

    # ------------------------------------------------------------ delete
    def confirm_delete(self) -> Message:
        return self.message(
            gettext(self.locale, "Do you want to erase all your answers and this conversation? This cannot be undone."),
            [[self.button(gettext(self.locale, "Yes, erase everything"), callbacks.DELETE, "y")],
             [self.button(gettext(self.locale, "No, keep them"), callbacks.DELETE, "n")]])

    def help(self) -> Message:
        return self.message(gettext(self.locale,
            "This chat asks the questions of the survey “%(title)s”. Tap a button or type your answer.\n"
            "/language: change the language\n"
            "/skip: skip an optional question\n"
            "/stop: stop the survey and all messages\n"
            "/delete: erase your answers\n"
            "/help: show this help", title=self.texts.title()))


def shorten(text: str, limit: int = REVIEW_TEXT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split at line breaks into pieces of at most ``limit`` characters (a longer line is cut)."""
    chunks, current = [], ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            candidate = line
        current = candidate
    chunks.append(current)
    return chunks


_labels_cache: dict[tuple[str, str, str], dict[int, tuple[str, ...]]] = {}


def all_labels(instrument: Instrument, list_id: str) -> dict[int, tuple[str, ...]]:
    """Each choice's text in every supported language (typed answers may use any of them)."""
    key = (instrument.id, instrument.content_hash, list_id)
    if key not in _labels_cache:
        choice_list = instrument.choice_lists[list_id]
        _labels_cache[key] = {
            c.code: tuple(InstrumentTexts(instrument, loc).choice(choice_list, c) for loc in offered(instrument.languages))
            for c in choice_list.choices}
    return _labels_cache[key]
