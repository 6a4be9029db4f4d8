"""An in-memory :class:`bot.storage.AnswersPort` for engine unit tests (no database, no network).

It validates with ``survey_app.responses.validate`` — the same type rules the real write
path applies — and mirrors its ``show_if`` clean-up, so engine tests see realistic behaviour.
"""
from __future__ import annotations

from typing import Any

from survey_app import responses
from survey_app.instrument import Instrument, InvalidAnswer


class MemoryPort:
    def __init__(self, instrument: Instrument, allow_codes: dict[str, str] | None = None) -> None:
        self.instrument = instrument
        self.responses: dict[int, dict[str, Any]] = {}
        self.status_of: dict[int, str] = {}
        self.locales: dict[int, str] = {}
        self.code_problems = allow_codes or {}  # code → CodeProblem kind
        self.by_code: dict[str, int] = {}
        self.calls: list[tuple] = []

    def start(self, code: str | None, locale: str) -> tuple[int, bool]:
        self.calls.append(("start", code, locale))
        if code in self.code_problems:
            raise responses.CodeProblem(self.code_problems[code])
        if code is None and not self.instrument.allow_open:
            raise responses.OpenLinkRefused()
        if code in self.by_code:
            rid = self.by_code[code]
            if self.status_of[rid] == "complete":
                raise responses.CodeProblem("used")
            return rid, True
        rid = len(self.responses) + 1
        self.responses[rid], self.status_of[rid], self.locales[rid] = {}, "partial", locale
        if code:
            self.by_code[code] = rid
        return rid, False

    def answers(self, response_id: int) -> dict[str, Any] | None:
        found = self.responses.get(response_id)
        return None if found is None else dict(found)

    def status(self, response_id: int) -> str | None:
        return self.status_of.get(response_id)

    def invited(self, response_id: int) -> bool:
        return response_id in self.by_code.values()

    def record(self, response_id: int, question_id: str, raw: Any) -> InvalidAnswer | None:
        self.calls.append(("record", question_id, raw))
        if self.status_of.get(response_id) == "complete":
            raise responses.AlreadySubmitted()
        if response_id not in self.responses:
            raise responses.ResumeNotFound()
        values, errors = responses.validate(self.instrument, {question_id: raw})
        if question_id in errors:
            return errors[question_id]
        answers = self.responses[response_id]
        if values[question_id] is None:
            answers.pop(question_id, None)
        else:
            answers[question_id] = values[question_id]
        for q in self.instrument.questions:
            if q.id in answers and not self.instrument.is_visible(q, answers):
                answers.pop(q.id)
        return None

    def submit(self, response_id: int) -> list[str]:
        missing = responses.missing_required(self.instrument, self.responses[response_id])
        if not missing:
            self.status_of[response_id] = "complete"
        return missing

    def set_locale(self, response_id: int, locale: str) -> None:
        self.locales[response_id] = locale

    def delete(self, response_id: int) -> None:
        self.responses.pop(response_id, None)
        self.status_of.pop(response_id, None)
