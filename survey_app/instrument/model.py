"""Immutable instrument objects: what a loaded survey definition *is*."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .types import QuestionType


@dataclass(frozen=True)
class Choice:
    code: int
    text: str
    missing: bool = False  # e.g. わからない: not a substantive answer


@dataclass(frozen=True)
class ChoiceList:
    id: str
    choices: tuple[Choice, ...]

    def codes(self) -> tuple[int, ...]:
        return tuple(c.code for c in self.choices)

    def get(self, code: int) -> Choice | None:
        return next((c for c in self.choices if c.code == code), None)

    def missing_codes(self) -> frozenset[int]:
        return frozenset(c.code for c in self.choices if c.missing)


@dataclass(frozen=True)
class ShowIf:
    question: str
    codes: frozenset[int]

    def holds(self, answers: Mapping[str, Any]) -> bool:
        value = answers.get(self.question)
        if value is None:
            return False
        if isinstance(value, (tuple, list, frozenset, set)):
            return bool(self.codes.intersection(value))
        return value in self.codes


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: str
    section_id: str
    line: int
    choice_list: ChoiceList | None = None
    required: bool = False
    hint: str | None = None
    show_if: ShowIf | None = None
    weighting: bool = False
    ordered: bool = False  # codes run in order (age bands): a sparse weighting cell merges with its neighbour
    minimum: float | None = None
    maximum: float | None = None
    decimals: int = 0  # digits a number answer may have after the point (0: whole numbers, as people count)
    max_length: int = 2000
    max_choices: int | None = None
    # What a city's spreadsheet calls this question, e.g. 年齢 for age_band (frame and margin headers).
    short_name: str | None = None

    @property
    def choices(self) -> tuple[Choice, ...]:
        return self.choice_list.choices if self.choice_list else ()

    @property
    def kind(self) -> QuestionType:
        """This question's entry in the type registry (what it is, how it parses)."""
        from .types import question_type  # types imports this module

        return question_type(self.type)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Target:
    value: float | None
    year: int | None


@dataclass(frozen=True)
class Published(Target):
    """A published survey figure (baseline or an earlier wave): the value and what is known of its precision.

    ``se`` is in percentage points like ``value``; otherwise ``n`` (with an optional design
    effect ``deff``, default 1) gives ``se = 100·sqrt(p(1−p)·deff/n)``. ``base`` (valid | all)
    and ``weighting`` (none | rake | …) say how it was computed; ``None`` means the source
    does not say.
    """

    se: float | None = None
    n: int | None = None
    deff: float | None = None
    base: str | None = None
    weighting: str | None = None

    def standard_error(self) -> float | None:
        """Standard error in percentage points, or ``None`` when the source gives no precision."""
        if self.se is not None:
            return self.se
        if self.n is None or self.value is None:
            return None
        p = self.value / 100.0
        return 100.0 * (p * (1 - p) * (self.deff or 1.0) / self.n) ** 0.5


@dataclass(frozen=True)
class Indicator:
    id: str
    question: str
    positive: frozenset[int]
    base: str  # "valid" | "all"
    title: str
    baseline: Published | None = None
    target: Target | None = None
    history: tuple[Published, ...] = ()  # published values of earlier waves, for trend charts


@dataclass(frozen=True)
class Instrument:
    id: str
    version: int
    title: str
    source_language: str
    languages: tuple[str, ...]
    privacy_notice: str
    contact: str
    choice_lists: Mapping[str, ChoiceList]
    sections: tuple[Section, ...]
    indicators: tuple[Indicator, ...]
    content_hash: str
    source_text: str = field(repr=False, default="")
    path: str = "<string>"
    allow_open: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "choice_lists", MappingProxyType(dict(self.choice_lists)))
        index = {q.id: q for s in self.sections for q in s.questions}
        object.__setattr__(self, "_questions", MappingProxyType(index))

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)

    def question(self, qid: str) -> Question:
        return self._questions[qid]  # type: ignore[attr-defined]

    def has_question(self, qid: str) -> bool:
        return qid in self._questions  # type: ignore[attr-defined]

    def section(self, sid: str) -> Section:
        return next(s for s in self.sections if s.id == sid)

    def indicator(self, iid: str) -> Indicator:
        return next(i for i in self.indicators if i.id == iid)

    def weighting_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.weighting)

    def is_visible(self, question: Question, answers: Mapping[str, Any]) -> bool:
        """``show_if`` evaluated on already-given answers (server side, for every channel)."""
        return question.show_if is None or question.show_if.holds(answers)

    def visible_questions(self, answers: Mapping[str, Any]) -> Iterator[Question]:
        return (q for q in self.questions if self.is_visible(q, answers))

    def skipped_but_answered(self, answers: Mapping[str, Any]) -> list[str]:
        """Questions holding an answer although the other answers skip them (``show_if``). The web and
        the bot never ask them; on paper a resident may answer anyway, and staff must see it."""
        visible = {q.id for q in self.visible_questions(answers)}
        return [q.id for q in self.questions if q.id not in visible and answers.get(q.id) not in (None, "", (), [])]

    def measurement(self) -> tuple:
        """What the answers mean: questions, choices, conditions and indicator definitions — not the
        metadata around them (targets, baselines, history, short names, contact, privacy wording)."""
        questions = tuple((q.id, q.type, q.text, q.hint, q.required, q.weighting, q.minimum, q.maximum, q.decimals,
                           q.max_choices, q.show_if and (q.show_if.question, tuple(sorted(q.show_if.codes))),
                           q.choice_list and tuple((c.code, c.text, c.missing) for c in q.choices))
                          for q in self.questions)
        indicators = tuple((i.id, i.question, tuple(sorted(i.positive)), i.base, i.title) for i in self.indicators)
        return self.id, self.languages, questions, indicators

    def texts(self) -> Iterator[tuple[str, str, str]]:
        """Every translatable text as (msgctxt, source text, translator comment)."""
        yield "title", self.title, "Survey title"
        yield "privacy_notice", self.privacy_notice, "Privacy notice shown before the first question"
        yield "contact", self.contact, "Whom residents contact about the survey"
        for cl in self.choice_lists.values():
            for c in cl.choices:
                yield f"choice:{cl.id}:{c.code}", c.text, f"Answer choice {c.code} of list '{cl.id}'"
        for s in self.sections:
            yield f"section:{s.id}", s.title, f"Section title ({s.id})"
            for q in s.questions:
                yield f"question:{q.id}", q.text, f"Question '{q.id}' ({q.type}) in section '{s.id}'"
                if q.hint:
                    yield f"hint:{q.id}", q.hint, f"Hint under question '{q.id}': {q.text}"
                if q.short_name:
                    yield (f"short_name:{q.id}", q.short_name,
                           f"Short name of question '{q.id}' in table titles and notes (one or two words): {q.text}")
        for ind in self.indicators:
            yield f"indicator:{ind.id}", ind.title, f"Indicator title, computed from question '{ind.question}'"
