"""Change from the published baseline: a two-sample z on the difference, honest about what is unknown.

The baseline is itself a survey estimate. When its standard error is known (``se`` in the
instrument, or ``n`` with an optional ``deff``: :meth:`Published.standard_error`), the two
surveys are independent samples, so

    d = θ̂ − b,   Var(d) = SE(θ̂)² + SE(b)²,   interval d ± z_{1−α/2} · sqrt(Var(d))

(normal quantile: both figures rest on about a thousand respondents or more). The verdict is
``improved`` when the whole interval is above 0, ``worsened`` when below, otherwise
``no detectable change``. All indicators are shares of residents who agree, so higher is better.

When the baseline's precision is unknown, its sampling error cannot be added: the interval
is the estimate's own interval shifted by the baseline (an under-statement of the
uncertainty of the change), and the verdict is only ``indicative`` — never improved or
worsened — with notice ``baseline_without_se``. Two independent surveys of an unchanged
population would otherwise be declared different about three times as often as the level
promises (tests/test_analysis_change.py simulates it). The same holds at an estimate of 0 % or
100 % (``Estimate.degenerate``, notice ``degenerate_interval``): its linearised SE is 0, so the
change is the estimate's Clopper–Pearson interval shifted by the baseline, and only ``indicative``.

Comparability: a baseline whose ``base`` (valid | all) differs from the indicator's is
compared with the figure *recomputed on the baseline's base* (reported beside the official
one); a different ``weighting`` cannot be undone here and is stated. Both give notice
``baseline_not_comparable``.
"""
from __future__ import annotations

import numpy as np

from analysis.breakdown import pp
from analysis.estimate import Estimate
from analysis.intervals import normal_quantile
from analysis.notices import Notice
from analysis.result import Baseline, Change
from survey_app.instrument import Indicator, Published


def change(estimate: Estimate, baseline: Published | None, level: float, base: str) -> Change | None:
    """The change of ``estimate`` (0–1 scale) from ``baseline`` (percentage points); see module docstring."""
    if baseline is None or baseline.value is None or estimate.estimate is None:
        return None
    if estimate.ci_low is None or estimate.ci_high is None:
        return None  # no interval, nothing to weigh the difference against
    difference = pp(estimate.estimate) - baseline.value
    baseline_se = baseline.standard_error()
    # At 0 % or 100 % the linearised SE is 0: the z-test would weigh the baseline's error alone and call
    # +5 points "improved" while the estimate's own (Clopper–Pearson) interval holds the baseline.
    if baseline_se is None or estimate.se is None or estimate.degenerate:
        low, high = pp(estimate.ci_low) - baseline.value, pp(estimate.ci_high) - baseline.value
        return Change(difference, low, high, "indicative", None, "estimate_interval_only", base)
    half = normal_quantile(1 - (1 - level) / 2) * float(np.hypot(pp(estimate.se), baseline_se))
    low, high = difference - half, difference + half
    verdict = "improved" if low > 0 else "worsened" if high < 0 else "no detectable change"
    return Change(difference, low, high, verdict, baseline_se, "two_sample_z", base)


def baseline_notices(indicator: Indicator, weighting: str) -> tuple[Notice, ...]:
    """``baseline_without_se`` and ``baseline_not_comparable`` for the indicator's baseline."""
    baseline = indicator.baseline
    if baseline is None or baseline.value is None:
        return ()
    notices = []
    if baseline.standard_error() is None:
        notices.append(Notice("baseline_without_se", {"indicator": indicator.id, "year": baseline.year}))
    if baseline.base is not None and baseline.base != indicator.base:
        notices.append(Notice("baseline_not_comparable", {"indicator": indicator.id, "what": "base",
                                                          "baseline": baseline.base, "figure": indicator.base}))
    if baseline.weighting is not None and baseline.weighting != weighting:
        notices.append(Notice("baseline_not_comparable", {"indicator": indicator.id, "what": "weighting",
                                                          "baseline": baseline.weighting, "figure": weighting}))
    return tuple(notices)


def baseline_result(baseline: Published | None) -> Baseline | None:
    """The instrument's baseline as the result carries it (its SE in points when known)."""
    if baseline is None:
        return None
    return Baseline(baseline.value, baseline.year, baseline.standard_error(), baseline.n, baseline.deff,
                    baseline.base, baseline.weighting)


def comparison_base(indicator: Indicator) -> str:
    """The base the change is computed on: the baseline's when it states another one."""
    baseline = indicator.baseline
    return baseline.base if baseline is not None and baseline.base is not None else indicator.base
