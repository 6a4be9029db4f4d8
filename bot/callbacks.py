"""Callback data of inline buttons: ``kind|survey tag|version|question|code``, at most 64 bytes.

Every button names the survey (a 4-hex tag of its id) and the instrument version, so a tap
on a keyboard from another survey or an older version is recognised and ignored. Answer
buttons also carry the question id and the choice code, so a late tap on an old question
can never be recorded as the answer to the current one. Telegram allows 64 bytes; a
question id too long for that is replaced by its position (``#12``) in the instrument.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from survey_app.instrument import Instrument, Question

MAX_BYTES = 64

LANGUAGE = "L"   # arg: locale
CONSENT = "C"    # arg: y | n
ANSWER = "A"     # question, code
TOGGLE = "T"     # question, code (multiple choice)
DONE = "D"       # question (multiple choice finished)
SKIP = "S"       # question
REVIEW = "R"     # arg: submit | change | back
EDIT = "E"       # question (change this answer from the review)
DELETE = "X"     # arg: y | n
KINDS = frozenset({LANGUAGE, CONSENT, ANSWER, TOGGLE, DONE, SKIP, REVIEW, EDIT, DELETE})


def survey_tag(survey_id: str) -> str:
    return hashlib.sha256(survey_id.encode()).hexdigest()[:4]


@dataclass(frozen=True)
class Callback:
    kind: str
    tag: str
    version: int
    arg: str = ""     # question reference, or the argument of non-question kinds
    code: int | None = None


class BadCallback(ValueError):
    """Not one of our buttons (garbage, or a format this bot never produced)."""


def encode(instrument: Instrument, kind: str, arg: str = "", code: int | None = None) -> str:
    data = _join(instrument, kind, arg, code)
    if len(data.encode()) > MAX_BYTES and instrument.has_question(arg):
        data = _join(instrument, kind, f"#{_position(instrument, arg)}", code)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def _join(instrument: Instrument, kind: str, arg: str, code: int | None) -> str:
    parts = [kind, survey_tag(instrument.id), str(instrument.version), arg]
    if code is not None:
        parts.append(str(code))
    return "|".join(parts)


def _position(instrument: Instrument, qid: str) -> int:
    return next(i for i, q in enumerate(instrument.questions) if q.id == qid)


def _ascii_number(text: str) -> bool:
    """Digits as this module writes them: ASCII only (``str.isdigit`` also says yes to ``፩``)."""
    return text.isascii() and text.isdigit() and len(text) <= 12


def decode(data: str) -> Callback:
    parts = (data or "").split("|")
    if len(parts) not in (4, 5) or parts[0] not in KINDS or not _ascii_number(parts[2]):
        raise BadCallback(data)
    code = None
    if len(parts) == 5:
        if not _ascii_number(parts[4].removeprefix("-")):
            raise BadCallback(data)
        code = int(parts[4])
    return Callback(parts[0], parts[1], int(parts[2]), parts[3], code)


def question_of(instrument: Instrument, callback: Callback) -> Question | None:
    """The question a callback names (by id or ``#position``), or None."""
    ref = callback.arg
    if ref.startswith("#") and _ascii_number(ref[1:]):
        index = int(ref[1:])
        questions = instrument.questions
        return questions[index] if index < len(questions) else None
    return instrument.question(ref) if instrument.has_question(ref) else None


def belongs_to(instrument: Instrument, callback: Callback) -> bool:
    return callback.tag == survey_tag(instrument.id)


def is_current_version(instrument: Instrument, callback: Callback) -> bool:
    return callback.version == instrument.version
