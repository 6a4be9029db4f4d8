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
from . import messages as m
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
    def text(self, msgid: str, **params: Any) -> str:
        """An interface text (:mod:`bot.messages`) in this locale, not yet made ready for chat."""
        return gettext(self.locale, msgid, **params)

    def message(self, text: str, buttons: Sequence[Sequence[Button]] = ()) -> Message:
        rows = tuple(tuple(Button(self.chat_text(b.label), b.data) for b in row) for row in buttons)
        return Message(self.chat_text(text), rows)

    def chat_text(self, text: str) -> str:
        """Chat has no ruby: readings in parentheses (漢字（かんじ）), then Urdu isolates."""
        return bidi.for_locale(self.locale, ruby.to_chat(text))

    def button(self, label: str, kind: str, arg: str = "", code: int | None = None) -> Button:
        return Button(label, callbacks.encode(self.instrument, kind, arg, code))

    def choice_label(self, question: Question, code: int) -> str:
        if question.choice_list is None:
            raise KeyError(f"question '{question.id}' has no choices")
        return self.texts.choice(question.choice_list, code)

    def answer_text(self, question: Question, value: Any) -> str:
        """An answer as the resident would read it (labels for codes, the number, the text)."""
        return question.kind.format_answer(question, value, self.texts.choice, separator=self.list_separator())

    def list_separator(self) -> str:
        info = locales.info(self.locale)
        return "、" if info is not None and info.script == "Jpan" else ", "

    # ------------------------------------------------------------ language and consent
    def language_chooser(self, suggested: str, greet: bool) -> Message:
        ordered = [suggested, *[loc for loc in offered(self.instrument.languages) if loc != suggested]]
        rows = [[self.button(f"{TICK} {native_name(loc)}" if loc == suggested else native_name(loc),
                             callbacks.LANGUAGE, loc)] for loc in ordered]
        hello = self.text(m.HELLO, title=self.texts.title()) + "\n\n" if greet else ""
        return self.message(hello + self.text(m.CHOOSE_LANGUAGE), rows)

    def consent(self) -> Message:
        text = "\n\n".join([
            self.texts.privacy_notice(),
            self.text(m.CONTACT, contact=self.texts.contact()),
            self.text(m.AGREE_QUESTION),
        ])
        return self.message(text, [[self.button(self.text(m.AGREE), callbacks.CONSENT, "y")],
                                   [self.button(self.text(m.DECLINE), callbacks.CONSENT, "n")]])

    def ask_code(self) -> Message:
        return self.message(self.text(m.TYPE_CODE))

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
        return self.text(question.kind.chat_instruction)

    def question_buttons(self, question: Question, selected: Sequence[int] = ()) -> list[list[Button]]:
        rows: list[list[Button]] = []
        multiple = question.kind.multiple
        for position, choice in enumerate(question.choices, start=1):
            label = f"{position}. {self.choice_label(question, choice.code)}"
            if multiple:
                mark = f"{TICK} " if choice.code in selected else ""
                rows.append([self.button(mark + label, callbacks.TOGGLE, question.id, choice.code)])
            else:
                rows.append([self.button(label, callbacks.ANSWER, question.id, choice.code)])
        last = []
        if multiple:
            last.append(self.button(self.text(m.DONE), callbacks.DONE, question.id))
        if not question.required:
            last.append(self.button(self.text(m.SKIP), callbacks.SKIP, question.id))
        if last:
            rows.append(last)
        return rows

    def not_understood(self, question: Question) -> str:
        """The hint after a reply that names no choice (how to answer, for a type without its own)."""
        kind = question.kind
        return self.text(kind.chat_not_understood or kind.chat_instruction)

    # ------------------------------------------------------------ review
    def review(self, questions: Sequence[Question], answers: Mapping[str, Any]) -> list[Message]:
        lines = [self.text(m.CHECK_ANSWERS)]
        for number, question in enumerate(questions, start=1):
            value = answers.get(question.id)
            shown = self.text(m.SKIPPED) if value is None else self.answer_text(question, value)
            lines.append(f"{number}. {shorten(self.texts.question(question))}\n    → {shown}")
        buttons = [[self.button(self.text(m.SUBMIT), callbacks.REVIEW, "submit")],
                   [self.button(self.text(m.CHANGE), callbacks.REVIEW, "change")]]
        chunks = split_text("\n".join(lines))
        return [self.message(chunk) for chunk in chunks[:-1]] + [self.message(chunks[-1], buttons)]

    def change_picker(self, questions: Sequence[Question]) -> Message:
        numbers = [self.button(str(n), callbacks.EDIT, q.id) for n, q in enumerate(questions, start=1)]
        rows = [numbers[i:i + 5] for i in range(0, len(numbers), 5)]
        rows.append([self.button(self.text(m.BACK), callbacks.REVIEW, "back")])
        return self.message(self.text(m.WHICH_ANSWER), rows)

    # ------------------------------------------------------------ delete
    def confirm_delete(self) -> Message:
        return self.message(self.text(m.CONFIRM_DELETE), [[self.button(self.text(m.ERASE), callbacks.DELETE, "y")],
                                                          [self.button(self.text(m.KEEP), callbacks.DELETE, "n")]])

    def help(self) -> Message:
        return self.message(self.text(m.HELP, title=self.texts.title()))


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
