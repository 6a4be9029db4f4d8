"""Population margins and how respondents fall into their cells.

A *margin* is a table of population counts over one weighting variable (``age_band``) or
over several jointly (``age_band:sex``). Respondents are coded into the margin's cells by
their answers.

Missing-weighting-variable policy (documented, counted, never silent): a respondent whose
answer to a margin's variable is blank or a code marked ``missing`` in the instrument (for
example 3 = "other / prefer not to answer" for ``sex``) falls into that margin's *missing
category*. The missing category keeps the weight the other margins give it, and the
margin's known cells are calibrated to ``count × (T − W_missing) / T`` — their population
shares of whatever total is left — so the weights still add up to the population total
``T`` and the respondent is neither dropped nor forced into a guessed category (the
design weights are first scaled to ``T``, so the missing category starts from its share
of the weighted sample). The number
of such respondents per variable is reported as a warning.

A respondent with a *substantive* code that the margin does not list, a cell with
population but no respondents, or a cell with respondents but zero population, cannot be
weighted correctly: these raise :class:`~analysis.errors.MarginError` naming the dimension
and category.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from analysis.errors import MarginError

#: Margin totals may differ by rounding in the register's tables, not by more (as
#: ``survey_app.population``): beyond this the margins describe different populations.
TOTAL_TOLERANCE = 0.005
DENSE_LOOKUP_LIMIT = 1_000_000


@dataclass(frozen=True)
class Margin:
    dims: tuple[str, ...]
    cells: tuple[tuple[int, ...], ...]
    counts: np.ndarray = field(repr=False)

    @property
    def name(self) -> str:
        return ":".join(self.dims)

    @property
    def total(self) -> float:
        return float(self.counts.sum())

    def label(self, cell: tuple[int, ...]) -> str:
        return f"{self.name}={':'.join(map(str, cell))}"

    def scaled(self, factor: float) -> Margin:
        return Margin(self.dims, self.cells, self.counts * factor)


def margin(dims: str | Iterable[str], table: Mapping) -> Margin:
    """``margin("stype", {"E": 4421, ...})`` or ``margin(("a", "b"), {(1, 2): 10, ...})``."""
    dims = (dims,) if isinstance(dims, str) else tuple(dims)
    cells = tuple(k if isinstance(k, tuple) else (k,) for k in table)
    return Margin(dims, cells, np.array([float(v) for v in table.values()]))


def margins_from_rows(rows: Iterable) -> tuple[Margin, ...]:
    """Group ``survey_app.population.MarginRow`` objects (already validated) into margins."""
    grouped: dict[str, dict[tuple[int, ...], float]] = {}
    for row in rows:
        cell = tuple(int(c) for c in str(row.category).split(":"))
        grouped.setdefault(row.dimension, {})[cell] = float(row.count)
    return tuple(margin(tuple(dim.split(":")), table) for dim, table in grouped.items())


@dataclass(frozen=True)
class Coding:
    """Respondents' cells in one margin: ``index`` in 0..K-1, or K for the missing category.

    ``categories`` is either that index itself or, when ``rows`` maps each respondent to a
    joint cell, the category of each joint cell: raking needs only the cells', so the
    respondents' index is then derived on first use.
    """

    margin: Margin
    categories: np.ndarray
    n_missing: int
    rows: np.ndarray | None = field(default=None, repr=False)

    @property
    def n_cells(self) -> int:
        return len(self.margin.cells)

    @cached_property
    def index(self) -> np.ndarray:
        return self.categories if self.rows is None else np.take(self.categories, self.rows)


def _column_codes(data: pd.DataFrame, dim: str, missing_codes: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
    """(int64 codes, missing mask) of one column; integer columns skip the float round trip."""
    raw = data[dim].to_numpy()
    missing = list(missing_codes)
    if raw.dtype.kind in "iu":
        codes = raw.astype(np.int64, copy=False)
        unknown = np.isin(codes, missing) if missing else np.zeros(len(codes), dtype=bool)
        return codes, unknown
    values = pd.to_numeric(data[dim], errors="coerce").to_numpy(dtype=float)
    unknown = np.isnan(values)
    if missing:
        unknown |= np.isin(values, missing)
    return np.where(unknown, -1, values).astype(np.int64), unknown


def code_margin(data: pd.DataFrame, m: Margin, missing_codes: Mapping[str, Iterable[int]] = {}) -> Coding:
    """Place every respondent in a cell of ``m`` (or its missing category)."""
    columns, missing = [], np.zeros(len(data), dtype=bool)
    for dim in m.dims:
        if dim not in data.columns:
            raise MarginError(f"population margin '{m.name}': the responses have no column '{dim}'")
        codes, unknown = _column_codes(data, dim, missing_codes.get(dim, ()))
        columns.append(codes)
        missing |= unknown
    return Coding(m, code_present(m, columns, missing), int(missing.sum()))


def code_present(m: Margin, columns: list[np.ndarray], missing: np.ndarray) -> np.ndarray:
    """Cell of each row of ``columns`` (the margin's dimensions), K where ``missing``."""
    if missing.all():
        raise MarginError(f"population margin '{m.name}': no respondent gave '{m.name}', "
                          "so the weights cannot be fitted to it")
    if not missing.any():
        return _cell_index(columns, m)
    index = np.full(len(missing), len(m.cells), dtype=np.int64)
    index[~missing] = _cell_index([c[~missing] for c in columns], m)
    return index


def _cell_index(columns: list[np.ndarray], m: Margin) -> np.ndarray:
    """Cell number of each respondent; a code combination the margin lacks raises, naming it.

    Codes are small integers, so a dense lookup table over their range does it in O(n)
    (sorting the keys, as ``np.unique(axis=0)`` does, costs ten times more at 1M rows).
    """
    cells = np.array(m.cells, dtype=np.int64).reshape(len(m.cells), len(m.dims))
    low = [min(int(c.min()), int(cells[:, j].min())) for j, c in enumerate(columns)]
    sizes = tuple(max(int(c.max()), int(cells[:, j].max())) - low[j] + 1 for j, c in enumerate(columns))
    if int(np.prod(sizes)) > DENSE_LOOKUP_LIMIT:
        keys = np.stack(columns, axis=1)
        unique, inverse = np.unique(keys, axis=0, return_inverse=True)
        lookup = {tuple(cell): i for i, cell in enumerate(cells.tolist())}
        index = np.array([lookup.get(tuple(k), -1) for k in unique.tolist()], dtype=np.int64)[inverse.ravel()]
    else:
        table = np.full(int(np.prod(sizes)), -1, dtype=np.int64)
        table[np.ravel_multi_index(tuple((cells - np.array(low)).T), sizes)] = np.arange(len(cells))
        shifted = [c - lo if lo else c for c, lo in zip(columns, low, strict=True)]
        index = table[shifted[0] if len(shifted) == 1 else np.ravel_multi_index(tuple(shifted), sizes)]
    if index.min() < 0:
        first = int(np.flatnonzero(index < 0)[0])
        key = [int(c[first]) for c in columns]
        count = int(np.sum(np.all([c == k for c, k in zip(columns, key, strict=True)], axis=0)))
        raise MarginError(f"population margin '{m.name}' has no category {':'.join(map(str, key))}, "
                          f"but {count} respondent(s) answered it")
    return index


def check_cells(coding: Coding, weights: np.ndarray) -> None:
    """Every populated cell needs respondents, every cell with respondents needs population.

    ``coding`` and ``weights`` may be per respondent or per joint cell (same sums).
    """
    m = coding.margin
    sample = np.bincount(coding.index, weights=weights, minlength=coding.n_cells + 1)[: coding.n_cells]
    for cell, count, in_sample in zip(m.cells, m.counts, sample, strict=True):
        if count > 0 and in_sample <= 0:
            raise MarginError(f"no respondents in {m.label(cell)} (population {count:g}): "
                              "weighting cannot fill an empty cell; merge categories or drop the margin")
        if count <= 0 and in_sample > 0:
            raise MarginError(f"{m.label(cell)} has respondents but a population count of 0")
        if count < 0:
            raise MarginError(f"{m.label(cell)} has a negative population count")


def common_total(margins: tuple[Margin, ...]) -> tuple[tuple[Margin, ...], float, float]:
    """Rescale all margins to the first one's total; returns (margins, total, largest relative gap).

    Totals that differ by more than ``TOTAL_TOLERANCE`` raise: the margins then describe
    different populations and no weights can meet all of them.
    """
    reference = margins[0]
    if reference.total <= 0:
        raise MarginError(f"population margin '{reference.name}' sums to zero")
    gap = 0.0
    out = []
    for m in margins:
        relative = abs(m.total - reference.total) / reference.total
        if relative > TOTAL_TOLERANCE:
            raise MarginError(f"population margin '{m.name}' sums to {m.total:g} but '{reference.name}' "
                              f"sums to {reference.total:g}: the margins must describe the same population")
        gap = max(gap, relative)
        out.append(m if m.total == reference.total else m.scaled(reference.total / m.total))
    return tuple(out), reference.total, gap
