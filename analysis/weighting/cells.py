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

# Codes up to this size keep their column unshifted: Σ code · stride then stays far inside int64
# (2³¹ × the key table's 4 M cells < 2⁵⁴).
SMALL_CODE = 2**31


@dataclass(frozen=True)
class JointCells:
    """Respondent → joint cell, each cell's category in every margin, and its design weight total."""

    of_respondent: np.ndarray
    codes: np.ndarray
    weights: np.ndarray


@dataclass(frozen=True)
class Variable:
    """One weighting variable: ``codes − offset`` runs over 0..size-1 (``low`` is the code at 0);
    ``blank`` is the shifted code of no answer.

    The offset is subtracted once from the whole key (:func:`_key`), not from each column: the
    column itself is then read as it is, with no shifted copy of it made.
    """

    name: str
    codes: np.ndarray
    offset: int
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
    key = _key(variables)
    by_key = np.bincount(key, weights=design_weights, minlength=int(np.prod(sizes)))
    present = np.flatnonzero(by_key)  # design weights are positive: a key with weight has respondents
    values = np.stack(np.unravel_index(present, sizes), axis=1)
    try:
        categories = np.stack([_categories(m, variables, values, missing_codes) for m in margins], axis=1)
    except MarginError:
        return _per_margin(data, margins, design_weights, missing_codes)
    codes, cell_of_key = np.unique(categories, axis=0, return_inverse=True)
    cell_of_key = cell_of_key.ravel()
    of_respondent = _cell_of_respondent(key, present, cell_of_key, len(by_key))
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
        low, high = int(raw.min()), int(raw.max())
        if high - low >= DENSE_KEY_LIMIT:
            return None
        if max(-low, high) > SMALL_CODE:  # a key of codes this large could overflow: shift first
            return Variable(name, (raw - low).astype(np.int64, copy=False), 0, low, high - low + 1, None)
        return Variable(name, raw.astype(np.int64, copy=False), low, low, high - low + 1, None)
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
    return Variable(name, shifted, 0, low, high - low + 1, 0)


def _key(variables: list[Variable]) -> np.ndarray:
    """Row-major key of the shifted codes (what ``ravel_multi_index`` gives, at half its cost).

    Σ (codes_i − offset_i) · stride_i is computed as Σ codes_i · stride_i − Σ offset_i · stride_i:
    one pass for the whole offset instead of a shifted copy of every column. Always a new array
    (the weights' calibration keeps it; it must not be the caller's column).
    """
    sizes = [v.size for v in variables]
    offset = 0
    for variable, size in zip(variables, sizes, strict=True):
        offset = offset * size + variable.offset
    if len(variables) == 1:
        return variables[0].codes - offset if offset else variables[0].codes.copy()
    key = np.multiply(variables[0].codes, sizes[1], dtype=np.int64)  # a new array: the loop works in place
    for at, variable in enumerate(variables[1:], start=1):
        if at > 1:
            key *= sizes[at]
        key += variable.codes
    if offset:
        key -= offset
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


def _cell_of_respondent(key: np.ndarray, present: np.ndarray, cell_of_key: np.ndarray, n_keys: int) -> np.ndarray:
    """Each respondent's joint cell (intp: every later look-up by cell indexes with it, and numpy
    converts a narrower index array to intp first — a copy of n rows each time).

    When every key is present and is its own cell, in order — every combination of the codes
    answered, each margin's categories in code order, as in most surveys — the key already is the
    cell, and the look-up (a pass over the respondents and n more rows) is skipped.
    """
    if len(present) == n_keys and np.array_equal(cell_of_key, np.arange(n_keys)):
        return key.astype(np.intp, copy=False)
    table = np.zeros(n_keys, dtype=np.intp)
    table[present] = cell_of_key
    return np.take(table, key)


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
