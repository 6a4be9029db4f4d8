"""Question-type registry (Indico style): everything that differs between kinds of question
lives here, one class per type, so no other module switches on a type's name (a test greps).

A raw value is what a channel received: a string, a list of strings (web multi),
or an int. ``parse`` returns the canonical value (int code, tuple of codes, float,
str) or raises :class:`InvalidAnswer` carrying an interface message (msgid + params)
that the channel translates into the resident's language.

What a channel or the analysis asks a type (``question.kind``), instead of its name:

- what it is: ``has_choices``, ``multiple``, ``numeric``, ``free_text``, ``one_code``
  (a single code: indicators, breakdowns) and ``groups_residents`` (a weighting or
  breakdown variable);
- parsing and validation: ``is_empty``, ``parse``, ``form_value`` (a web form's posted
  strings), ``read_cell`` (an export cell back to the canonical value);
- storage and analysis: ``column`` and ``to_columns`` (the answers table), ``analysed``
  and ``frame_value`` (one float column of the analysis frame), ``export_cell``,
  ``summary_codes`` (the rows of a report's frequency table);
- display: ``answer_parts`` / ``format_answer`` (an answer in words, given a label
  function: the web review page and the chat bot), ``field_values`` (what a web field
  shows);
- per channel: ``field_template`` and ``input_type`` (web; template *names*, the core
  knows no Flask), ``paper`` (staff paper entry), ``chat_instruction`` and
  ``chat_not_understood`` (the bot's msgids: how to answer, and the reply to an
  answer it could not read).
"""
from __future__ import annotations

import math
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from survey_app import numerals
from survey_app.i18n import N_

from .model import Choice, ChoiceList, Question

# The answers table's value columns (survey_app.models.Answer): each type fills exactly one.
ANSWER_COLUMNS = ("code", "codes", "number", "text")
MAX_DECIMALS = 6  # digits after the point a number question may allow (instrument key ``decimals``)
CELL_SEPARATOR = ";"  # multi-choice codes in an export cell (a comma reads as a thousands separator)

ChoiceLabel = Callable[[ChoiceList, Choice], str]  # e.g. InstrumentTexts.choice
NumberText = Callable[[float], str]


class InvalidAnswer(ValueError):
    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


class InvalidCell(ValueError):
    """An export cell (CSV) that is no answer of its question; the message is for staff, in English."""


@dataclass(frozen=True)
class PaperEntry:
    """How staff key a type from a paper questionnaire."""

    hint: str  # msgid: what to type
    digits: bool  # keyed on a numeric keypad (inputmode=numeric)
    multiline: bool  # a text area (the resident's comments), not a one-line input


def plain_number(value: float) -> str:
    """3.0 as "3", 2.5 as "2.5" (no grouping: what a form field or a chat shows)."""
    return str(int(value)) if float(value).is_integer() else str(value)


def _as_int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise InvalidAnswer(N_("Choose one of the answers."))
    if isinstance(raw, int):
        return raw
    code = numerals.parse_int(raw)
    if code is None:
        raise InvalidAnswer(N_("Choose one of the answers."))
    return code


def _cell_code(question: Question, cell: str) -> int:
    code = numerals.parse_int(cell)  # full-width and Arabic-Indic digits read; other scripts' refused
    if code is None:
        raise InvalidCell(f"'{cell}' is not a choice code")
    if question.choice_list is None or question.choice_list.get(code) is None:
        codes = ", ".join(map(str, question.choice_list.codes() if question.choice_list else ()))
        raise InvalidCell(f"{code} is not a code of this question (codes: {codes})")
    return code


def _labels(question: Question, codes: Iterable[int], label: ChoiceLabel) -> list[str]:
    """Labels of the codes the question still offers (a stale code shows nothing)."""
    choice_list = question.choice_list
    if choice_list is None:
        return []
    known = (choice_list.get(c) for c in codes)
    return [label(choice_list, choice) for choice in known if choice is not None]


class QuestionType(ABC):
    """One kind of question. Channels and analysis ask the type what it is (the flags
    below) and what to do (the methods) instead of switching on its name."""

    name: ClassVar[str]
    has_choices: ClassVar[bool] = False  # answered by picking from a choice list
    multiple: ClassVar[bool] = False  # the answer is a set of codes (reports count each code per respondent)
    numeric: ClassVar[bool] = False  # the answer is a number typed by the resident
    free_text: ClassVar[bool] = False  # the answer is the resident's own words
    groups_residents: ClassVar[bool] = False  # a code naming a group of residents: may weight or break down
    analysed: ClassVar[bool] = False  # one float column of the analysis frame (free text and sets never are)
    column: ClassVar[str]  # the answers-table column that stores it (one of ANSWER_COLUMNS)
    field_template: ClassVar[str]  # web: the field's template under survey_app/web/templates
    input_type: ClassVar[str | None] = None  # web: the input type of each choice
    paper: ClassVar[PaperEntry]
    chat_instruction: ClassVar[str]  # msgid: how to answer in a chat
    chat_not_understood: ClassVar[str | None] = None  # msgid: a reply the bot could not match to a choice

    @property
    def one_code(self) -> bool:
        """The answer is one choice code (single choice or scale): indicators and breakdowns use these."""
        return self.has_choices and not self.multiple

    # ------------------------------------------------------------ parsing
    @abstractmethod
    def parse(self, question: Question, raw: Any) -> Any:
        """Return the canonical value of ``raw`` or raise InvalidAnswer."""

    def is_empty(self, raw: Any) -> bool:
        if raw is None:
            return True
        if isinstance(raw, (list, tuple)):
            return all(self.is_empty(r) for r in raw)
        return isinstance(raw, str) and not raw.strip()

    def form_value(self, posted: Sequence[str]) -> Any:
        """The raw value of a web field from every string posted under its name ("" = no answer)."""
        return posted[0] if posted else ""

    @abstractmethod
    def read_cell(self, question: Question, cell: str) -> Any:
        """The canonical value of a non-empty export cell (``export_cell``'s inverse); InvalidCell if not one."""

    # ------------------------------------------------------------ storage, export, analysis
    @abstractmethod
    def stored(self, value: Any) -> Any:
        """The canonical value as its answers-table column holds it."""

    def to_columns(self, value: Any) -> dict[str, Any]:
        """Every answer column: the type's own holds ``value``, the others None."""
        columns: dict[str, Any] = dict.fromkeys(ANSWER_COLUMNS)
        columns[self.column] = self.stored(value)
        return columns

    def export_cell(self, value: Any) -> int | float | str:
        """The value in a responses export (CSV or XLSX cell)."""
        return self.stored(value)

    def frame_value(self, value: Any) -> float:
        """The value in the analysis frame's float column (only for ``analysed`` types)."""
        raise TypeError(f"'{self.name}' answers are not a column of the analysis frame")

    def summary_codes(self, question: Question, observed: Iterable[float]) -> list[int | float]:
        """The rows of a frequency table: the choice codes, or the distinct values observed."""
        if question.choice_list is not None:
            return list(question.choice_list.codes())
        return sorted({float(v) for v in observed if not math.isnan(v)})

    # ------------------------------------------------------------ display
    @abstractmethod
    def answer_parts(self, question: Question, value: Any, label: ChoiceLabel,
                     number: NumberText = plain_number) -> list[str]:
        """An answer in words: one label per chosen code, or the number or text as given."""

    def format_answer(self, question: Question, value: Any, label: ChoiceLabel, separator: str = ", ",
                      number: NumberText = plain_number) -> str:
        """An answer on one line (the bot's review; ``separator`` is "、" in Japanese)."""
        return separator.join(self.answer_parts(question, value, label, number))

    def field_values(self, value: Any) -> set[str]:
        """What a web field shows for a stored answer: the checked codes or the typed text."""
        return {str(value)}


class SingleChoice(QuestionType):
    name = "single"
    has_choices = True
    groups_residents = True
    analysed = True
    column = "code"
    field_template = "survey/fields/choices.html"
    input_type = "radio"
    paper = PaperEntry(N_("one code"), digits=True, multiline=False)
    chat_instruction = N_("Tap your answer, or type its number.")
    chat_not_understood = N_("Sorry, I did not understand. Please tap one of the buttons, or type the number of "
                             "your answer.")

    def parse(self, question: Question, raw: Any) -> int:
        code = _as_int(raw)
        if question.choice_list is None or question.choice_list.get(code) is None:
            raise InvalidAnswer(N_("Choose one of the answers."))
        return code

    def read_cell(self, question: Question, cell: str) -> int:
        return _cell_code(question, cell)

    def stored(self, value: Any) -> int:
        return int(value)

    def frame_value(self, value: Any) -> float:
        return float(value)

    def answer_parts(self, question: Question, value: Any, label: ChoiceLabel,
                     number: NumberText = plain_number) -> list[str]:
        return _labels(question, (int(value),), label)


class ScaleQuestion(SingleChoice):
    """A rating scale: a single choice whose codes are ordered (e.g. 1-5). An opinion
    measured, not a group of residents. Stacked like a single choice on the web: never a grid."""

    name = "scale"
    groups_residents = False


class MultiChoice(QuestionType):
    name = "multi"
    has_choices = True
    multiple = True
    column = "codes"
    field_template = "survey/fields/choices.html"
    input_type = "checkbox"
    paper = PaperEntry(N_("codes separated by commas, e.g. 1,3"), digits=False, multiline=False)
    chat_instruction = N_("Tap every answer that applies, then tap “Done”. You can also type their numbers, "
                          "for example 1, 3.")
    chat_not_understood = N_("Sorry, I did not understand. Please tap the buttons, or type the numbers of your "
                             "answers separated by commas, for example 1, 3.")

    def parse(self, question: Question, raw: Any) -> tuple[int, ...]:
        items = raw if isinstance(raw, (list, tuple, set, frozenset)) else numerals.split_list(str(raw))
        codes = sorted({self._one(question, r) for r in items if str(r).strip()})
        if not codes:
            raise InvalidAnswer(N_("Choose at least one answer."))
        if question.max_choices and len(codes) > question.max_choices:
            raise InvalidAnswer(N_("Choose at most %(n)d answers."), n=question.max_choices)
        exclusive = question.choice_list.missing_codes() if question.choice_list else frozenset()
        if len(codes) > 1 and exclusive.intersection(codes):
            raise InvalidAnswer(N_("\"Don't know\" cannot be combined with other answers."))
        return tuple(codes)

    @staticmethod
    def _one(question: Question, item: Any) -> int:
        try:
            return SingleChoice().parse(question, item)
        except InvalidAnswer:  # "choose one of the answers" would say the question takes one
            raise InvalidAnswer(N_("'%(item)s' is not one of the answers: give their numbers, for example 1,3."),
                                item=str(item).strip()) from None

    def form_value(self, posted: Sequence[str]) -> list[str]:
        return list(posted)  # every ticked box; none ticked is an empty list

    def read_cell(self, question: Question, cell: str) -> tuple[int, ...]:
        return tuple(sorted({_cell_code(question, p) for p in numerals.split_list(cell.replace("|", CELL_SEPARATOR))}))

    def stored(self, value: Any) -> list[int]:
        return [int(c) for c in value]

    def export_cell(self, value: Any) -> str:
        return CELL_SEPARATOR.join(str(int(c)) for c in value)

    def answer_parts(self, question: Question, value: Any, label: ChoiceLabel,
                     number: NumberText = plain_number) -> list[str]:
        return _labels(question, value, label)

    def field_values(self, value: Any) -> set[str]:
        return {str(c) for c in value}


class NumberQuestion(QuestionType):
    name = "number"
    numeric = True
    analysed = True
    column = "number"
    field_template = "survey/fields/number.html"
    paper = PaperEntry(N_("a number"), digits=True, multiline=False)
    chat_instruction = N_("Please type a number.")

    def parse(self, question: Question, raw: Any) -> float:
        value = numerals.parse_decimal(raw, decimal_comma=True)  # typed by a resident: 2,5 is 2.5
        if value is None or not math.isfinite(value):
            raise InvalidAnswer(N_("Enter a number, for example 3."))
        if question.minimum is not None and value < question.minimum:
            raise InvalidAnswer(N_("Enter a number of at least %(min)s."), min=plain_number(question.minimum))
        if question.maximum is not None and value > question.maximum:
            raise InvalidAnswer(N_("Enter a number of at most %(max)s."), max=plain_number(question.maximum))
        if round(value, question.decimals) != value:
            raise _too_precise(question.decimals)
        return value

    def read_cell(self, question: Question, cell: str) -> float:
        value = numerals.parse_decimal(cell)
        if value is None:
            raise InvalidCell(f"'{cell}' is not a number")
        if not math.isfinite(value):
            raise InvalidCell(f"'{cell}' is not a finite number")
        return value

    def stored(self, value: Any) -> float:
        return float(value)

    def export_cell(self, value: Any) -> int | float:
        return int(value) if float(value).is_integer() else float(value)

    def frame_value(self, value: Any) -> float:
        return float(value)

    def answer_parts(self, question: Question, value: Any, label: ChoiceLabel,
                     number: NumberText = plain_number) -> list[str]:
        return [number(float(value))]

    def field_values(self, value: Any) -> set[str]:
        return {plain_number(float(value))}  # 3.0 is shown as "3"


def _too_precise(decimals: int) -> InvalidAnswer:
    """2.5 people: refused, not rounded (the resident may have meant 2 or 3). Steps, not "decimal
    places": the words then need no plural."""
    if decimals == 0:
        return InvalidAnswer(N_("Enter a whole number, for example 3."))
    return InvalidAnswer(N_("Enter a number in steps of %(step)s, for example %(example)s."),
                         step=f"{10 ** -decimals:.{decimals}f}", example="2." + "5".rjust(decimals, "2"))


class TextQuestion(QuestionType):
    name = "text"
    free_text = True
    column = "text"
    field_template = "survey/fields/text.html"
    paper = PaperEntry(N_("text as written"), digits=False, multiline=True)
    chat_instruction = N_("Please type your answer.")

    def parse(self, question: Question, raw: Any) -> str:
        # Keep the resident's words as typed (NFC only). Drop control characters and bidi
        # overrides/isolates (they can make staff pages display text reordered), but keep
        # ZWNJ/ZWJ, which Urdu spelling and emoji need.
        text = unicodedata.normalize("NFC", str(raw)).strip()
        text = "".join(ch for ch in text if ch in "\n\t" or not _is_unsafe_char(ch))
        if len(text) > question.max_length:
            raise InvalidAnswer(N_("Please shorten your answer to %(n)d characters."), n=question.max_length)
        return text

    def read_cell(self, question: Question, cell: str) -> str:
        return cell

    def stored(self, value: Any) -> str:
        return str(value)

    def answer_parts(self, question: Question, value: Any, label: ChoiceLabel,
                     number: NumberText = plain_number) -> list[str]:
        return [str(value)]


_BIDI_CONTROLS = frozenset(chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def _is_unsafe_char(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs") or ch in _BIDI_CONTROLS


REGISTRY: dict[str, QuestionType] = {
    t.name: t for t in (SingleChoice(), MultiChoice(), ScaleQuestion(), NumberQuestion(), TextQuestion())
}


def question_type(name: str) -> QuestionType:
    return REGISTRY[name]


REQUIRED_MESSAGE = N_("Please answer this question.")
