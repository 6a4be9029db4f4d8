"""The analysis frame: one row per complete response, question ids as columns, codes as values.

Sources:

- :func:`frame_from_csv` — a header of question ids, choice codes (or numbers) in the cells,
  blank = no answer; optional design columns ``weight``, ``stratum``, ``psu``, ``fpc``.
  ``multi`` cells list codes separated by ``;``. Unknown columns are refused by name and
  a bad code by its line and question.
- :func:`frame_from_database` — the complete responses of a survey (codes per question),
  with the invitation stratum each invited response carries and the survey's invitations
  and its recorded sampling design (:mod:`survey_app.design`), from which
  :mod:`analysis.sampling` builds the design. Read through :mod:`survey_app.queries`
  (the core's read side), never from ORM tables here.

Each row also carries the language the resident answered in (``Frame.locales``, registry
tags; from the database, or a CSV's optional ``locale`` column), so indicators can be
broken down by it (:data:`analysis.breakdown.BY_LOCALE`): an easy-Japanese wording that
shifts a question's meaning shows up as a difference between languages.

Values are floats with NaN for "no answer"; only questions whose type is ``analysed``
(single choice, scale, number) become columns (free text never enters the analysis). Each
question's type reads its cells (``QuestionType.read_cell``), so a CSV cell is read as
the responses export writes it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from analysis.errors import AnalysisError
from survey_app import queries
from survey_app.csvio import CsvError, read_rows
from survey_app.design import RecordedDesign, recorded_design
from survey_app.i18n import locales as registry
from survey_app.instrument import Instrument, InvalidCell, Question

DESIGN_COLUMNS = ("weight", "stratum", "psu", "fpc")
LOCALE_COLUMN = "locale"


@dataclass(frozen=True)
class Frame:
    instrument: Instrument
    data: pd.DataFrame
    source: str
    design: dict[str, np.ndarray] = field(default_factory=dict)
    sampling: pd.DataFrame | None = None
    invitations: pd.DataFrame | None = None
    recorded: RecordedDesign | None = None
    locales: np.ndarray | None = None  # per row, the tag of the language answered in (None: not recorded)

    def __len__(self) -> int:
        return len(self.data)

    def invited_mask(self) -> np.ndarray:
        """Responses that came with a letter's code (the probability sample); all rows of a CSV frame."""
        if self.sampling is None or "_invited" not in self.sampling.columns:
            return np.ones(len(self), dtype=bool)
        return self.sampling["_invited"].to_numpy(dtype=bool)

    def subset(self, mask: np.ndarray) -> Frame:
        """The frame restricted to the rows in ``mask`` (design columns and strata follow)."""
        rows = np.flatnonzero(mask)
        sampling = None if self.sampling is None else self.sampling.iloc[rows].reset_index(drop=True)
        return replace(self, data=self.data.iloc[rows].reset_index(drop=True), sampling=sampling,
                       design={k: np.asarray(v)[rows] for k, v in self.design.items()},
                       locales=None if self.locales is None else self.locales[rows])

    def values(self, qid: str) -> np.ndarray:
        if qid not in self.data.columns:
            return np.full(len(self.data), np.nan)
        return self.data[qid].to_numpy(dtype=float)


def analysed_questions(instrument: Instrument) -> list[Question]:
    return [q for q in instrument.questions if q.kind.analysed]


def _empty_data(instrument: Instrument, n: int = 0) -> pd.DataFrame:
    return pd.DataFrame({q.id: np.full(n, np.nan) for q in analysed_questions(instrument)})


# ---------------------------------------------------------------- CSV

def _cell_value(question: Question, raw: str, line: int) -> float:
    """The frame value of a cell (NaN when blank); every question's cells are checked, analysed or not."""
    if not raw:
        return np.nan
    kind = question.kind
    try:
        value = kind.read_cell(question, raw)
    except InvalidCell as exc:
        raise CsvError(f"'{question.id}': {exc}", line) from None
    return kind.frame_value(value) if kind.analysed else np.nan


def frame_from_csv(source: bytes | str | Path, instrument: Instrument, encoding: str = "auto") -> Frame:
    """Read a responses CSV (see module docstring); raises CsvError naming the line."""
    questions = {q.id: q for q in instrument.questions}
    allowed = (*questions, *DESIGN_COLUMNS, LOCALE_COLUMN)
    columns: dict[str, list] = defaultdict(list)
    design: dict[str, list] = defaultdict(list)
    answered_in: list[str] = []
    n = 0
    header: list[str] | None = None
    for line, row in read_rows(source, required=(), allowed=allowed, encoding=encoding):
        header = header or [h for h in row if h]
        for qid in (h for h in header if h in questions):
            question = questions[qid]
            value = _cell_value(question, row[qid], line)
            if question.kind.analysed:
                columns[qid].append(value)
        for name in DESIGN_COLUMNS:
            if name in row:
                design[name].append(_design_value(name, row[name], line))
        if LOCALE_COLUMN in row:
            answered_in.append(_locale_value(row[LOCALE_COLUMN], line))
        n += 1
    if n == 0:
        raise AnalysisError("the responses file has no rows")
    data = _empty_data(instrument, n)
    for qid, values in columns.items():
        data[qid] = np.asarray(values, dtype=float)
    label = str(source) if isinstance(source, (str, Path)) and "\n" not in str(source) else "<csv>"
    return Frame(instrument, data, label, {k: np.asarray(v, dtype=object) for k, v in design.items()},
                 locales=np.asarray(answered_in, dtype=object) if answered_in else None)


def _locale_value(raw: str, line: int) -> str:
    """A tag of the language registry (such as vi or ja-x-easy); anything else is refused by its line."""
    tag = registry.match(raw)
    if raw.strip() and tag is not None and tag.lower() == raw.strip().lower():
        return tag
    raise CsvError(f"'{LOCALE_COLUMN}': '{raw}' is not a language tag ({', '.join(registry.supported())})", line)


def _design_value(name: str, raw: str, line: int) -> float | str:
    if raw == "":
        raise CsvError(f"the design column '{name}' is empty", line)
    if name in ("weight", "fpc"):
        try:
            value = float(raw)
        except ValueError:
            raise CsvError(f"'{name}': '{raw}' is not a number", line) from None
        if not np.isfinite(value) or value <= 0:
            raise CsvError(f"'{name}': {raw} must be a positive number", line)
        return value
    return raw


# ---------------------------------------------------------------- database

def frame_from_database(session: Session, instrument: Instrument) -> Frame:
    """Complete responses of the survey, their answers as codes, strata and invitations."""
    responses = queries.complete_responses(session, instrument.id)
    position = {r.id: i for i, r in enumerate(responses)}
    data = _empty_data(instrument, len(responses))
    if responses:
        wanted = [q.id for q in analysed_questions(instrument)]
        _fill_answers(data, position, queries.complete_values(session, instrument.id, wanted))
    strata = pd.DataFrame([r.stratum for r in responses], index=range(len(responses)))
    strata["_invited"] = [r.source == "invited" for r in responses]
    return Frame(instrument, data, instrument.id, sampling=strata, invitations=_invitations(session, instrument),
                 recorded=recorded_design(session, instrument.id),
                 locales=np.asarray([r.locale for r in responses], dtype=object))


def _fill_answers(data: pd.DataFrame, position: dict[int, int], rows: list[queries.StoredValue]) -> None:
    if not rows:
        return
    answers = pd.DataFrame(rows, columns=["response_id", "question_id", "code", "number"])
    answers["value"] = answers["code"].astype(float).fillna(answers["number"].astype(float))
    answers["row"] = answers["response_id"].map(position)
    for qid, part in answers.groupby("question_id"):
        column = data[qid].to_numpy(dtype=float).copy()
        column[part["row"].to_numpy()] = part["value"].to_numpy(dtype=float)
        data[qid] = column


def _invitations(session: Session, instrument: Instrument) -> pd.DataFrame:
    rows = queries.invitations(session, instrument.id)
    frame = pd.DataFrame([r.stratum for r in rows], index=range(len(rows)))
    frame["_undeliverable"] = [r.undeliverable for r in rows]
    return frame
