"""Reading the weighting questions the way a city's spreadsheet writes them.

A sampling frame or a margins file from the 住民基本台帳 system says 「年齢,性別,地区」 and 「30〜39歳」
「男性」「野幌地区」, not ``age_band,sex,district`` and ``2,1,2``. Both are accepted:

- a column (or a margin's dimension) may be named by the question's id, its ``short_name`` in the
  instrument (年齢), or its full question text in any of the instrument's languages;
- a cell may be a choice code or the choice's label in any of the instrument's languages.

Comparison is on a normalised form (:func:`normalise`): NFKC (full-width letters and digits become
half-width), every wave dash, tilde and dash variant becomes ``~`` (〜, ～, ~, ‐, －, –, —), spaces are
removed and Latin letters are case-folded — so 「３０～３９歳」 and 「30〜39歳」 are the same label.
A label that two choices share after normalisation is ambiguous and never matched silently.
"""
from __future__ import annotations

import re
import unicodedata

from survey_app import numerals
from survey_app.i18n import locales
from survey_app.i18n.texts import InstrumentTexts
from survey_app.instrument import Instrument, Question

_DASHES = re.compile("[\u301c\uff5e~\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\u30fc-]")
_SPACES = re.compile(r"[\s\u3000]+")


def normalise(text: str) -> str:
    """The form labels and headers are compared in (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text or "").replace("\ufeff", "")
    return _SPACES.sub("", _DASHES.sub("~", text)).casefold()


class StratumColumns:
    """Header and cell resolver for one instrument's weighting questions."""

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.questions = instrument.weighting_questions()
        words = [InstrumentTexts(instrument, lang) for lang in instrument.languages]
        self._headers: dict[str, str] = {}
        self._labels: dict[str, dict[str, int | None]] = {}
        for q in self.questions:
            names = {q.id, q.short_name or "", *(w.question(q) for w in words)}
            for name in filter(None, names):
                self._headers[normalise(name)] = q.id
            labels: dict[str, int | None] = {}
            for choice in q.choices:
                for w in words:
                    key = normalise(w.label(q, choice))
                    # Two choices with one label: refuse the label rather than guess.
                    labels[key] = choice.code if labels.get(key, choice.code) == choice.code else None
            self._labels[q.id] = labels

    def column(self, header: str) -> str | None:
        """The weighting question a header names, or None."""
        return self._headers.get(normalise(header))

    def rename(self, header: list[str]) -> list[str]:
        """Header cells mapped to question ids where they name one; others are left as they are."""
        return [self.column(h) or h for h in header]

    def code(self, qid: str, value: str) -> int | None:
        """The choice code a cell means (a code or a label), or None when it means none."""
        question = self.instrument.question(qid)
        code = numerals.parse_int(value or "")  # the one home for typed digits (full-width, Urdu…)
        if code is not None:
            return code if any(c.code == code for c in question.choices) else None
        return self._labels[qid].get(normalise(value))

    def choices_hint(self, qid: str, locale: str = locales.DEFAULT) -> str:
        """「1=18〜29歳, 2=30〜39歳, …」 for error messages: what the cell may say."""
        question = self.instrument.question(qid)
        words = InstrumentTexts(self.instrument, locale if locale in self.instrument.languages
                                else self.instrument.source_language)
        return ", ".join(f"{c.code}={words.label(question, c)}" for c in question.choices)

    def display_name(self, question: Question) -> str:
        """The column name templates use: the short name, or the id."""
        return question.short_name or question.id


_CACHE: dict[tuple[str, str], StratumColumns] = {}


def for_instrument(instrument: Instrument) -> StratumColumns:
    """One resolver per instrument version (building one reads every language's catalog)."""
    key = (instrument.id, instrument.content_hash)
    if key not in _CACHE:
        if len(_CACHE) > 32:
            _CACHE.clear()
        _CACHE[key] = StratumColumns(instrument)
    return _CACHE[key]
