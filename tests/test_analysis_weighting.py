"""Weighting methods: raking, post-stratification, trimming (R semantics), propensity; bad margins."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import AnalysisError, ConvergenceError, MarginError
from analysis.trim import trim_weights
from analysis.weighting import METHODS, WeightingInput, margin, poststratify, propensity, rake
from analysis.weighting.rake import max_relative_error


def sample(n: int = 400, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"age": rng.integers(1, 4, n).astype(float), "sex": rng.integers(1, 3, n).astype(float),
                         "district": rng.integers(1, 5, n).astype(float)})


AGE = margin("age", {1: 300, 2: 500, 3: 200})
SEX = margin("sex", {1: 480, 2: 520})
DISTRICT = margin("district", {1: 100, 2: 200, 3: 300, 4: 400})


def weighted_counts(data, weights, dims):
    return pd.Series(weights, index=data.index).groupby([data[d] for d in dims]).sum()


def test_registry_has_one_signature_per_method():
    assert set(METHODS) == {"none", "design", "poststratify", "rake", "propensity"}
    data = sample()
    result = METHODS["none"](WeightingInput(data, np.ones(len(data))))
    assert result.method == "none" and np.all(result.weights == 1)


def test_rake_meets_every_margin_to_1e_10():
    data = sample()
    result = rake(WeightingInput(data, np.ones(len(data)), (AGE, SEX, DISTRICT)))
    assert result.max_error <= 1e-10
    for m in (AGE, SEX, DISTRICT):
        got = weighted_counts(data, result.weights, m.dims)
        for cell, target in zip(m.cells, m.counts, strict=True):
            assert got[cell[0]] == pytest.approx(target, rel=1e-10)
    assert np.all(result.weights > 0)


def test_rake_with_a_joint_margin():
    data = sample(600)
    joint = margin(("age", "sex"), {(a, s): 100.0 + 10 * a + 5 * s for a in (1, 2, 3) for s in (1, 2)})
    total = joint.total
    district = margin("district", {d: total * share for d, share in zip((1, 2, 3, 4), (0.1, 0.2, 0.3, 0.4),
                                                                             strict=True)})
    result = rake(WeightingInput(data, np.ones(len(data)), (joint, district)))
    got = weighted_counts(data, result.weights, ("age", "sex"))
    assert got[(2, 1)] == pytest.approx(125.0, rel=1e-10)
    assert result.weights.sum() == pytest.approx(total)


def test_missing_weighting_variable_is_kept_counted_and_shares_the_rest():
    data = sample()
    data.loc[:9, "sex"] = np.nan
    data.loc[10:14, "sex"] = 3.0  # "other / prefer not to answer" is a missing code
    result = rake(WeightingInput(data, np.ones(len(data)), (AGE, SEX), {"sex": frozenset({3})}))
    assert len(result.weights) == len(data) and np.all(result.weights > 0)
    assert result.weights.sum() == pytest.approx(1000)
    known = data.sex.isin([1, 2])
    by_sex = weighted_counts(data[known], result.weights[known.to_numpy()], ("sex",))
    assert by_sex[1] / by_sex[2] == pytest.approx(480 / 520, rel=1e-9)
    notice = next(n for n in result.notices if n.code == "missing_weighting_variable")
    assert notice.params == {"n": 15, "dimension": "sex"}
    assert "15" in notice.message("en") and "15人" in notice.message("ja")


def test_missing_category_keeps_its_sample_share_whatever_the_design_weights_sum_to():
    data = sample()
    data.loc[: len(data) // 2, "sex"] = np.nan  # half the respondents did not say
    huge = rake(WeightingInput(data, np.full(len(data), 1e6), (AGE, SEX)))
    small = rake(WeightingInput(data, np.full(len(data), 1e-3), (AGE, SEX)))
    assert np.all(huge.weights > 0) and huge.weights == pytest.approx(small.weights, rel=1e-9)
    assert huge.weights.sum() == pytest.approx(1000)


def test_empty_cell_is_named():
    data = sample()
    data.loc[data.age == 2, "age"] = 1
    with pytest.raises(MarginError, match=r"no respondents in age=2 \(population 500\)"):
        rake(WeightingInput(data, np.ones(len(data)), (AGE, SEX)))


def test_category_missing_from_the_margin_is_named():
    data = sample()
    data.loc[0, "district"] = 7
    with pytest.raises(MarginError, match="'district' has no category 7, but 1 respondent"):
        rake(WeightingInput(data, np.ones(len(data)), (DISTRICT,)))


def test_a_weighting_variable_nobody_gave_is_named():
    data = sample()
    data["district"] = np.nan
    with pytest.raises(MarginError, match="no respondent gave 'district'"):
        rake(WeightingInput(data, np.ones(len(data)), (AGE, DISTRICT.scaled(1.0))))


def test_zero_population_cell_with_respondents_is_refused():
    data = sample()
    with pytest.raises(MarginError, match="sex=2 has respondents but a population count of 0"):
        rake(WeightingInput(data, np.ones(len(data)), (margin("sex", {1: 1000, 2: 0}),)))


def test_margins_with_different_totals_are_refused():
    data = sample()
    with pytest.raises(MarginError, match="'sex' sums to 1100 but 'age' sums to 1000"):
        rake(WeightingInput(data, np.ones(len(data)), (AGE, margin("sex", {1: 500, 2: 600}))))


def test_small_total_differences_are_rescaled_with_a_warning():
    data = sample()
    result = rake(WeightingInput(data, np.ones(len(data)), (AGE, margin("sex", {1: 482, 2: 520}))))
    assert result.weights.sum() == pytest.approx(1000)
    assert any(n.code == "totals_rescaled" for n in result.notices)


def test_contradictory_margins_fail_loudly_with_the_reached_error():
    data = sample()
    joint = margin(("age", "sex"), {(1, 1): 100, (1, 2): 100, (2, 1): 300, (2, 2): 300, (3, 1): 100, (3, 2): 100})
    with pytest.raises(ConvergenceError, match="largest relative margin error is") as info:
        rake(WeightingInput(data, np.ones(len(data)), (AGE, joint)), max_sweeps=50)
    assert info.value.reached > 1e-10 and info.value.sweeps == 50


def test_poststratify_hits_joint_cells_exactly_and_reports_unused_margins():
    data = sample()
    joint = margin(("age", "sex"), {(a, s): 100.0 * a + s for a in (1, 2, 3) for s in (1, 2)})
    result = poststratify(WeightingInput(data, np.full(len(data), 2.0), (joint, DISTRICT.scaled(joint.total / 1000))))
    got = weighted_counts(data, result.weights, ("age", "sex"))
    assert got[(3, 2)] == pytest.approx(302.0, rel=1e-12)
    assert any(n.code == "ignored_margins" for n in result.notices)


def test_poststratify_needs_one_joint_table():
    data = sample()
    with pytest.raises(MarginError, match="one table of joint cells, got age, sex"):
        poststratify(WeightingInput(data, np.ones(len(data)), (AGE, SEX)))


def test_trim_redistributes_equally_like_r_trimweights():
    w = np.array([1.0, 1.0, 1.0, 1.0, 10.0])
    assert trim_weights(w, upper=5) == pytest.approx([2.25, 2.25, 2.25, 2.25, 5.0])
    raised = trim_weights(np.array([0.5, 2.0, 2.0, 3.5]), lower=1.0)
    assert raised == pytest.approx([1.0, 2.0 - 0.5 / 3, 2.0 - 0.5 / 3, 3.5 - 0.5 / 3])


def test_trim_non_strict_is_one_pass_and_strict_ends_inside_the_bounds():
    w = np.array([1.0, 4.0, 4.0, 10.0])
    once = trim_weights(w, upper=5)
    assert once == pytest.approx([1 + 5 / 3, 4 + 5 / 3, 4 + 5 / 3, 5.0])
    strict = trim_weights(w, upper=5, strict=True)
    assert strict.max() <= 5 + 1e-9 and strict.sum() == pytest.approx(w.sum())
    assert strict == pytest.approx([4.0, 5.0, 5.0, 5.0], abs=1e-6)


def test_trim_refuses_bounds_that_cannot_hold_the_total():
    with pytest.raises(AnalysisError, match="cannot hold 3 weights"):
        trim_weights(np.array([1.0, 2.0, 9.0]), upper=3.5)
    with pytest.raises(AnalysisError, match="reversed"):
        trim_weights(np.ones(3), lower=2, upper=1)


def invited_cells():
    return pd.DataFrame({"age": [1, 2, 3], "invited": [100, 100, 100], "responded": [20, 40, 80]})


def respondents_of(cells: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"age": np.repeat(cells.age.to_numpy(), cells.responded.to_numpy()).astype(float)})


def test_propensity_weights_are_design_weight_over_response_rate():
    cells = invited_cells()
    people = respondents_of(cells)
    result = propensity(WeightingInput(people, np.full(len(people), 10.0), invited=cells, sampling=people))
    by_age = pd.Series(result.weights).groupby(people.age).first()
    assert by_age.to_numpy() == pytest.approx([10 / 0.2, 10 / 0.4, 10 / 0.8], rel=1e-5)
    assert result.weights.sum() == pytest.approx(3000, rel=1e-5)


def test_propensity_then_rake_meets_the_margins():
    cells = invited_cells()
    people = respondents_of(cells)
    target = margin("age", {1: 1000, 2: 1000, 3: 2000})
    result = propensity(WeightingInput(people, np.ones(len(people)), (target,), invited=cells, sampling=people))
    assert result.method == "propensity" and result.calibration is not None
    assert max_relative_error(result.codings, result.weights, 4000) <= 1e-10


def test_propensity_needs_an_invited_sample():
    data = sample()
    with pytest.raises(AnalysisError, match="needs the survey's letters with their sampling strata"):
        propensity(WeightingInput(data, np.ones(len(data))))
