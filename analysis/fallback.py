"""Weighting that always gives a figure: a stated fallback when the margins cannot be met.

Early in fieldwork (600 letters, 14 returns) some margin categories have no respondent
yet, so raking or post-stratification cannot meet them and would refuse. Instead of a dead
dashboard the figure falls back, in this order, and says which step it used in a
``weighting_fallback`` notice:

1. **collapse**: in each one-way margin, a category without respondents is merged with
   its neighbour (the next code; the last one with the previous), population counts
   added — the sparse categories are named. Margins that still cannot be used (a joint
   margin with an empty cell, a variable nobody gave, a code the margin lacks) are left
   out and named. The requested method then runs on what is left.
2. **post-stratify** on the single (collapsed) margin with the most cells that can be met.
3. **design weights** (the recorded design, or equal weights without one).

The variance of whatever was used is computed as for that method (the calibration that
was actually applied), so the interval stays honest about the weighting it reflects.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from analysis.errors import AnalysisError, ConvergenceError
from analysis.notices import Notice
from analysis.weighting import METHODS, Margin, WeightingInput, WeightingResult, poststratify
from analysis.weighting.margins import code_margin

CALIBRATING = ("rake", "poststratify", "propensity")


def weigh_with_fallback(method: str, sample: WeightingInput, strict: bool = False) -> WeightingResult:
    """``METHODS[method](sample)``, or the first fallback step that works (see module docstring).

    ``strict`` (the command line): only *sparseness* falls back — a category or cell without
    respondents, raking that does not converge; margins that contradict the data (a code the
    margin lacks, a method that needs invitations) stay errors. Pages and the API are not
    strict: they always show a figure, with the notice.
    """
    try:
        return METHODS[method](sample)
    except AnalysisError as exc:
        if method not in CALIBRATING:
            raise
        error, reason = exc, str(exc)
    collapsed, merged, dropped, invalid = collapse_margins(sample)
    if strict and not (isinstance(error, ConvergenceError) or merged or (dropped and not invalid)):
        raise error
    dropped = dropped + invalid
    if collapsed.margins and (merged or dropped):
        try:
            result = METHODS[method](collapsed)
            return _with_notice(result, "collapsed", reason, merged, dropped, method)
        except AnalysisError:
            pass
    for single in sorted(collapsed.margins, key=lambda m: -len(m.cells)):
        try:
            result = poststratify(replace(collapsed, margins=(single,)))
            return _with_notice(result, "poststratified", reason, merged, dropped, single.name)
        except AnalysisError:
            continue
    result = METHODS["design"](sample)
    return _with_notice(result, "design", reason, merged, dropped, "")


def design_only(sample: WeightingInput, reason: str, dropped: list[str]) -> WeightingResult:
    """The last step on its own: design weights, when no margin is left to calibrate to."""
    return _with_notice(METHODS["design"](sample), "design", reason, [], dropped, "")


def _with_notice(result: WeightingResult, step: str, reason: str, merged: list[str], dropped: list[str],
                 used: str) -> WeightingResult:
    notice = Notice("weighting_fallback", {"step": step, "reason": reason, "merged": ", ".join(merged) or "–",
                                           "dropped": ", ".join(dropped) or "–", "used": used or "–"})
    return replace(result, notices=(notice, *result.notices))


def collapse_margins(sample: WeightingInput) -> tuple[WeightingInput, list[str], list[str], list[str]]:
    """(input with sparse categories merged, merged categories, sparse margins left out, invalid margins)."""
    data = sample.data.copy()
    margins: list[Margin] = []
    merged: list[str] = []
    dropped: list[str] = []
    invalid: list[str] = []
    for m in sample.margins:
        try:
            coding = code_margin(data, m, sample.missing_codes)
        except AnalysisError:
            invalid.append(m.name)
            continue
        counts = np.bincount(coding.index, weights=sample.design_weights, minlength=len(m.cells) + 1)[:len(m.cells)]
        if np.all(counts > 0):
            margins.append(m)
        elif len(m.dims) == 1 and np.any(counts > 0):
            new_margin, mapping, names = _merge_empty(m, counts)
            column = data[m.dims[0]].to_numpy(dtype=float)
            data[m.dims[0]] = np.array([mapping.get(int(v), v) if not np.isnan(v) else v for v in column])
            margins.append(new_margin)
            merged += names
        else:
            dropped.append(m.name)
    return replace(sample, data=data, margins=tuple(margins)), merged, dropped, invalid


def _merge_empty(m: Margin, sample_counts: np.ndarray) -> tuple[Margin, dict[int, int], list[str]]:
    """Merge each empty category into the next non-empty one (the last ones into the previous)."""
    codes = [cell[0] for cell in m.cells]
    order = np.argsort(codes)
    target: dict[int, int] = {}
    pending: list[int] = []
    last_filled: int | None = None
    for j in order:
        if sample_counts[j] > 0:
            for p in pending:
                target[p] = int(j)
            pending, last_filled = [], int(j)
            target[int(j)] = int(j)
        else:
            pending.append(int(j))
    for p in pending:  # trailing empty categories join the last populated one; the caller ensures one exists
        assert last_filled is not None
        target[p] = last_filled
    counts = np.zeros(len(m.cells))
    for j, t in target.items():
        counts[t] += m.counts[j]
    kept = sorted({t for t in target.values()}, key=lambda j: codes[j])
    mapping = {codes[j]: codes[t] for j, t in target.items() if j != t}
    names = [f"{m.name}={codes[j]}→{codes[t]}" for j, t in sorted(target.items()) if j != t]
    new = Margin(m.dims, tuple((codes[j],) for j in kept), np.array([counts[j] for j in kept]))
    return new, mapping, names
