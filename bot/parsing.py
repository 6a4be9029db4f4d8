"""Typed answers: what a resident may type instead of tapping a button.

Accepted for choice questions: the choice's number as shown on the buttons (1, 2, …) in
ASCII, full-width (１), Arabic-Indic (١) or Extended Arabic-Indic (Urdu, ۱) digits, or
the choice's text in any of the survey's languages (compared after NFKC, case folding
and removal of spaces and punctuation, so 「そう思う。」, "Agree" and "agree!" all match).
Multiple choice: several numbers or texts separated by commas (``,``, ``、``, ``，``, Urdu ``،``, ``;``, ``؛``),
or numbers separated by spaces. Numbers: a number with an optional unit word ("3人",
"3 people", "۳ افراد"); the question type validates the range.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from survey_app import numerals
from survey_app.instrument import Question

from .events import COMMANDS, Command, Start, Text

STOP_WORDS = frozenset({"stop", "/stop", "停止", "中止", "ストップ", "やめる", "やめます", "dừng", "dừng lại", "روکیں",
                        "روکو"})
_END_PUNCTUATION = ".!?。！？\u06d4\u061f"  # with the Urdu full stop ۔ and question mark ؟
_NUMBER_WITH_UNIT = re.compile(r"^([-+]?[0-9]+(?:[.,][0-9]+)?)\s*[^0-9]{0,20}$")

Labels = Mapping[int, Iterable[str]]  # choice code → its text in every language


def normalise(text: str) -> str:
    """NFKC, the accepted digits as ASCII (``survey_app.numerals``), trimmed: '１２' → '12', '۱۲' → '12'."""
    return numerals.to_ascii(unicodedata.normalize("NFKC", str(text)))


def match_key(text: str) -> str:
    """A comparison key: normalised, case-folded, without spaces, punctuation and symbols."""
    folded = normalise(text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PZSC")


def is_stop_word(text: str) -> bool:
    return normalise(text).casefold().rstrip(_END_PUNCTUATION).strip() in STOP_WORDS


def typed_event(text: str, language_code: str | None = None) -> Text | Start | Command:
    """What a typed message means, on every channel: ``/start CODE`` (the code may hold spaces),
    another command (an unknown one: help), or text. After NFKC, so the full-width slash a
    Japanese keyboard types (``／start``) is a slash; the engine decides what a bare code means."""
    folded = unicodedata.normalize("NFKC", text).strip()
    if not folded.startswith("/"):
        return Text(text, language_code)
    head, _, rest = folded.partition(" ")
    name = head.lstrip("/").split("@")[0].lower()  # /start@EbetsuSurveyBot in a group's menu
    if name == "start":
        return Start(rest.strip() or None, language_code)
    return Command(name if name in COMMANDS else "help", language_code)


def _as_position(text: str) -> int | None:
    """'2', '2.', '(2)', '2)' → 2 (the number shown in front of a choice)."""
    # Not NFKC: it would read a superscript or a circled digit as a plain one (survey_app.numerals).
    core = numerals.to_ascii(text).strip("().）（。۔ ")  # ۔: the Urdu full stop
    if core.startswith(("+", "-")):
        return None
    return numerals.parse_int(core, max_digits=3)


def match_choice(text: str, question: Question, labels: Labels) -> int | None:
    """The code of the single choice ``text`` names, or None if it names none (or several)."""
    codes = [c.code for c in question.choices]
    position = _as_position(text)
    if position is not None:
        return codes[position - 1] if 1 <= position <= len(codes) else None
    key = match_key(text)
    if not key:
        return None
    found = {code for code in codes for label in labels.get(code, ()) if match_key(label) == key}
    return found.pop() if len(found) == 1 else None


def match_choices(text: str, question: Question, labels: Labels) -> tuple[int, ...] | None:
    """The codes a multiple-choice reply names ('1, 3', '1 3', 'Parks、Schools'), or None."""
    single = match_choice(text, question, labels)
    if single is not None:
        return (single,)
    parts = numerals.split_list(normalise(text))
    if len(parts) == 1:
        words = parts[0].split()
        if len(words) > 1 and all(_as_position(w) is not None for w in words):
            parts = words
    if len(parts) < 2:
        return None
    codes = {match_choice(part, question, labels) for part in parts}
    if None in codes:
        return None
    return tuple(sorted(code for code in codes if code is not None))


def number_text(text: str) -> str:
    """The number in a typed reply, as text for the number type to validate ('۳ افراد' → '3').

    Without a recognisable number the normalised text is returned, and the question type
    reports it as not a number.
    """
    # Not NFKC (``10²`` would become ``102``); a unit word holding any other digit is no unit.
    normal = numerals.to_ascii(text)
    found = _NUMBER_WITH_UNIT.match(normal)
    if found is None or any(ch.isnumeric() for ch in normal[found.end(1):]):
        return normal
    return found.group(1)
