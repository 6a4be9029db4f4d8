"""Raking (iterative proportional fitting) to any number of margins, joint margins included.

Each sweep multiplies the weights, margin by margin, by ``target / current`` of the
respondent's cell, until every margin cell is within a relative error of ``tolerance``
(default 1e-10) of its population count — or raises :class:`ConvergenceError` with the
error it reached. The result is the maximum-likelihood (minimum discrimination
information) solution R's ``rake()`` converges to.

Speed: respondents sharing all their margin categories get the same factor in every
sweep, so the sweeps run on the joint-cell table (at most ∏ categories cells, e.g. 96 for
age 6 × sex 2 × district 8), built once by :func:`cells.code_respondents` from one
integer key per respondent. The n-proportional cost is a few passes over the weighting
variables (the key, one ``bincount``, one look-up) and one to apply the final factors; it
does not grow with the number of sweeps or margins' categories.
"""
from __future__ import annotations

import numpy as np

from analysis.errors import ConvergenceError, MarginError
from analysis.notices import Notice

from .base import Calibration, WeightingInput, WeightingResult, dummy_matrix, missing_notices
from .cells import JointCells, code_respondents
from .margins import Coding, check_cells, common_total

TOLERANCE = 1e-10
MAX_SWEEPS = 2000


def prepare(sample: WeightingInput) -> tuple[tuple[Coding, ...], float, tuple[Notice, ...], JointCells]:
    """Code respondents into every margin and check cells and totals (shared with post-stratification)."""
    if not sample.margins:
        raise MarginError("weighting needs population margins (dimension,category,count)")
    margins, total, gap = common_total(sample.margins)
    codings, cells = code_respondents(sample.data, margins, sample.design_weights, sample.missing_codes)
    for j, coding in enumerate(codings):
        check_cells(Coding(coding.margin, cells.codes[:, j], coding.n_missing), cells.weights)
    notices = list(missing_notices(codings))
    if gap > 1e-12:
        notices.append(Notice("totals_rescaled", {"gap": gap, "reference": margins[0].name, "total": total}))
    return codings, total, tuple(notices), cells


def margin_targets(coding: Coding, current: np.ndarray, total: float) -> tuple[np.ndarray, np.ndarray]:
    """(targets, current sums) per category; the missing category's target is its current total."""
    sums = np.bincount(coding.index, weights=current, minlength=coding.n_cells + 1)
    share = (total - sums[-1]) / total
    return np.append(coding.margin.counts * share, sums[-1]), sums


def max_relative_error(codings: tuple[Coding, ...], weights: np.ndarray, total: float) -> float:
    """Largest |weighted count − target| / target over all cells of all margins."""
    worst = 0.0
    for coding in codings:
        targets, sums = margin_targets(coding, weights, total)
        known = targets[:-1] > 0
        if np.any(known):
            worst = max(worst, float(np.max(np.abs(sums[:-1][known] - targets[:-1][known]) / targets[:-1][known])))
    return worst


def ipf(cell_weights: np.ndarray, cell_codes: np.ndarray, codings: tuple[Coding, ...], total: float,
        tolerance: float, max_sweeps: int) -> tuple[np.ndarray, int, float]:
    """Factors per joint cell; raises ConvergenceError with the reached error.

    The weights are first scaled to the population total, so a missing category starts
    from its share of the weighted sample (its target can never exceed the total).
    """
    factor = np.full(len(cell_weights), total / cell_weights.sum())
    cell_codings = tuple(Coding(c.margin, cell_codes[:, j], c.n_missing) for j, c in enumerate(codings))
    error = np.inf
    for sweep in range(1, max_sweeps + 1):
        for coding in cell_codings:
            current = cell_weights * factor
            targets, sums = margin_targets(coding, current, total)
            ratio = np.divide(targets, sums, out=np.ones_like(targets), where=sums > 0)
            factor *= ratio[coding.index]
        error = max_relative_error(cell_codings, cell_weights * factor, total)
        if error <= tolerance:
            return factor, sweep, error
        if not np.isfinite(error):
            break
    raise ConvergenceError(
        f"raking did not converge: after {sweep} sweeps the largest relative margin error is {error:.3g} "
        f"(required {tolerance:g}); the margins may contradict each other or leave a cell without respondents",
        reached=error, sweeps=sweep)


def rake(sample: WeightingInput, *, tolerance: float = TOLERANCE, max_sweeps: int = MAX_SWEEPS) -> WeightingResult:
    """Rake the design weights to ``sample.margins`` (see module docstring)."""
    codings, total, notices, cells = prepare(sample)
    factor, sweeps, error = ipf(cells.weights, cells.codes, codings, total, tolerance, max_sweeps)
    weights = np.take(factor, cells.of_respondent)
    weights *= sample.design_weights  # in place: one pass over the respondents, no temporary
    calibration = Calibration(cells.of_respondent, dummy_matrix(cells.codes, codings), sample.design_weights)
    return WeightingResult("rake", weights, calibration, notices, sweeps, error,
                           tuple(c.margin for c in codings), codings)
