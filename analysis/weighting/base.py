"""What every weighting method takes and returns, and the calibration it leaves behind.

Signature of a method: ``method(sample: WeightingInput, **options) -> WeightingResult``.
Calibration methods (post-stratification, raking) record a :class:`Calibration` so the
variance can use the residuals of the regression of the linearised scores on the
calibration variables, with the *pre-calibration* weights — the Taylor linearisation of
a calibration estimator (Deville & Särndal 1992; R's ``calibrate``/``rake``/``postStratify``).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.notices import Notice

from .margins import Coding, Margin

if TYPE_CHECKING:
    from scipy import sparse

DENSE_KEY_LIMIT = 4_000_000
RANK_TOLERANCE = 1e-10


@dataclass(frozen=True)
class WeightingInput:
    """Respondents' weighting variables (codes; NaN = no answer) and design weights.

    ``invited`` (propensity only) has one row per cell of the invited sample: the frame's
    stratum variables and the counts ``invited`` and ``responded``; ``sampling`` holds the
    respondents' frame stratum variables (what the invitation letter recorded).
    """

    data: pd.DataFrame
    design_weights: np.ndarray
    margins: tuple[Margin, ...] = ()
    missing_codes: Mapping[str, frozenset[int]] = field(default_factory=dict)
    invited: pd.DataFrame | None = None
    sampling: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        weights = np.asarray(self.design_weights, dtype=float)
        if weights.shape != (len(self.data),):
            raise ValueError("design_weights must have one weight per respondent")
        if not np.all(np.isfinite(weights)) or np.any(weights <= 0):
            raise ValueError("design weights must be positive and finite")
        object.__setattr__(self, "design_weights", weights)


@dataclass(frozen=True)
class Calibration:
    """The calibration model: respondent → joint cell, cells' dummy matrix, pre-calibration weights."""

    cell: np.ndarray
    dummies: np.ndarray
    pre_weights: np.ndarray

    def residuals(self, scores: np.ndarray) -> np.ndarray:
        """``scores`` minus their weighted least-squares fit on the calibration dummies.

        Solved on the joint cells (sufficient statistics by ``bincount``): the fit is
        ``X (X'S₀X)⁺ X' s_u`` with ``S₀`` the pre-calibration weight of each cell and ``s_u``
        its weighted score total. ``X'S₀X`` depends only on the weighting, so its
        eigen-decomposition is computed once (:attr:`factor`) and each further estimate costs
        O(n + cells × p + p²). Rank deficiency (each margin's dummies add up to the
        intercept) is harmless: the pseudo-inverse gives the minimum-norm coefficients and
        the fitted values are unique. Eigenvalues below ``RANK_TOLERANCE`` × the largest are
        treated as zero.
        """
        vectors, inverse = self.factor
        x = self._sparse_dummies
        su = np.bincount(self.cell, weights=self._scaled_weights * scores, minlength=x.shape[0])
        beta = vectors @ (inverse * (vectors.T @ (x.T @ su)))
        return scores - (x @ beta)[self.cell]

    @cached_property
    def _sparse_dummies(self) -> sparse.csr_matrix:
        # one non-zero per margin in each row: products with X cost O(cells × margins), not O(cells × p)
        from scipy import sparse

        return sparse.csr_matrix(self.dummies)

    @cached_property
    def _scaled_weights(self) -> np.ndarray:
        return self.pre_weights / self.pre_weights.mean()

    @cached_property
    def factor(self) -> tuple[np.ndarray, np.ndarray]:
        """(eigenvectors, pseudo-inverted eigenvalues) of ``X'S₀X``, computed on first use."""
        x = self.dummies
        s0 = np.bincount(self.cell, weights=self._scaled_weights, minlength=x.shape[0])
        values, vectors = np.linalg.eigh(x.T @ (s0[:, None] * x))
        keep = values > RANK_TOLERANCE * values.max()
        return vectors, np.divide(1.0, values, out=np.zeros_like(values), where=keep)


@dataclass(frozen=True)
class WeightingResult:
    method: str
    weights: np.ndarray
    calibration: Calibration | None = None
    notices: tuple[Notice, ...] = ()
    sweeps: int = 0
    max_error: float = 0.0
    margins: tuple[Margin, ...] = ()
    codings: tuple[Coding, ...] = ()


def joint_cells(codings: tuple[Coding, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(respondent → joint cell id, joint cell × margin category index) for the codings."""
    sizes = tuple(c.n_cells + 1 for c in codings)
    indices = [c.index for c in codings]
    if int(np.prod(sizes, dtype=np.int64)) <= DENSE_KEY_LIMIT:
        key = np.ravel_multi_index(indices, sizes)
        present = np.flatnonzero(np.bincount(key, minlength=int(np.prod(sizes))))
        remap = np.full(int(np.prod(sizes)), -1, dtype=np.int64)
        remap[present] = np.arange(len(present))
        return remap[key], np.stack(np.unravel_index(present, sizes), axis=1)
    stacked = np.stack(indices, axis=1)
    unique, inverse = np.unique(stacked, axis=0, return_inverse=True)
    return inverse.ravel(), unique


def dummy_matrix(cell_codes: np.ndarray, codings: tuple[Coding, ...]) -> np.ndarray:
    """One indicator column per category (missing category included) of every margin."""
    blocks = [np.eye(c.n_cells + 1)[cell_codes[:, j]] for j, c in enumerate(codings)]
    return np.hstack(blocks)


def missing_notices(codings: tuple[Coding, ...]) -> tuple[Notice, ...]:
    counted: dict[str, int] = {}
    for coding in codings:
        if coding.n_missing:
            name = coding.margin.name
            counted[name] = max(counted.get(name, 0), coding.n_missing)
    return tuple(Notice("missing_weighting_variable", {"n": n, "dimension": d}) for d, n in counted.items())
