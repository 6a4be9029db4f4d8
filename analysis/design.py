"""Sampling designs: simple random sample, stratified, one-stage cluster; with fpc.

Conventions follow R's ``svydesign``:

- ``strata``: stratum of each unit (none: one stratum).
- ``psu``: primary sampling unit (none: every unit is its own PSU). PSU ids are nested in
  strata (the same id in two strata is two PSUs, R's ``nest=TRUE``).
- ``fpc``: per unit, either the *population number of PSUs* in its stratum (values > 1;
  the sampling fraction is then ``n_h / N_h`` with ``n_h`` the sampled PSUs) or the
  sampling fraction itself (values ≤ 1). It must be constant within a stratum.
- ``weights``: design weights ``1/π``. Without weights but with ``fpc``, a one-stage
  design has ``1/π = N_h / n_h`` (as R); without either, every weight is 1.

Degrees of freedom: number of PSUs minus number of strata (R's ``degf``), counted among
the units of the estimation domain.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from analysis.errors import AnalysisError


def _codes(values: ArrayLike | None, name: str, n: int) -> np.ndarray:
    if values is None:
        return np.zeros(n, dtype=np.int64)
    series = pd.Series(np.asarray(values, dtype=object))
    if len(series) != n:
        raise AnalysisError(f"the design column '{name}' has {len(series)} values for {n} units")
    if series.isna().any():
        raise AnalysisError(f"the design column '{name}' has {int(series.isna().sum())} empty value(s)")
    return pd.factorize(series.astype(str), sort=True)[0].astype(np.int64)


@dataclass(frozen=True)
class SamplingDesign:
    weights: np.ndarray
    strata: np.ndarray
    psu: np.ndarray
    psu_stratum: np.ndarray
    sampling_fraction: np.ndarray
    stratum_names: tuple[str, ...]
    has_fpc: bool
    n_psu: np.ndarray  # sampled PSUs per stratum

    @property
    def n(self) -> int:
        return len(self.weights)

    @classmethod
    def build(cls, n: int, weights: ArrayLike | None = None, strata: ArrayLike | None = None,
              psu: ArrayLike | None = None, fpc: ArrayLike | None = None) -> SamplingDesign:
        strata_codes = _codes(strata, "stratum", n)
        stratum_names = tuple(pd.Series(np.asarray(strata, dtype=object)).astype(str).sort_values().unique()) \
            if strata is not None else ("all",)
        psu_codes = np.arange(n) if psu is None else _nested(strata_codes, _codes(psu, "psu", n))
        psu_stratum = np.zeros(psu_codes.max() + 1 if n else 0, dtype=np.int64)
        psu_stratum[psu_codes] = strata_codes
        n_strata = int(strata_codes.max()) + 1 if n else 0
        n_psu = np.bincount(psu_stratum, minlength=n_strata)
        fraction, has_fpc = _sampling_fraction(fpc, strata_codes, n_psu, stratum_names, n)
        w = _design_weights(weights, fpc, fraction, strata_codes, n)
        return cls(w, strata_codes, psu_codes, psu_stratum, fraction, stratum_names, has_fpc, n_psu)

    def degrees_of_freedom(self, mask: np.ndarray | None = None) -> int:
        """PSUs minus strata among the units in ``mask`` (R's ``degf``), at least 1."""
        psu = self.psu if mask is None else self.psu[mask]
        strata = self.strata if mask is None else self.strata[mask]
        n_psu = np.count_nonzero(np.bincount(psu, minlength=len(self.psu_stratum)))
        n_strata = np.count_nonzero(np.bincount(strata, minlength=len(self.sampling_fraction)))
        return max(1, int(n_psu) - int(n_strata))

    def stratum_psu_counts(self) -> np.ndarray:
        return self.n_psu

    def lonely_strata(self) -> tuple[str, ...]:
        """Strata with a single sampled PSU that is not the whole stratum (variance by R's "adjust")."""
        lonely = (self.n_psu == 1) & (self.sampling_fraction < 1)
        return tuple(self.stratum_names[h] for h in np.flatnonzero(lonely))


def _nested(strata: np.ndarray, psu: np.ndarray) -> np.ndarray:
    """PSU codes unique across strata (R's ``nest=TRUE``)."""
    key = strata * (int(psu.max()) + 1 if len(psu) else 1) + psu
    return np.unique(key, return_inverse=True)[1].ravel().astype(np.int64)


def _sampling_fraction(fpc: ArrayLike | None, strata: np.ndarray, n_psu: np.ndarray, names: tuple[str, ...],
                       n: int) -> tuple[np.ndarray, bool]:
    if fpc is None:
        return np.zeros(len(n_psu)), False
    values = pd.to_numeric(pd.Series(np.asarray(fpc, dtype=object)), errors="coerce").to_numpy(dtype=float)
    if len(values) != n or np.isnan(values).any() or np.any(values <= 0):
        raise AnalysisError("the fpc column must hold a positive number for every unit")
    fraction = np.zeros(len(n_psu))
    for h in range(len(n_psu)):
        in_h = values[strata == h]
        if in_h.min() != in_h.max():  # not np.ptp: inf − inf (no fpc: unrecorded stratum) warns
            raise AnalysisError(f"fpc differs within stratum '{names[h]}'")
        value = in_h[0]
        fraction[h] = value if value <= 1 else n_psu[h] / value
        if fraction[h] > 1 + 1e-12:
            raise AnalysisError(f"stratum '{names[h]}' has {n_psu[h]} sampled PSUs but an fpc of {value:g}")
    return np.minimum(fraction, 1.0), True


def _design_weights(weights: ArrayLike | None, fpc: ArrayLike | None, fraction: np.ndarray, strata: np.ndarray,
                    n: int) -> np.ndarray:
    if weights is not None:
        w = pd.to_numeric(pd.Series(np.asarray(weights, dtype=object)), errors="coerce").to_numpy(dtype=float)
        if len(w) != n or np.isnan(w).any() or np.any(w <= 0) or not np.all(np.isfinite(w)):
            raise AnalysisError("the weight column must hold a positive number for every unit")
        return w
    if fpc is not None:
        return 1.0 / fraction[strata]
    return np.ones(n)


def linearised_variance(z: np.ndarray, design: SamplingDesign) -> float:
    """Variance of the total of ``z`` (weighted linearised contributions) under the design.

    ``V = Σ_h (1 − f_h) · n_h/(n_h − 1) · Σ_j (Z_hj − Z̄_h)²`` with ``Z_hj`` the PSU totals of
    ``z``, ``n_h`` the sampled PSUs of stratum h and ``f_h`` its sampling fraction (with
    replacement when there is no fpc).

    A stratum with a single PSU (``lonely``) is handled as R's
    ``options(survey.lonely.psu = "adjust")``: its PSU total is centred at the grand mean
    ``Σ z / (PSUs of all strata)`` instead of its own (undefined) stratum mean, with scale
    ``1 − f_h`` — conservative, and the caller names those strata in a ``lonely_psu`` notice
    (:meth:`SamplingDesign.lonely_strata`). A stratum sampled completely (``f_h = 1``)
    contributes nothing, as in R.
    """
    n_psu = design.stratum_psu_counts()
    totals = np.bincount(design.psu, weights=z, minlength=len(design.psu_stratum))
    means = np.bincount(design.psu_stratum, weights=totals, minlength=len(n_psu)) / np.maximum(n_psu, 1)
    lonely = n_psu == 1
    if lonely.any():
        means = np.where(lonely, float(np.sum(z)) / max(int(n_psu.sum()), 1), means)
    deviations = totals - means[design.psu_stratum]
    squares = np.bincount(design.psu_stratum, weights=deviations ** 2, minlength=len(n_psu))
    scale = (1 - design.sampling_fraction) * np.where(lonely, 1.0, n_psu / np.maximum(n_psu - 1, 1))
    return float(np.sum(scale * squares))
