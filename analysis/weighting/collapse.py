"""Sparse calibration cells: merge them with their nearest ordered neighbour, or refuse by name.

A calibration cell with a handful of respondents gets their whole population share: one
respondent aged 18–29 can carry a weight 87 times the mean, move an indicator by ten
points, and make the linearised variance (which treats the cell total as known) far too
small. Before any calibration, every cell of every margin must hold at least
``min_cell`` respondents (default 20, counted unweighted; the missing category is not a
calibration cell).

Rule: repeatedly take the sparsest cell below ``min_cell``. If one of its margin's
variables is *ordered* (``ordered: true`` in the instrument, e.g. ``age_band``), merge the
cell's category of that variable with its adjacent category (the neighbour whose cell is
smaller, so the merged cell grows least; ties go to the lower code) — in the responses and
in every margin that uses the variable, so all margins stay consistent. The merged
category keeps the lower code. Each merge gives notice ``sparse_cell_collapsed``. A sparse
cell without an ordered variable, or an ordered variable with one category left, is not
merged by default — which categories belong together is a decision for a person — so its
whole margin is left out of the calibration, with notice ``sparse_margin_dropped`` naming
the cell (merge categories in the population margins, or lower the minimum cell size, to keep it).
A margin whose categories were all merged into one is left out too (notice
``sparse_margin_merged_away``): one cell only sets the total, and the weights would be called
"raked to" a margin that shaped nothing.
Why not refuse: early in fieldwork every cell is sparse, and a figure calibrated to what the
data can carry, saying what it left out, is what staff need (issue 11: never a dead
dashboard); the refusal this guard replaces published nothing at all.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from analysis.notices import Notice

from .base import WeightingInput
from .margins import Margin, code_margin

MIN_CELL = 20


def _sparsest(data: pd.DataFrame, margins: list[Margin], missing: Mapping[str, frozenset[int]], min_cell: int
              ) -> tuple[Margin, tuple[int, ...], int] | None:
    """(margin, cell, respondents) of the sparsest populated cell below ``min_cell``, or None."""
    worst: tuple[Margin, tuple[int, ...], int] | None = None
    for m in margins:
        counts = np.bincount(code_margin(data, m, missing).index, minlength=len(m.cells) + 1)[: len(m.cells)]
        for cell, population, n in zip(m.cells, m.counts, counts, strict=True):
            if population > 0 and n < min_cell and (worst is None or n < worst[2]):
                worst = (m, cell, int(n))
    return worst


def _neighbour(m: Margin, cell: tuple[int, ...], dim: str, counts: Mapping) -> int | None:
    """The adjacent code of ``dim`` (in code order) whose cell next to ``cell`` is smaller."""
    j = m.dims.index(dim)
    codes = sorted({c[j] for c in m.cells})
    at = codes.index(cell[j])
    options = [codes[k] for k in (at - 1, at + 1) if 0 <= k < len(codes)]
    if not options:
        return None
    return min(options, key=lambda code: (counts.get((*cell[:j], code, *cell[j + 1:]), 0), code))


def _merge_margin(m: Margin, dim: str, old: int, new: int) -> Margin:
    if dim not in m.dims:
        return m
    j = m.dims.index(dim)
    merged: dict[tuple[int, ...], float] = {}
    for cell, count in zip(m.cells, m.counts, strict=True):
        key = (*cell[:j], new if cell[j] == old else cell[j], *cell[j + 1:])
        merged[key] = merged.get(key, 0.0) + float(count)
    return Margin(m.dims, tuple(merged), np.array(list(merged.values())))


def _cell_counts(data: pd.DataFrame, m: Margin, missing: Mapping) -> dict[tuple[int, ...], int]:
    counts = np.bincount(code_margin(data, m, missing).index, minlength=len(m.cells) + 1)
    return dict(zip(m.cells, counts[: len(m.cells)].tolist(), strict=True))


def _label(m: Margin, cell: tuple[int, ...], spans: Mapping[tuple[str, int], int]) -> str:
    """``age_band=1`` — or ``age_band=1..3`` for a category that now holds 1 to 3 (merged: it keeps the
    lower code, and "18–29" would misname it); worded by ``InstrumentTexts.name_cells``."""
    codes = [f"{code}..{spans[(dim, code)]}" if spans.get((dim, code), code) != code else str(code)
             for dim, code in zip(m.dims, cell, strict=True)]
    return f"{m.name}={':'.join(codes)}"


def collapse_sparse(sample: WeightingInput, min_cell: int = MIN_CELL,
                    ordered: frozenset[str] = frozenset()) -> tuple[WeightingInput, tuple[Notice, ...]]:
    """The sample with sparse cells merged (see module docstring) and one notice per merge."""
    if not sample.margins or min_cell <= 1:
        return sample, ()
    data, margins, notices = sample.data.copy(), list(sample.margins), []
    spans: dict[tuple[str, int], int] = {}  # (variable, kept code) → the highest code merged into it
    for _ in range(sum(len(m.cells) for m in margins)):
        found = _sparsest(data, margins, sample.missing_codes, min_cell)
        if found is None:
            break
        m, cell, n = found
        dim = next((d for d in m.dims if d in ordered), None)
        counts = _cell_counts(data, m, sample.missing_codes)
        code = None if dim is None else _neighbour(m, cell, dim, counts)
        if dim is not None and code is None:  # ordered, every category merged into this one
            margins = [x for x in margins if x is not m]
            notices.append(Notice("sparse_margin_merged_away", {"margin": m.name, "min_cell": min_cell}))
            continue
        if dim is None or code is None:
            margins = [x for x in margins if x is not m]
            notices.append(Notice("sparse_margin_dropped", {"margin": m.name, "cell": _label(m, cell, spans),
                                                            "n": n, "min_cell": min_cell}))
            continue
        old = cell[m.dims.index(dim)]
        low, high = sorted((old, code))
        column = pd.to_numeric(data[dim], errors="coerce")
        data[dim] = column.where(column != high, low)
        margins = [_merge_margin(x, dim, high, low) for x in margins]
        label = _label(m, cell, spans)
        spans[(dim, low)] = max(spans.get((dim, low), low), spans.get((dim, high), high))
        notices.append(Notice("sparse_cell_collapsed", {  # merged: worded 「年齢=18〜29歳、30〜39歳」
            "cell": label, "n": n, "min_cell": min_cell, "dimension": dim, "merged": f"{dim}={low}..{spans[(dim, low)]}"}))
    for m in [x for x in margins if len(x.cells) < 2]:
        # every category merged into one: the margin would only set the total, and "raked to age"
        # would describe weights that raking did not shape
        margins.remove(m)
        notices.append(Notice("sparse_margin_merged_away", {"margin": m.name, "min_cell": min_cell}))
    return replace(sample, data=data, margins=tuple(margins)), tuple(notices)
