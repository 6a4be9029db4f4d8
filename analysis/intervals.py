"""Confidence intervals for a proportion estimated from a complex sample.

All three take the estimate ``p``, its design-based variance ``v``, the design's degrees
of freedom ``df`` and the number of respondents ``n`` in the base:

- ``logit`` (default; R's ``svyciprop(method="logit")``): a Wald interval on the logit
  scale, ``expit(logit p ± t_{df,1−α/2} · √v / (p(1−p)))``. Stays inside (0, 1) and is
  asymmetric near 0 and 1, where most municipal shares are not, but small groups are.
- ``beta`` (Korn & Graubard 1998; R's ``method="beta"``): a Clopper–Pearson interval on
  the effective sample size ``n* = p(1−p)/v · (t_{n−1,α/2} / t_{df,α/2})²``:
  ``[B(α/2; n*p, n*(1−p)+1), B(1−α/2; n*p+1, n*(1−p))]``. Conservative.
- ``wilson``: the Wilson score interval with ``n`` replaced by the design-based effective
  sample size ``p(1−p)/v`` and ``z`` by ``t_{df,1−α/2}``.

When ``p`` is 0 or 1 the design variance is 0 and none of these is defined: the
interval is then the exact Clopper–Pearson interval on ``fallback_n`` (the Kish
effective sample size) for every method, and the caller reports that it did so.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

# The quantiles straight from scipy.special, the functions scipy.stats' t, beta and norm call
# for their ppf (equal to the last bit, NaN and infinite df included): importing scipy.stats
# cost every process that imports the analysis (the CLI, each web worker) half a second (1.49 → 0.97 s).
from scipy.special import betaincinv, expit, logit, ndtri, stdtrit

Interval = tuple[float, float]


def t_quantile(q: float, df: float) -> float:
    """Student's t quantile (``scipy.stats.t.ppf(q, df)``; R's ``qt(q, df)``)."""
    return float(stdtrit(df, q))


def normal_quantile(q: float) -> float:
    """Standard normal quantile (``scipy.stats.norm.ppf(q)``; R's ``qnorm(q)``)."""
    return float(ndtri(q))


def beta_quantile(q: float, a: float, b: float) -> float:
    """Beta quantile (``scipy.stats.beta.ppf(q, a, b)``; R's ``qbeta(q, a, b)``)."""
    return float(betaincinv(a, b, q))


def _t(level: float, df: float) -> float:
    return t_quantile(1 - (1 - level) / 2, df)


def clopper_pearson(p: float, n: float, level: float) -> Interval:
    alpha = 1 - level
    x = p * n
    low = 0.0 if x <= 0 else beta_quantile(alpha / 2, x, n - x + 1)
    high = 1.0 if x >= n else beta_quantile(1 - alpha / 2, x + 1, n - x)
    return low, high


def logit_interval(p: float, variance: float, df: float, n: int, level: float) -> Interval:
    half = _t(level, df) * np.sqrt(variance) / (p * (1 - p))
    centre = logit(p)
    return float(expit(centre - half)), float(expit(centre + half))


def beta_interval(p: float, variance: float, df: float, n: int, level: float) -> Interval:
    alpha = 1 - level
    n_eff = p * (1 - p) / variance
    if n > 1:
        n_eff *= (t_quantile(alpha / 2, n - 1) / t_quantile(alpha / 2, df)) ** 2
    low = beta_quantile(alpha / 2, n_eff * p, n_eff * (1 - p) + 1)
    high = beta_quantile(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p))
    return low, high


def wilson_interval(p: float, variance: float, df: float, n: int, level: float) -> Interval:
    n_eff = p * (1 - p) / variance
    z2 = _t(level, df) ** 2
    centre = (p + z2 / (2 * n_eff)) / (1 + z2 / n_eff)
    half = np.sqrt(z2) / (1 + z2 / n_eff) * np.sqrt(p * (1 - p) / n_eff + z2 / (4 * n_eff ** 2))
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


INTERVALS: dict[str, Callable[..., Interval]] = {
    "logit": logit_interval,
    "beta": beta_interval,
    "wilson": wilson_interval,
}


def proportion_interval(method: str, p: float, variance: float, df: float, n: int, level: float,
                        fallback_n: float) -> tuple[Interval, bool]:
    """(interval, degenerate?) — degenerate when p is 0 or 1 or the variance is 0."""
    if not 0 < level < 1:
        raise ValueError(f"confidence level must be between 0 and 1, got {level}")
    if method not in INTERVALS:
        raise ValueError(f"unknown interval method '{method}' (use {', '.join(INTERVALS)})")
    if p <= 0 or p >= 1 or variance <= 0:
        return clopper_pearson(min(max(p, 0.0), 1.0), max(fallback_n, 1.0), level), True
    return INTERVALS[method](p, variance, df, n, level), False


def mean_interval(mean: float, variance: float, df: float, level: float) -> Interval:
    half = _t(level, df) * np.sqrt(variance)
    return mean - half, mean + half
