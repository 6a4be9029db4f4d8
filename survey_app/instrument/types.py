"""Question-type registry (Indico style): each type parses and validates a raw value.
Rendering lives with each channel (web field templates, bot prompts),
which keep their own registries keyed by the same type names.

A raw value is what a channel received: a string, a list of strings (web multi),
or an int. ``parse`` returns the canonical value (int code, tuple of codes, float,
str) or raises :class:`InvalidAnswer` carrying an interface message (msgid + params)
that the channel translates into the resident's language.
"""
from __future__ import annotations

import math
import unicodedata
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from survey_app import numerals
from survey_app.i18n import N_

from .model import Question


class InvalidAnswer(ValueError):
    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


def _as_int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise InvalidAnswer(N_("Choose one of the answers."))
    if isinstance(raw, int):
        return raw
    code = numerals.parse_int(raw)
    if code is None:
        raise InvalidAnswer(N_("Choose one of the answers."))
    return code


class QuestionType(ABC):
    """One kind of question. Channels and analysis ask the type what it is (the flags
    below, and methods added here) instead of switching on its name."""

    name: ClassVar[str]
    has_choices: ClassVar[bool] = False  # answered by picking from a choice list
    multiple: ClassVar[bool] = False  # the answer is a set of codes (one frame column per choice)
    numeric: ClassVar[bool] = False  # the answer is a number typed by the resident
    free_text: ClassVar[bool] = False  # the answer is the resident's own words

    @abstractmethod
    def parse(self, question: Question, raw: Any) -> Any:
        """Return the canonical value of ``raw`` or raise InvalidAnswer."""

    def is_empty(self, raw: Any) -> bool:
        if raw is None:
            return True
        if isinstance(raw, (list, tuple)):
            return all(self.is_empty(r) for r in raw)
        return isinstance(raw, str) and not raw.strip()


class SingleChoice(QuestionType):
    name = "single"
    has_choices = True

    def parse(self, question: Question, raw: Any) -> int:
        code = _as_int(raw)
        if question.choice_list is None or question.choice_list.get(code) is None:
            raise InvalidAnswer(N_("Choose one of the answers."))
        return code


class ScaleQuestion(SingleChoice):
    """A rating scale: a single choice whose codes are ordered (e.g. 1-5)."""

    name = "scale"


class MultiChoice(QuestionType):
    name = "multi"
    has_choices = True
    multiple = True

    def parse(self, question: Question, raw: Any) -> tuple[int, ...]:
        items = raw if isinstance(raw, (list, tuple, set, frozenset)) else str(raw).split(",")
        codes = sorted({SingleChoice().parse(question, r) for r in items if str(r).strip()})
        if not codes:
            raise InvalidAnswer(N_("Choose at least one answer."))
        if question.max_choices and len(codes) > question.max_choices:
            raise InvalidAnswer(N_("Choose at most %(n)d answers."), n=question.max_choices)
        exclusive = question.choice_list.missing_codes() if question.choice_list else frozenset()
        if len(codes) > 1 and exclusive.intersection(codes):
            raise InvalidAnswer(N_("\"Don't know\" cannot be combined with other answers."))
        return tuple(codes)


class NumberQuestion(QuestionType):
    name = "number"
    numeric = True

    def parse(self, question: Question, raw: Any) -> float:
        value = numerals.parse_decimal(raw)
        if value is None or not math.isfinite(value):
            raise InvalidAnswer(N_("Enter a number, for example 3."))
        if question.minimum is not None and value < question.minimum:
            raise InvalidAnswer(N_("Enter a number of at least %(min)s."), min=_fmt(question.minimum))
        if question.maximum is not None and value > question.maximum:
            raise InvalidAnswer(N_("Enter a number of at most %(max)s."), max=_fmt(question.maximum))
        return value


class TextQuestion(QuestionType):
    name = "text"
    free_text = True

    def parse(self, question: Question, raw: Any) -> str:
        # Keep the resident's words as typed (NFC only). Drop control characters and bidi
        # overrides/isolates (they can make staff pages display text reordered), but keep
        # ZWNJ/ZWJ, which Urdu spelling and emoji need.
        text = unicodedata.normalize("NFC", str(raw)).strip()
        text = "".join(ch for ch in text if ch in "\n\t" or not _is_unsafe_char(ch))
        if len(text) > question.max_length:
            raise InvalidAnswer(N_("Please shorten your answer to %(n)d characters."), n=question.max_length)
        return text


_BIDI_CONTROLS = frozenset(chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def _is_unsafe_char(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs") or ch in _BIDI_CONTROLS


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


REGISTRY: dict[str, QuestionType] = {
    t.name: t for t in (SingleChoice(), MultiChoice(), ScaleQuestion(), NumberQuestion(), TextQuestion())
}


def question_type(name: str) -> QuestionType:
    return REGISTRY[name]


REQUIRED_MESSAGE = N_("Please answer this question.")
