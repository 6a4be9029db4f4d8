"""Population margins (from the resident register) for weighting.

CSV format ``dimension,category,count``. A joint margin joins its dimensions and its
categories with ``:`` — ``age_band:sex,3:1,4210``. Dimensions must be weighting
questions of the instrument and categories their choice codes; every dimension's
total must agree with the others (within 0.5%), otherwise raking has no solution.
Import replaces the survey's margins in one transaction: nothing is half-imported.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from survey_app import numerals
from survey_app.csvio import CsvError, read_rows
from survey_app.i18n import N_
from survey_app.instrument import Instrument
from survey_app.models import PopulationMargin

TOTAL_TOLERANCE = 0.005


class PopulationError(CsvError):
    pass


@dataclass(frozen=True)
class MarginRow:
    dimension: str
    category: str
    count: float
    line: int = 0

    @property
    def dimensions(self) -> tuple[str, ...]:
        return tuple(self.dimension.split(":"))

    @property
    def codes(self) -> tuple[int, ...]:
        return tuple(int(c) for c in self.category.split(":"))


def _parse_row(line: int, row: dict, instrument: Instrument) -> MarginRow:
    dims = row["dimension"].split(":")
    cats = row["category"].split(":")
    if not row["dimension"]:
        raise PopulationError(N_("The dimension is empty."), line)
    for dim in dims:
        if not instrument.has_question(dim) or not instrument.question(dim).weighting:
            names = ", ".join(q.id for q in instrument.weighting_questions())
            raise PopulationError(N_("Dimension '%(dim)s' is not a weighting question (use one of: %(names)s)."),
                                  line, dim=dim, names=names)
    if len(cats) != len(dims):
        raise PopulationError(N_("Category '%(cat)s' must have one code per dimension of '%(dim)s'."),
                              line, cat=row["category"], dim=row["dimension"])
    for dim, cat in zip(dims, cats, strict=True):
        choices = instrument.question(dim).choice_list
        code = numerals.parse_int(cat)
        if code is None or choices.get(code) is None:
            raise PopulationError(N_("Category '%(cat)s' is not a code of '%(dim)s' (codes: %(codes)s)."),
                                  line, cat=cat, dim=dim, codes=", ".join(map(str, choices.codes())))
    count = numerals.parse_decimal(row["count"])
    if count is None:
        raise PopulationError(N_("Count '%(count)s' is not a number."), line, count=row["count"])
    if not math.isfinite(count) or count < 0:
        raise PopulationError(N_("Count '%(count)s' must be zero or more."), line, count=row["count"])
    category = ":".join(str(numerals.parse_int(c)) for c in cats)
    return MarginRow(":".join(dims), category, count, line)


def read_population_csv(source: bytes | str | Path, instrument: Instrument, encoding: str = "auto") -> list[MarginRow]:
    rows: list[MarginRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, raw in read_rows(source, required=("dimension", "category", "count"),
                               allowed=("dimension", "category", "count"), encoding=encoding):
        margin = _parse_row(line, raw, instrument)
        key = (margin.dimension, margin.category)
        if key in seen:
            raise PopulationError(N_("Duplicate cell %(dim)s=%(cat)s (first on line %(first)d)."),
                                  line, dim=margin.dimension, cat=margin.category, first=seen[key])
        seen[key] = line
        rows.append(margin)
    if not rows:
        raise PopulationError(N_("The file has no margins."), 2)
    check_totals(rows)
    return rows


def check_totals(rows: list[MarginRow]) -> None:
    totals: dict[str, float] = defaultdict(float)
    first_line: dict[str, int] = {}
    for r in rows:
        totals[r.dimension] += r.count
        first_line.setdefault(r.dimension, r.line)
    reference_dim, reference = next(iter(totals.items()))
    if reference <= 0:
        raise PopulationError(N_("Margin '%(dim)s' sums to zero."), first_line[reference_dim], dim=reference_dim)
    for dim, total in totals.items():
        if abs(total - reference) > TOTAL_TOLERANCE * reference:
            raise PopulationError(
                N_("Margin '%(dim)s' sums to %(total)s but '%(ref)s' sums to %(ref_total)s."),
                first_line[dim], dim=dim, total=f"{total:g}", ref=reference_dim, ref_total=f"{reference:g}")


def replace_margins(session: Session, survey_id: str, rows: list[MarginRow]) -> int:
    """Replace all margins of a survey atomically; returns the number of cells stored."""
    session.execute(delete(PopulationMargin).where(PopulationMargin.survey_id == survey_id))
    session.add_all(PopulationMargin(survey_id=survey_id, dimension=r.dimension, category=r.category,
                                     count=r.count) for r in rows)
    session.commit()
    return len(rows)


def margins_for(session: Session, survey_id: str) -> list[MarginRow]:
    stmt = (select(PopulationMargin).where(PopulationMargin.survey_id == survey_id)
            .order_by(PopulationMargin.dimension, PopulationMargin.id))
    return [MarginRow(m.dimension, m.category, m.count) for m in session.scalars(stmt)]
