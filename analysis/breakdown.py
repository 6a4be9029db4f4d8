"""Indicator results: the overall share, breakdowns, change from baseline, distance to target.

All percentages are in percentage points (0–100) at full precision.

Breakdowns (``--by``): one cell per choice of the breakdown question, estimated as a
domain of the full design. Cells with fewer than ``suppress_below`` respondents (default
10) are *suppressed*: no estimate, no interval and no n, so that a small group — Urdu
speakers in one district, say — can never be singled out. Cells below ``caution_below``
(default 30) carry the flag ``"caution"`` ("interpret with caution").

Change from baseline: the baseline is treated as a **fixed published value** — the
city publishes it without a standard error, so its own sampling error is unknown and is
not added. The change is ``estimate − baseline`` with the interval ``[low − baseline,
high − baseline]``; the verdict is ``improved`` when the whole interval lies above the
baseline, ``worsened`` when it lies below, otherwise ``no detectable change``. All
indicators are shares of residents who agree, so higher is better. When the baseline's
standard error *is* known (``baseline_se``), the change's variance is the sum of both
variances (independent samples) and the interval is the normal one on the difference.

Distance to target (when the city has set one): ``target − estimate``; positive means
still below target.
"""
from __future__ import annotations

import numpy as np
from scipy import stats

from analysis.estimate import Estimate, WeightedSample, proportion
from analysis.result import Change, GroupResult, Target, Thresholds
from survey_app.instrument import Indicator, Instrument


def pp(value: float | None) -> float | None:
    return None if value is None else 100.0 * value


def indicator_masks(instrument: Instrument, indicator: Indicator, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(positive, base) under the indicator's base rule.

    ``valid``: answered and not a code marked missing (e.g. わからない);
    ``all``: every respondent (no answer and "missing" codes count as not positive).
    """
    question = instrument.question(indicator.question)
    missing = list(question.choice_list.missing_codes()) if question.choice_list else []
    answered = ~np.isnan(values)
    positive = answered & np.isin(values, list(indicator.positive))
    base = answered & ~np.isin(values, missing) if indicator.base == "valid" else np.ones(len(values), dtype=bool)
    return positive, base


def change_vs_baseline(estimate: Estimate, baseline: float | None, level: float,
                       baseline_se: float | None = None) -> Change | None:
    """Change in points with its interval and verdict (see module docstring)."""
    if baseline is None or estimate.estimate is None:
        return None
    difference = pp(estimate.estimate) - baseline
    if baseline_se is None:
        low, high = pp(estimate.ci_low) - baseline, pp(estimate.ci_high) - baseline
    else:
        half = stats.norm.ppf(1 - (1 - level) / 2) * np.hypot(pp(estimate.se), baseline_se)
        low, high = difference - half, difference + half
    verdict = "improved" if low > 0 else "worsened" if high < 0 else "no detectable change"
    return Change(difference, low, high, verdict)


def target_block(indicator: Indicator, estimate: Estimate) -> Target | None:
    target = indicator.target
    if target is None:
        return None
    distance = None
    if target.value is not None and estimate.estimate is not None:
        distance = target.value - pp(estimate.estimate)
    return Target(target.value, target.year, distance)


def group_rows(sample: WeightedSample, positive: np.ndarray, base: np.ndarray, by_values: np.ndarray,
               by: str, labels: dict[int, str], method: str, level: float,
               thresholds: Thresholds) -> list[GroupResult]:
    rows = []
    for code, label in labels.items():
        est = proportion(sample, positive, base, by_values == code, method, level)
        flag = thresholds.flag(est.n)
        hidden = flag == "suppressed"
        rows.append(GroupResult(by, code, label,
                                estimate=None if hidden else pp(est.estimate),
                                ci_low=None if hidden else pp(est.ci_low),
                                ci_high=None if hidden else pp(est.ci_high),
                                n=None if hidden else est.n, flag=flag))
    return rows
