"""Instrument texts in one language (domain ``survey``, msgctxt = the id path).

The lookup key is msgctxt *and* the current Japanese wording, so a reworded question
never shows its old translation: until a translator confirms the new wording, the
resident sees the Japanese source (never English, never an id or a placeholder) and
a warning is logged once per process.
"""
from __future__ import annotations

import logging
import re

from survey_app.instrument import Choice, ChoiceList, Indicator, Instrument, Question, Section

from .catalogs import get_translations
from .locales import list_separator

log = logging.getLogger(__name__)
DOMAIN = "survey"
_warned: set[tuple[str, str, str]] = set()
# A cell as the analysis writes it in a notice: ``age_band=1``, a joint margin's ``age_band:sex=1:2``, a
# merge ``age_band=5→6`` (analysis.weighting.margins.Margin.label, analysis.fallback, analysis.sampling).
# A merged category is a range ``age_band=1..3`` (analysis.weighting.collapse).
_CODE = r"-?\d+(?:\.\.-?\d+)?"
_CELL = re.compile(rf"(?<![\w:])([A-Za-z_]\w*(?::[A-Za-z_]\w*)*)=({_CODE}(?::{_CODE})*)(?:→(-?\d+))?(?![\w:.])")
_NAMED_GROUP = re.compile(r"(?<![\w:])([A-Za-z_]\w*)=(?=[^\s\d=])")


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
        ids are replaced (「」, '', “”), so words of the sentence are never touched; and cells
        (``age_band=1``, ``age_band:sex=1:2``, ``age_band=5→6``) are worded by :meth:`name_cells`."""
        text = self.name_cells(text)
        names = {q.id: self.short_name(q) for q in self.instrument.questions}
        names.update({i.id: self.indicator(i) for i in self.instrument.indicators if i.id not in names})
        for key, name in names.items():
            if key in text:
                for left, right in (("'", "'"), ("「", "」"), ("\u201c", "\u201d")):
                    text = text.replace(f"{left}{key}{right}", f"{left}{name}{right}")
        return text

    def name_cells(self, text: str) -> str:
        """``age_band=1`` → ``年齢=18〜29歳``; a joint cell's parts joined as a list in this language
        (``年齢=18〜29歳、性別=女性``); a merge ``年齢=70〜79歳→80歳以上``. A cell naming anything but
        a question with choices, or a code its list lacks, is left as the analysis wrote it."""
        text = _CELL.sub(self._cell_words, text)
        # a group already worded (``sex=女性``, analysis.breakdown): its question's name
        return _NAMED_GROUP.sub(lambda m: f"{self.short_name(m.group(1))}=" if self._has_choices(m.group(1))
                                else m.group(0), text)

    def _cell_words(self, match: re.Match[str]) -> str:
        dims, codes, merged_into = match.group(1).split(":"), match.group(2).split(":"), match.group(3)
        if len(dims) != len(codes) or not all(self._has_choices(dim) for dim in dims):
            return match.group(0)
        try:
            parts = [f"{self.short_name(dim)}={self._code_words(dim, code)}" for dim, code in zip(dims, codes, strict=True)]
            into = f"→{self.label(dims[0], int(merged_into))}" if merged_into and len(dims) == 1 else ""
        except KeyError:
            return match.group(0)
        if merged_into and not into:
            return match.group(0)
        return list_separator(self.locale).join(parts) + into

    def _code_words(self, question_id: str, code: str) -> str:
        """A choice's wording; a range ``1..3`` as the wordings of the choices it spans."""
        low, _, high = code.partition("..")
        if not high:
            return self.label(question_id, int(low))
        question = self.instrument.question(question_id)
        assert question.choice_list is not None  # _has_choices checked it
        spanned = [c for c in question.choice_list.choices if int(low) <= c.code <= int(high)]
        if not spanned:
            raise KeyError(code)
        return list_separator(self.locale).join(self.label(question, c) for c in spanned)

    def _has_choices(self, question_id: str) -> bool:
        return self.instrument.has_question(question_id) and self.instrument.question(question_id).choice_list is not None

    def _question(self, question: Question | str) -> Question:
        return self.instrument.question(question) if isinstance(question, str) else question

    def all(self) -> dict[str, str]:
        """Every text of the instrument by msgctxt, in this language (for checks and exports)."""
        return {context: self._text(context, source) for context, source, _ in self.instrument.texts()}
