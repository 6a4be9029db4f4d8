"""Estimates, intervals, design edge cases, breakdown flags, baseline verdicts, target distance."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis.breakdown import Thresholds, group_rows, indicator_masks, target_block
from analysis.change import change
from analysis.design import SamplingDesign
from analysis.errors import AnalysisError
from analysis.estimate import Estimate, WeightedSample, mean, proportion
from analysis.intervals import (
    beta_quantile,
    clopper_pearson,
    normal_quantile,
    proportion_interval,
    t_quantile,
)
from analysis.result import Target as ResultTarget
from survey_app.instrument import Indicator, Published, Target


def srs(n: int) -> WeightedSample:
    design = SamplingDesign.build(n)
    return WeightedSample(design.weights, design)


def test_unweighted_share_has_the_textbook_variance():
    y = np.array([1] * 30 + [0] * 70, dtype=bool)
    est = proportion(srs(100), y, np.ones(100, dtype=bool))
    assert est.estimate == pytest.approx(0.3)
    # with replacement (no fpc): V = s²/n with s² = n/(n−1)·p(1−p), i.e. p(1−p)/(n−1)
    assert est.se == pytest.approx(np.sqrt(0.3 * 0.7 / 99))
    assert est.df == 99 and est.kish_n_eff == pytest.approx(100)
    assert est.deff == pytest.approx(1.0)


def test_intervals_contain_the_estimate_and_differ_by_method():
    y = np.array([1] * 12 + [0] * 88, dtype=bool)
    base = np.ones(100, dtype=bool)
    results = {m: proportion(srs(100), y, base, method=m) for m in ("logit", "beta", "wilson")}
    for est in results.values():
        assert est.ci_low < est.estimate < est.ci_high
    assert results["beta"].ci_high - results["beta"].ci_low > results["wilson"].ci_high - results["wilson"].ci_low


def test_wilson_matches_the_closed_form_on_a_simple_random_sample():
    p, n = 0.3, 100
    variance = p * (1 - p) / n
    (low, high), _ = proportion_interval("wilson", p, variance, df=10**9, n=n, level=0.95, fallback_n=n)
    z = stats.norm.ppf(0.975)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert (low, high) == pytest.approx((centre - half, centre + half), rel=1e-6)


def test_zero_share_falls_back_to_clopper_pearson_on_kish_n():
    y = np.zeros(50, dtype=bool)
    est = proportion(srs(50), y, np.ones(50, dtype=bool))
    assert est.degenerate and est.estimate == 0 and est.ci_low == 0
    assert est.ci_high == pytest.approx(clopper_pearson(0, 50, 0.95)[1])


def test_base_rule_valid_excludes_missing_codes_and_all_counts_them_as_not_positive(bundled_instrument):
    values = np.array([1, 2, 3, 9, np.nan])
    valid = Indicator("x", "kosodate", frozenset({1, 2}), "valid", "t")
    everyone = Indicator("x", "kosodate", frozenset({1, 2}), "all", "t")
    positive, base = indicator_masks(bundled_instrument, valid, values)
    assert positive.tolist() == [True, True, False, False, False] and base.tolist() == [True] * 3 + [False] * 2
    _, base_all = indicator_masks(bundled_instrument, everyone, values)
    assert base_all.all()


def test_mean_of_a_numeric_variable_ignores_no_answer():
    x = np.array([1.0, 2.0, 3.0, np.nan])
    est = mean(srs(4), x)
    assert est.estimate == pytest.approx(2.0) and est.n == 3


def test_fpc_must_be_constant_within_a_stratum_and_not_below_the_sample():
    with pytest.raises(AnalysisError, match="fpc differs within stratum 'a'"):
        SamplingDesign.build(4, strata=["a", "a", "b", "b"], fpc=[10, 11, 5, 5])
    with pytest.raises(AnalysisError, match=r"stratum 'b' has 2 sampled PSUs but an fpc of 1\.5"):
        SamplingDesign.build(4, strata=["a", "a", "b", "b"], fpc=[10, 10, 1.5, 1.5])


def test_full_census_stratum_has_no_variance():
    design = SamplingDesign.build(4, fpc=[4, 4, 4, 4])
    est = proportion(WeightedSample(design.weights, design), np.array([1, 0, 1, 1], bool), np.ones(4, bool))
    assert est.se == 0


def test_groups_are_flagged_and_small_groups_suppressed():
    n = 100
    by = np.array([1] * 60 + [2] * 25 + [3] * 9 + [4] * 6, dtype=float)
    y = np.arange(n) % 2 == 0
    rows = group_rows(srs(n), y, np.ones(n, bool), by, "district", {1: "A", 2: "B", 3: "C", 4: "D", 5: "E"},
                      "logit", 0.95, Thresholds())
    flags = {r.category: r.flag for r in rows}
    assert flags == {1: None, 2: "caution", 3: "suppressed", 4: "suppressed", 5: "suppressed"}
    hidden = [r for r in rows if r.flag == "suppressed"]
    assert all(r.estimate is None and r.n is None and r.ci_low is None for r in hidden)
    stricter = group_rows(srs(n), y, np.ones(n, bool), by, "district", {2: "B"}, "logit", 0.95, Thresholds(50, 30))
    assert stricter[0].flag == "suppressed"


def make(estimate, low, high, se=0.01) -> Estimate:
    return Estimate(estimate, se, low, high, 500)


@pytest.mark.parametrize(("estimate", "verdict"), [(0.60, "improved"), (0.56, "no detectable change"),
                                                  (0.50, "worsened")])
def test_verdict_is_a_two_sample_z_on_the_difference(estimate, verdict):
    result = change(make(estimate, estimate - 0.02, estimate + 0.02, se=0.01), Published(55.0, 2023, se=1.5),
                    0.95, "valid")
    half = stats.norm.ppf(0.975) * np.hypot(1.0, 1.5)
    assert result.verdict == verdict and result.method == "two_sample_z"
    assert result.estimate == pytest.approx(100 * estimate - 55.0)
    assert (result.ci_low, result.ci_high) == pytest.approx((result.estimate - half, result.estimate + half))


def test_baseline_without_se_is_only_indicative():
    result = change(make(0.70, 0.68, 0.72), Published(55.0, 2023), 0.95, "valid")
    assert result.verdict == "indicative" and result.baseline_se is None
    assert result.ci_low == pytest.approx(68 - 55.0)
    assert change(make(0.58, 0.56, 0.60), None, 0.95, "valid") is None


def test_baseline_se_from_n_and_deff():
    assert Published(50.0, 2023, n=1000, deff=1.44).standard_error() == pytest.approx(100 * np.sqrt(0.25 * 1.44 / 1000))
    assert Published(50.0, 2023, se=2.0).standard_error() == 2.0
    assert Published(50.0, 2023).standard_error() is None


def test_distance_to_target_when_set():
    indicator = Indicator("x", "q", frozenset({1}), "valid", "t", target=Target(60.0, 2029))
    assert target_block(indicator, make(0.55, 0.5, 0.6)).distance == pytest.approx(5.0)
    unset = Indicator("x", "q", frozenset({1}), "valid", "t", target=Target(None, 2029))
    assert target_block(unset, make(0.55, 0.5, 0.6)) == ResultTarget(None, 2029, None)


@pytest.mark.parametrize("q", [0.005, 0.025, 0.5, 0.975, 0.995])
def test_the_quantiles_are_scipy_stats_own(q: float) -> None:
    """scipy.special's functions, which scipy.stats' ppf calls: the same floats, edge cases included."""
    for df in (0.5, 1, 1.7, 29, 1e4, np.inf):
        assert t_quantile(q, df) == stats.t.ppf(q, df)
    for a in (1e-3, 0.3, 2.5, 500.0, 1e5):
        for b in (1e-3, 1.0, 10.0, 1e5):
            assert beta_quantile(q, a, b) == stats.beta.ppf(q, a, b)
    assert normal_quantile(q) == stats.norm.ppf(q)
    assert np.isnan(t_quantile(q, 0)) and np.isnan(beta_quantile(q, 0, 1))


def test_importing_the_analysis_leaves_scipy_stats_unimported() -> None:
    """scipy.stats cost every process that imports the analysis (CLI, web workers) half a second."""
    import subprocess
    import sys

    code = "import sys, analysis, survey_app.web; print(any(m.startswith('scipy.stats') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
