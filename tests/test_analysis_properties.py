"""Property tests (hypothesis) of raking and estimation — issue 6, part 7."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.design import SamplingDesign
from analysis.estimate import WeightedSample, proportion
from analysis.weighting import WeightingInput, margin, rake

LEVELS = {"age": 4, "sex": 2, "district": 3}
FAST = settings(max_examples=40, deadline=None)


@st.composite
def samples(draw):
    """Respondents covering every category, positive design weights, consistent population margins."""
    n = draw(st.integers(min_value=0, max_value=150))
    seed = draw(st.integers(min_value=0, max_value=2**32 - 1))
    rng = np.random.default_rng(seed)
    drawn = pd.DataFrame({dim: rng.integers(1, k + 1, n) for dim, k in LEVELS.items()})
    # every combination of categories has a respondent, so any positive margins can be met
    grid = pd.MultiIndex.from_product([range(1, k + 1) for k in LEVELS.values()], names=list(LEVELS)).to_frame()
    data = pd.concat([grid.reset_index(drop=True), drawn], ignore_index=True).astype(float)
    n = len(data)
    weights = rng.uniform(0.5, 3.0, n)
    total = draw(st.floats(min_value=100, max_value=1e7))
    margins = tuple(margin(dim, dict(zip(range(1, k + 1), total * rng.dirichlet(np.ones(k) * 2) + 1e-9 * total,
                                         strict=True)))
                    for dim, k in LEVELS.items())
    return data, weights, margins


def counts(data: pd.DataFrame, weights: np.ndarray, dim: str) -> np.ndarray:
    return np.bincount(data[dim].to_numpy(int), weights=weights, minlength=LEVELS[dim] + 1)[1:]


@FAST
@given(samples())
def test_raked_margins_equal_their_targets_and_weights_stay_positive(case):
    data, weights, margins = case
    result = rake(WeightingInput(data, weights, margins))
    assert np.all(result.weights > 0)
    for m in margins:
        target = m.counts * margins[0].total / m.total
        assert np.allclose(counts(data, result.weights, m.dims[0]), target, rtol=1e-9)


@FAST
@given(samples(), st.floats(min_value=0.5, max_value=40))
def test_a_sample_that_matches_the_population_keeps_equal_weights(case, scale):
    data, _weights, _ = case
    matched = tuple(margin(dim, {float(c): scale * float((data[dim] == c).sum()) for c in range(1, k + 1)})
                    for dim, k in LEVELS.items())
    result = rake(WeightingInput(data, np.ones(len(data)), matched))
    assert np.allclose(result.weights, scale, rtol=1e-9)


@FAST
@given(samples(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(case, random):
    data, weights, margins = case
    order = list(range(len(data)))
    random.shuffle(order)
    first = rake(WeightingInput(data, weights, margins)).weights
    shuffled = rake(WeightingInput(data.iloc[order].reset_index(drop=True), weights[order], margins)).weights
    assert np.allclose(shuffled, first[order], rtol=1e-9)


@FAST
@given(samples(), st.floats(min_value=1e-3, max_value=1e3))
def test_scaling_the_population_scales_weights_and_keeps_estimates(case, factor):
    data, weights, margins = case
    y = data.age.to_numpy() <= 2
    everyone = np.ones(len(data), dtype=bool)
    design = SamplingDesign.build(len(data), weights=weights)
    results = []
    for ms in (margins, tuple(m.scaled(factor) for m in margins)):
        raked = rake(WeightingInput(data, weights, ms))
        results.append((raked.weights, proportion(WeightedSample(raked.weights, design, raked.calibration), y,
                                                  everyone, domain=data.sex.to_numpy() == 1)))
    (w1, e1), (w2, e2) = results
    assert np.allclose(w2, w1 * factor, rtol=1e-8)
    assert np.isclose(e1.estimate, e2.estimate, rtol=1e-9)
    assert np.isclose(e1.se, e2.se, rtol=1e-6, atol=1e-12)
