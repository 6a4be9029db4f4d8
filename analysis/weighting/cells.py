"""Respondents → the joint cells of all margins, in one pass over the data.

Raking and post-stratification depend on the respondents only through the design-weight
total of each joint cell (the cross-classification of every margin's categories). So the
work proportional to the number of respondents is kept to: read each weighting variable's
codes, combine them into one integer key per respondent, sum the design weights by key
(``bincount``) and look each respondent's joint cell up by its key. Which margin category a
key falls in, the missing-category policy and the checks all run on the distinct keys —
a few hundred, whatever the number of respondents. Each margin's per-respondent categories
(:attr:`Coding.index`) are derived only when a caller asks for them.

Anything unusual — a margin naming a column the responses lack, a code no margin lists, a
margin nobody answered, codes too spread out for a dense key table — is handed to the
per-margin coding (:func:`code_margin`), which raises the same error, naming the same
respondent's answer, as it always has.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.errors import MarginError

from .base import DENSE_KEY_LIMIT, joint_cells
from .margins import Coding, Margin, code_margin, code_present


@dataclass(frozen=True)
class JointCells:
    """Respondent → joint cell, each cell's category in every margin, and its design weight total."""

    of_respondent: np.ndarray
    codes: np.ndarray
    weights: np.ndarray


@dataclass(frozen=True)
class Variable:
    """One weighting variable's codes shifted to 0..size-1; ``blank`` is the shifted code of no answer."""

    name: str
    shifted: np.ndarray
    low: int
    size: int
    blank: int | None


def code_respondents(data: pd.DataFrame, margins: tuple[Margin, ...], design_weights: np.ndarray,
                     missing_codes: Mapping[str, Iterable[int]]) -> tuple[tuple[Coding, ...], JointCells]:
    """Every margin's coding and the joint cells, through one key per respondent when possible."""
    names = list(dict.fromkeys(dim for m in margins for dim in m.dims))
    variables = _variables(data, names, missing_codes)
    if variables is None:
        return _per_margin(data, margins, design_weights, missing_codes)
    sizes = tuple(v.size for v in variables)
    key = _key([v.shifted for v in variables], sizes)
    by_key = np.bincount(key, weights=design_weights, minlength=int(np.prod(sizes)))
    present = np.flatnonzero(by_key)  # design weights are positive: a key with weight has respondents
    values = np.stack(np.unravel_index(present, sizes), axis=1)
    try:
        categories = np.stack([_categories(m, variables, values, missing_codes) for m in margins], axis=1)
    except MarginError:
        return _per_margin(data, margins, design_weights, missing_codes)
    codes, cell_of_key = np.unique(categories, axis=0, return_inverse=True)
    cell_of_key = cell_of_key.ravel()
    # intp: every later look-up by cell (the weights here, the variance's bincounts) indexes with
    # it, and numpy converts a narrower index array to intp first (a copy of n rows each time)
    table = np.zeros(len(by_key), dtype=np.intp)
    table[present] = cell_of_key
    of_respondent = np.take(table, key)
    missing = _missing_counts(key, present, categories, margins, len(by_key))
    codings = tuple(Coding(m, codes[:, j], n, rows=of_respondent)
                    for j, (m, n) in enumerate(zip(margins, missing, strict=True)))
    weights = np.bincount(cell_of_key, weights=by_key[present], minlength=len(codes))
    return codings, JointCells(of_respondent, codes, weights)


def _variables(data: pd.DataFrame, names: list[str],
               missing_codes: Mapping[str, Iterable[int]]) -> list[Variable] | None:
    """The weighting variables, or None when the per-margin path must code (and judge) them."""
    if not names or len(data) == 0 or any(name not in data.columns for name in names):
        return None
    variables = []
    for name in names:
        variable = _variable(data, name, missing_codes.get(name, ()))
        if variable is None:
            return None
        variables.append(variable)
    if int(np.prod([v.size for v in variables], dtype=np.int64)) > DENSE_KEY_LIMIT:
        return None
    return variables


def _variable(data: pd.DataFrame, name: str, missing_codes: Iterable[int]) -> Variable | None:
    """The column's codes shifted to start at 0, or None when they need the per-margin path.

    Integer columns are used as they are (a missing code stays a code and is recognised on
    the keys); a float column's blanks — and its missing codes, compared as floats exactly as
    :func:`code_margin` does — become one extra code below the others.
    """
    raw = data[name].to_numpy()
    if raw.dtype.kind in "iu":
        low, high = min(int(raw.min()), 0), int(raw.max())
        if high - low >= DENSE_KEY_LIMIT:
            return None
        shifted = raw.astype(np.int64, copy=False)
        return Variable(name, shifted - low if low else shifted, low, high - low + 1, None)
    values = pd.to_numeric(data[name], errors="coerce").to_numpy(dtype=float)
    unknown = np.isnan(values)
    missing = list(missing_codes)
    if missing:
        unknown |= np.isin(values, missing)
    known = values[~unknown]
    if len(known) == 0 or not np.all(np.isfinite(known)) or known.max() - known.min() >= DENSE_KEY_LIMIT:
        return None
    low, high = min(int(known.min()), 0) - 1, int(known.max())
    shifted = np.where(unknown, low, values).astype(np.int64) - low
    return Variable(name, shifted, low, high - low + 1, 0)


def _key(columns: list[np.ndarray], sizes: tuple[int, ...]) -> np.ndarray:
    """Row-major key of the shifted codes (what ``ravel_multi_index`` gives, at half its cost)."""
    if len(columns) == 1:
        return columns[0]
    key = np.multiply(columns[0], sizes[1], dtype=np.int64)  # a new array: the loop works in place
    for at, column in enumerate(columns[1:], start=1):
        if at > 1:
            key *= sizes[at]
        key += column
    return key


def _categories(m: Margin, variables: list[Variable], values: np.ndarray,
                missing_codes: Mapping[str, Iterable[int]]) -> np.ndarray:
    """Margin category (K = the missing category) of every present key; MarginError on a gap."""
    names = [v.name for v in variables]
    columns, missing = [], np.zeros(len(values), dtype=bool)
    for dim in m.dims:
        variable = variables[names.index(dim)]
        codes = values[:, names.index(dim)]
        if variable.blank is not None:
            missing |= codes == variable.blank
        else:
            missing |= np.isin(codes + variable.low, list(missing_codes.get(dim, ())))
        columns.append(codes + variable.low)
    return code_present(m, columns, missing)


def _missing_counts(key: np.ndarray, present: np.ndarray, categories: np.ndarray, margins: tuple[Margin, ...],
                    n_keys: int) -> list[int]:
    """Respondents in each margin's missing category (counted only when some key falls there)."""
    in_missing = categories == np.array([len(m.cells) for m in margins])
    if not in_missing.any():
        return [0] * len(margins)
    respondents = np.bincount(key, minlength=n_keys)[present]
    return [int(respondents[in_missing[:, j]].sum()) for j in range(len(margins))]


def _per_margin(data: pd.DataFrame, margins: tuple[Margin, ...], design_weights: np.ndarray,
                missing_codes: Mapping[str, Iterable[int]]) -> tuple[tuple[Coding, ...], JointCells]:
    """Each margin coded respondent by respondent: the general path, and the one that names errors."""
    codings = tuple(code_margin(data, m, missing_codes) for m in margins)
    cell, codes = joint_cells(codings)
    return codings, JointCells(cell, codes, np.bincount(cell, weights=design_weights, minlength=len(codes)))
