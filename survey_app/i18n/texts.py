"""Instrument texts in one language (domain ``survey``, msgctxt = the id path).

The lookup key is msgctxt *and* the current Japanese wording, so a reworded question
never shows its old translation: until a translator confirms the new wording, the
resident sees the Japanese source (never English, never an id or a placeholder) and
a warning is logged once per process.
"""
from __future__ import annotations

import logging

from survey_app.instrument import Choice, ChoiceList, Indicator, Instrument, Question, Section

from .catalogs import get_translations

log = logging.getLogger(__name__)
DOMAIN = "survey"
_warned: set[tuple[str, str, str]] = set()


class InstrumentTexts:
    """``InstrumentTexts(instrument, 'vi').question(q)`` → the Vietnamese wording of ``q``.

    Methods accept the instrument's objects or their ids/codes.
    """

    def __init__(self, instrument: Instrument, locale: str) -> None:
        self.instrument = instrument
        self.locale = locale
        self.is_source = locale == instrument.source_language
        self._translations = None if self.is_source else get_translations(locale, DOMAIN)

    def _text(self, context: str, source: str) -> str:
        if self._translations is None or not source:  # the source language: its own words
            return source
        found = self._translations.find(source, context)
        if found is not None:
            return found
        key = (self.instrument.id, self.locale, context)
        if key not in _warned:
            _warned.add(key)
            log.warning("survey '%s': no %s translation for %s; showing the %s source",
                        self.instrument.id, self.locale, context, self.instrument.source_language)
        return source

    def title(self) -> str:
        return self._text("title", self.instrument.title)

    def privacy_notice(self) -> str:
        return self._text("privacy_notice", self.instrument.privacy_notice)

    def contact(self) -> str:
        return self._text("contact", self.instrument.contact)

    def section(self, section: Section | str) -> str:
        if isinstance(section, str):
            section = self.instrument.section(section)
        return self._text(f"section:{section.id}", section.title)

    def question(self, question: Question | str) -> str:
        question = self._question(question)
        return self._text(f"question:{question.id}", question.text)

    def short_name(self, question: Question | str) -> str:
        """What tables, notes and notices call a question (年齢 for age_band): its ``short_name``
        in this language, else its text. One name per question wherever staff read it."""
        question = self._question(question)
        if question.short_name:
            return self._text(f"short_name:{question.id}", question.short_name)
        return self.question(question)

    def hint(self, question: Question | str) -> str | None:
        question = self._question(question)
        return self._text(f"hint:{question.id}", question.hint) if question.hint else None

    def choice(self, choice_list: ChoiceList | str, choice: Choice | int) -> str:
        if isinstance(choice_list, str):
            choice_list = self.instrument.choice_lists[choice_list]
        if not isinstance(choice, Choice):
            found = choice_list.get(int(choice))
            if found is None:
                raise KeyError(f"choice list '{choice_list.id}' has no code {choice}")
            choice = found
        return self._text(f"choice:{choice_list.id}:{choice.code}", choice.text)

    def label(self, question: Question | str, choice: Choice | int) -> str:
        """The wording of one of ``question``'s choices; KeyError for a question that has no choices."""
        question = self._question(question)
        if question.choice_list is None:
            raise KeyError(f"question '{question.id}' has no choices")
        return self.choice(question.choice_list, choice)

    def indicator(self, indicator: Indicator | str) -> str:
        if isinstance(indicator, str):
            indicator = self.instrument.indicator(indicator)
        return self._text(f"indicator:{indicator.id}", indicator.title)

    def name_ids(self, text: str) -> str:
        """People read names, not ids: 「sex」 in an analysis notice becomes 「性別」 (a question's short
        name in the source language, else its text) and 「living」 the indicator's title. Only quoted
        ids are replaced (「」, '', “”), so words of the sentence are never touched."""
        names = {q.id: self.short_name(q) for q in self.instrument.questions}
        names.update({i.id: self.indicator(i) for i in self.instrument.indicators if i.id not in names})
        for key, name in names.items():
            if key in text:
                for left, right in (("'", "'"), ("「", "」"), ("\u201c", "\u201d")):
                    text = text.replace(f"{left}{key}{right}", f"{left}{name}{right}")
        return text

    def _question(self, question: Question | str) -> Question:
        return self.instrument.question(question) if isinstance(question, str) else question

    def all(self) -> dict[str, str]:
        """Every text of the instrument by msgctxt, in this language (for checks and exports)."""
        return {context: self._text(context, source) for context, source, _ in self.instrument.texts()}
