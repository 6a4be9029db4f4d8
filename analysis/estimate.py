"""Weighted shares and means with Taylor-linearised variance.

Both are ratio estimators over a domain ``d`` (the indicator's base, within a breakdown
group if any): ``θ̂ = Σ w d y / Σ w d``. Their linearised scores are
``u_i = d_i (y_i − θ̂) / Σ w d``; units outside the domain keep score 0 but stay in their
PSUs and strata, so domain estimates use the full design (as R's ``svyby``/``subset``).
After calibration the scores are replaced by their residuals from the calibration model
fitted with the pre-calibration weights (:class:`analysis.weighting.Calibration`), and
the variance is that of the total of ``w_i e_i`` under the design
(:func:`analysis.design.linearised_variance`).

Diagnostics:

- ``deff`` = V / V_srs with ``V_srs = s²/n`` (× ``(1 − n/Σw)`` when the design has an fpc,
  as R's ``svymean(deff=TRUE)``), ``s²`` the weighted variance with the ``n/(n−1)`` factor.
- ``n_eff`` (design-based effective sample size) = ``θ̂(1−θ̂)/V`` for shares (R's
  ``svyciprop``), ``s²/V`` for means: the size of a simple random sample that would
  have given the same variance.
- ``kish_n_eff`` = ``(Σw)² / Σw²``: the loss from unequal weights alone.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.design import SamplingDesign, linearised_variance
from analysis.intervals import mean_interval, proportion_interval
from analysis.weighting import Calibration


@dataclass(frozen=True)
class WeightedSample:
    weights: np.ndarray
    design: SamplingDesign
    calibration: Calibration | None = None


@dataclass(frozen=True)
class Estimate:
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    n_positive: int | None = None
    n_eff: float | None = None
    deff: float | None = None
    kish_n_eff: float | None = None
    df: int | None = None
    degenerate: bool = False


def _empty(n_positive: int | None = None) -> Estimate:
    return Estimate(None, None, None, None, 0, n_positive)


def _ratio_parts(sample: WeightedSample, y: np.ndarray, domain: np.ndarray
                 ) -> tuple[float, float, float, float | None, float, int]:
    """(estimate, variance, s², deff, Kish n_eff, n): shared by shares and means."""
    w = sample.weights
    wd = np.where(domain, w, 0.0)
    total_w = wd.sum()
    theta = float(np.dot(wd, np.where(domain, y, 0.0)) / total_w)
    scores = np.where(domain, y - theta, 0.0) / total_w
    if sample.calibration is not None:
        scores = sample.calibration.residuals(scores)
    variance = linearised_variance(w * scores, sample.design)
    n = int(domain.sum())
    s2 = float(np.dot(wd, np.where(domain, (y - theta) ** 2, 0.0)) / total_w) * (n / (n - 1) if n > 1 else np.nan)
    v_srs = s2 / n * ((total_w - n) / total_w if sample.design.has_fpc else 1.0)
    deff = variance / v_srs if n > 1 and v_srs > 0 else None
    kish = float(total_w ** 2 / np.dot(wd, wd))
    return theta, variance, s2, deff, kish, n


def proportion(sample: WeightedSample, positive: np.ndarray, base: np.ndarray,
               domain: np.ndarray | None = None, method: str = "logit", level: float = 0.95) -> Estimate:
    """Weighted share of ``positive`` among ``base`` (within ``domain``), on the 0–1 scale."""
    d = base if domain is None else (base & domain)
    n_positive = int(np.sum(positive & d))
    if not d.any():
        return _empty(n_positive)
    p, variance, _s2, deff, kish, n = _ratio_parts(sample, positive.astype(float), d)
    # A ratio of weighted sums can land a rounding error outside [0, 1] (1.0000000000000002 when
    # everyone is positive); a share is exactly 0 or 1 when nobody or everybody is.
    p = 1.0 if n_positive == n else 0.0 if n_positive == 0 else min(max(p, 0.0), 1.0)
    df = sample.design.degrees_of_freedom(d)
    (low, high), degenerate = proportion_interval(method, p, variance, df, n, level, fallback_n=kish)
    n_eff = p * (1 - p) / variance if variance > 0 else kish
    return Estimate(p, float(np.sqrt(variance)), low, high, n, n_positive, n_eff, deff, kish, df, degenerate)


def mean(sample: WeightedSample, values: np.ndarray, domain: np.ndarray | None = None,
         level: float = 0.95) -> Estimate:
    """Weighted mean of a numeric variable (NaN = no answer) with a t interval on the design df."""
    x = np.asarray(values, dtype=float)
    d = ~np.isnan(x) if domain is None else (~np.isnan(x) & domain)
    if not d.any():
        return _empty()
    m, variance, s2, deff, kish, n = _ratio_parts(sample, np.nan_to_num(x), d)
    df = sample.design.degrees_of_freedom(d)
    low, high = mean_interval(m, variance, df, level)
    n_eff = s2 / variance if variance > 0 else kish
    return Estimate(m, float(np.sqrt(variance)), low, high, n, None, n_eff, deff, kish, df)
