"""単純集計 (one table per question) and クロス集計 (closed questions × respondent groups).

Base rule (stated in the report's 調査方法): a question's base is every complete respondent to
whom it applied — all respondents, or those whose earlier answer showed it (``show_if``) —
so 無回答 is a row of its own and the rows of a single-choice table add up to the base
(counts to n, both percentage columns to 100). Multi-choice rows are shares of the base
(respondents, not answers), so they may add up to more than 100 %.

Weighted % uses the headline weights (:mod:`analysis.publication.data`): Σw of the row ÷ Σw
of the base. Cross tables show weighted row percentages within each group and the group's
unweighted n; a group with fewer than ``suppress_below`` respondents — or fewer than that many
answers that count (無回答 and "don't know"-kind choices do not: the base of the indicators'
breakdowns) — shows neither, and further groups are hidden until the total cannot give it back
(:mod:`analysis.suppression`, the rule of every other view); fewer than ``caution_below``
respondents is marked "interpret with caution".
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from analysis.breakdown import BY_LOCALE, short_label
from analysis.publication.data import ReportData
from analysis.result import Thresholds
from analysis.suppression import hidden_rows
from survey_app.i18n import locales
from survey_app.i18n.texts import InstrumentTexts
from survey_app.instrument import Question

BREAKDOWNS = ("age_band", "sex", "district", "nationality")
NO_ANSWER = None  # the code of the 無回答 row


@dataclass(frozen=True)
class FreqRow:
    code: int | float | None  # None: no answer
    label: str
    n: int
    pct: float
    wpct: float


@dataclass(frozen=True)
class FreqTable:
    number: int
    question: Question
    text: str
    base_n: int
    condition: str | None  # who was asked, when not everybody
    rows: tuple[FreqRow, ...]
    suppressed: bool = False  # fewer respondents than the threshold were asked: no row is printed

    @property
    def multi(self) -> bool:
        return self.question.kind.multiple


@dataclass(frozen=True)
class CrossRow:
    label: str
    n: int | None  # None: suppressed
    cells: tuple[float | None, ...]  # weighted row % per column
    flag: str | None


@dataclass(frozen=True)
class CrossTable:
    table: FreqTable
    by: str
    by_text: str
    columns: tuple[str, ...]
    rows: tuple[CrossRow, ...]  # the first row is the total


def fully_hidden(cross: CrossTable) -> bool:
    """Every group of the breakdown hidden: the table would repeat the total and show dashes
    (nearly everyone answered in Japanese, say, and the few others must not be recoverable)."""
    return all(row.n is None for row in cross.rows[1:])


def withheld(crosses: list[CrossTable]) -> tuple[tuple[str, int], ...]:
    """(breakdown, number of tables) left out of the report because :func:`fully_hidden`."""
    counts: dict[str, int] = {}
    for cross in crosses:
        if fully_hidden(cross):
            counts[cross.by_text] = counts.get(cross.by_text, 0) + 1
    return tuple(counts.items())


def applicable(data: ReportData, question: Question) -> np.ndarray:
    """Counted respondents (:attr:`ReportData.counted`) the question was shown to (``show_if``
    evaluated on the stored answers)."""
    condition = question.show_if
    if condition is None:
        return data.counted.copy()
    if condition.question in data.multi:
        shown = np.array([bool(chosen & condition.codes) for chosen in data.multi[condition.question]])
    else:
        shown = np.isin(data.frame.values(condition.question), list(condition.codes))
    return data.counted & shown


def _indicator_matrix(data: ReportData, question: Question) -> tuple[list[int | float | None], np.ndarray]:
    """(codes, boolean matrix respondents × codes) with a last column for 無回答; the rows are
    what the question's type summarises (its choice codes, or a number's distinct values)."""
    if question.kind.multiple:
        chosen = data.multi[question.id]
        codes = question.kind.summary_codes(question, ())
        matrix = np.array([[c in s for c in codes] + [not s] for s in chosen], dtype=bool).reshape(len(chosen), -1)
        return [*codes, NO_ANSWER], matrix
    values = data.frame.values(question.id)
    codes = question.kind.summary_codes(question, values)
    matrix = np.column_stack([values == c for c in codes] + [np.isnan(values)])
    return [*codes, NO_ANSWER], matrix


def _label(texts: InstrumentTexts, question: Question, code: int | float | None, no_answer: str) -> str:
    if code is None:
        return no_answer
    if question.choice_list is not None:
        return texts.label(question, int(code))
    return f"{code:g}"


def frequency_tables(data: ReportData, texts: InstrumentTexts, no_answer: str,
                     condition_text: Callable[[Question], str]) -> list[FreqTable]:
    """One table per single, scale, multi and number question, in questionnaire order."""
    tables = []
    for number, question in enumerate((q for q in data.instrument.questions if not q.kind.free_text), start=1):
        base = applicable(data, question)
        codes, matrix = _indicator_matrix(data, question)
        matrix = matrix & base[:, None]
        n_base, w_base = int(base.sum()), float(data.weights[base].sum())
        rows = []
        for j, code in enumerate(codes):
            hit = matrix[:, j]
            if code is NO_ANSWER and not hit.any():
                continue
            rows.append(FreqRow(code, _label(texts, question, code, no_answer), int(hit.sum()),
                                100.0 * hit.sum() / max(n_base, 1), 100.0 * data.weights[hit].sum() / max(w_base, 1e-12)))
        condition = condition_text(question) if question.show_if else None
        # a question asked of a handful (show_if) is a small group: its answers, one by one at n = 1
        small = 0 < n_base < data.options.thresholds.suppress_below
        tables.append(FreqTable(number, question, texts.question(question), n_base, condition,
                                () if small else tuple(rows), suppressed=small))
    return tables


def cross_tables(data: ReportData, tables: list[FreqTable], texts: InstrumentTexts, labels: dict[str, str],
                 thresholds: Thresholds) -> list[CrossTable]:
    """Every closed question × each breakdown question the survey has (age, sex, district, nationality),
    and × the language answered in when residents answered in more than one (an easy-Japanese or
    translated wording that shifts a question's meaning shows as a difference between languages)."""
    present = [qid for qid in BREAKDOWNS if data.instrument.has_question(qid)]
    if data.frame.locales is not None and len(set(data.frame.locales)) > 1:
        present.append(BY_LOCALE)
    out = []
    for table in tables:
        if not table.question.kind.has_choices:  # closed questions only
            continue
        codes, matrix = _indicator_matrix(data, table.question)
        base = applicable(data, table.question)
        if not (matrix[:, -1] & base).any():  # nobody left it unanswered: no 無回答 column
            codes, matrix = codes[:-1], matrix[:, :-1]
        for by in (b for b in present if b != table.question.id):
            out.append(_cross(data, table, codes, matrix, base, by, texts, labels, thresholds))
    return out


def _cross(data: ReportData, table: FreqTable, codes: list[int | float | None], matrix: np.ndarray,
           base: np.ndarray, by: str, texts: InstrumentTexts, labels: dict[str, str],
           thresholds: Thresholds) -> CrossTable:
    columns = tuple(_label(texts, table.question, c, labels["no_answer"]) for c in codes)
    rows = [_cross_row(labels["total"], base, matrix, data.weights, None)]
    groups = _groups(data, by, texts)
    members = [base & mask for _label_text, mask in groups]
    # Respondents in no group (the breakdown question left blank) are in the total row: protected
    # as one more group that is never printed (the total minus the rows would give them back).
    unlisted = base & ~np.logical_or.reduce([mask for _label_text, mask in groups] or [np.zeros(len(base), bool)])
    protected = [*members, unlisted]
    every = range(matrix.shape[1])
    # A group is protected both by its respondents (every column, 無回答 included) and by the answers
    # that count (not 無回答, not a "don't know"-kind choice: the base of the indicators' breakdowns).
    # By respondents alone, a group of 10 with one "don't know" was printed in full here, and its
    # answer split gave back the indicator every other view hid for its 9 valid answers. Hiding the
    # union keeps both safe: a group added to a safe hidden set leaves it safe.
    counted = [j for j in every if codes[j] is not NO_ANSWER and codes[j] not in _missing(table.question)]
    answered = matrix[:, counted].any(axis=1) if counted else np.zeros(len(matrix), dtype=bool)
    below = thresholds.suppress_below
    hidden = (hidden_rows([int(m.sum()) for m in protected],
                          [[int((m & matrix[:, j]).sum()) for j in every] for m in protected], below)
              | hidden_rows([int((m & answered).sum()) for m in protected],
                            [[int((m & matrix[:, j]).sum()) for j in counted] for m in protected], below))
    # And by each indicator's own split (positive or not), as the dashboard hides its groups: hidden
    # groups answering 1 and 2 were safe by column yet all "agree" — and the total gave that away.
    for indicator in (i for i in data.instrument.indicators if i.question == table.question.id):
        positive = [j for j in counted if codes[j] in indicator.positive]
        agree = matrix[:, positive].any(axis=1) if positive else np.zeros(len(matrix), dtype=bool)
        split = [[int((m & answered & agree).sum()), int((m & answered & ~agree).sum())] for m in protected]
        hidden |= hidden_rows([int((m & answered).sum()) for m in protected], split, below)
    for position, ((label, _mask), member) in enumerate(zip(groups, members, strict=True)):
        if position in hidden:
            rows.append(CrossRow(label, None, tuple(None for _ in range(matrix.shape[1])), "suppressed"))
        else:
            rows.append(_cross_row(label, member, matrix, data.weights, thresholds))
    return CrossTable(table, by, short_label(data.instrument, by, texts.locale), columns, tuple(rows))


def _missing(question: Question) -> frozenset[int]:
    """The question's "don't know"-kind choices, outside the base of its indicators."""
    return question.choice_list.missing_codes() if question.choice_list is not None else frozenset()


def _groups(data: ReportData, by: str, texts: InstrumentTexts) -> list[tuple[str, np.ndarray]]:
    """(label, respondents) per group of a breakdown: a question's choices, or the survey's languages
    (named in themselves, as residents chose them)."""
    if by == BY_LOCALE:
        assert data.frame.locales is not None  # cross_tables offers the breakdown only then
        answered_in = data.frame.locales
        return [(locales.native_name(tag), answered_in == tag) for tag in locales.offered(data.instrument.languages)]
    question = data.instrument.question(by)
    values = data.frame.values(by)
    return [(texts.label(question, choice), values == choice.code) for choice in question.choices]


def _cross_row(label: str, member: np.ndarray, matrix: np.ndarray, weights: np.ndarray,
               thresholds: Thresholds | None) -> CrossRow:
    n = int(member.sum())
    flag = thresholds.flag(n) if thresholds is not None else None
    if flag == "suppressed":
        return CrossRow(label, None, tuple(None for _ in range(matrix.shape[1])), flag)
    total = float(weights[member].sum())
    cells = tuple(100.0 * float(weights[member & matrix[:, j]].sum()) / total if total > 0 else None
                  for j in range(matrix.shape[1]))
    return CrossRow(label, n, cells, flag)
