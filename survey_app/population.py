"""Population margins (from the resident register) for weighting.

CSV format ``dimension,category,count`` (or 項目,区分,人数; dimensions and categories may be the
register's names and labels: 年齢,30〜39歳,11500 — see ``survey_app.stratum_columns``). A joint margin joins its dimensions and its
categories with ``:`` — ``age_band:sex,3:1,4210``. Dimensions must be weighting
questions of the instrument and categories their choice codes; every dimension's
total must agree with the others (within 0.5%), otherwise raking has no solution.
Import replaces the survey's margins in one transaction: nothing is half-imported.
"""
from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from survey_app import numerals, survey_settings
from survey_app.csvio import CsvError, read_rows
from survey_app.i18n import N_
from survey_app.instrument import Instrument, bundled_path
from survey_app.models import PopulationMargin
from survey_app.stratum_columns import for_instrument, normalise

TOTAL_TOLERANCE = 0.005
MAX_COUNT = 100_000_000  # residents in one cell: more than any city (Japan has about 124 million)


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


# Column names a city's file may use instead of dimension,category,count.
HEADER_ALIASES = {"dimension": ("項目", "属性", "次元"), "category": ("区分", "カテゴリ", "カテゴリー"),
                  "count": ("人数", "人口", "件数")}


def _rename(header: list[str]) -> list[str]:
    aliases = {normalise(alias): name for name, names in HEADER_ALIASES.items() for alias in (name, *names)}
    return [aliases.get(normalise(h), h) for h in header]


def _parse_row(line: int, row: dict, instrument: Instrument) -> MarginRow:
    columns = for_instrument(instrument)
    typed_dims = row["dimension"].replace("：", ":").split(":")
    cats = row["category"].replace("：", ":").split(":")
    if not row["dimension"]:
        raise PopulationError(N_("The dimension is empty."), line)
    dims = []
    for dim in typed_dims:
        qid = columns.column(dim)
        if qid is None:
            names = ", ".join(f"{columns.display_name(q)} ({q.id})" for q in columns.questions)
            raise PopulationError(N_("Dimension '%(dim)s' is not a weighting question (use one of: %(names)s)."),
                                  line, dim=dim, names=names)
        dims.append(qid)
    if len(cats) != len(dims):
        raise PopulationError(N_("Category '%(cat)s' must have one code per dimension of '%(dim)s'."),
                              line, cat=row["category"], dim=row["dimension"])
    codes = []
    for dim, typed_dim, cat in zip(dims, typed_dims, cats, strict=True):
        code = columns.code(dim, cat)
        if code is None:
            raise PopulationError(N_("Category '%(cat)s' is not a code of '%(dim)s' (codes: %(codes)s)."),
                                  line, cat=cat, dim=typed_dim, codes=columns.choices_hint(dim))
        codes.append(str(code))
    count = numerals.parse_decimal(row["count"].replace("人", ""))  # 4,210 / ４２１０ / 4210人
    if count is None:
        raise PopulationError(N_("Count '%(count)s' is not a number."), line, count=row["count"])
    if not math.isfinite(count) or count < 0:
        raise PopulationError(N_("Count '%(count)s' must be zero or more."), line, count=row["count"])
    if not count.is_integer():  # a count of residents; "4.210" is often 4,210 typed the European way
        raise PopulationError(N_("Count '%(count)s' must be a whole number of residents."), line, count=row["count"])
    if count > MAX_COUNT:  # 1e29 was stored (as 99,999,999,999,999,991,433,150,857,216): a pasted cell, not a city
        raise PopulationError(N_("Count '%(count)s' is more residents than a city has (at most %(max)s)."), line,
                              count=row["count"], max=f"{MAX_COUNT:,}")
    return MarginRow(":".join(dims), ":".join(codes), count, line)


def read_population_csv(source: bytes | str | Path, instrument: Instrument, encoding: str = "auto") -> list[MarginRow]:
    rows: list[MarginRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, raw in read_rows(source, required=("dimension", "category", "count"),
                               allowed=("dimension", "category", "count"), encoding=encoding, rename=_rename):
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


def margins_template(instrument: Instrument) -> str:
    """A margins CSV to fill in (項目,区分,人数): one row per choice of every weighting question, no counts."""
    columns = for_instrument(instrument)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([HEADER_ALIASES[name][0] for name in ("dimension", "category", "count")])
    for question in columns.questions:
        for choice in question.choices:
            writer.writerow([columns.display_name(question), choice.text, ""])
    return out.getvalue()


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


def replace_margins(session: Session, survey_id: str, rows: list[MarginRow], illustrative: bool = False) -> int:
    """Replace all margins of a survey atomically; returns the number of cells stored.

    ``illustrative``: the bundled example margins (``machikoe setup``), marked as such wherever they are
    used until real ones are imported (an import clears the mark in the same transaction). Importing
    the bundled example file itself keeps the mark: it is no register however it arrives (the report
    stopped saying 「例示用」 of the same numbers).
    """
    illustrative = illustrative or is_bundled_example(survey_id, rows)
    session.execute(delete(PopulationMargin).where(PopulationMargin.survey_id == survey_id))
    session.add_all(PopulationMargin(survey_id=survey_id, dimension=r.dimension, category=r.category,
                                     count=r.count) for r in rows)
    survey_settings.mark_margins(session, survey_id, survey_settings.ILLUSTRATIVE if illustrative else None)
    return len(rows)


def bundled_example(survey_id: str) -> Path:
    """The example margins shipped with a bundled survey (``machikoe setup`` loads them)."""
    return bundled_path(survey_id).with_name(f"{survey_id}-population.csv")


def is_bundled_example(survey_id: str, rows: list[MarginRow]) -> bool:
    """Whether ``rows`` are the bundled example's cells and counts (however the file was encoded)."""
    path = bundled_example(survey_id)
    if not path.is_file():
        return False
    example = path.read_text(encoding="utf-8-sig").splitlines()[1:]
    cells = {(r.dimension, r.category, float(r.count)) for r in rows}
    try:
        wanted = {(d, c, float(n)) for d, c, n in (line.split(",") for line in example if line.strip())}
    except ValueError:
        return False
    return cells == wanted


def margins_for(session: Session, survey_id: str) -> list[MarginRow]:
    stmt = (select(PopulationMargin).where(PopulationMargin.survey_id == survey_id)
            .order_by(PopulationMargin.dimension, PopulationMargin.id))
    return [MarginRow(m.dimension, m.category, m.count) for m in session.scalars(stmt)]
