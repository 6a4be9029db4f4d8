"""Trimming inside calibration: bounds and margins hold together, or the bounds are refused."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.design import SamplingDesign
from analysis.errors import TrimInfeasible
from analysis.estimate import WeightedSample, proportion
from analysis.trim import trim_weights
from analysis.weighting import WeightingInput, margin, rake
from analysis.weighting.bounded import bounded_rake
from analysis.weighting.rake import max_relative_error

AGE = margin("age", {1: 300, 2: 500, 3: 200})
SEX = margin("sex", {1: 480, 2: 520})
DISTRICT = margin("district", {1: 100, 2: 200, 3: 300, 4: 400})


def sample(n: int = 600, seed: int = 5) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    # the sample over-represents age 3 and district 1: raking needs a wide range of weights
    data = pd.DataFrame({"age": rng.choice([1, 2, 3], n, p=[0.2, 0.4, 0.4]).astype(float),
                         "sex": rng.integers(1, 3, n).astype(float),
                         "district": rng.choice([1, 2, 3, 4], n, p=[0.25, 0.2, 0.25, 0.3]).astype(float)})
    return data, rng.uniform(0.7, 1.5, n)


def test_trimming_after_raking_breaks_the_margins_that_bounded_raking_keeps():
    data, design = sample()
    raked = rake(WeightingInput(data, design, (AGE, SEX, DISTRICT)))
    mean = raked.weights.mean()
    trimmed = trim_weights(raked.weights, 0.3 * mean, 1.8 * mean, strict=True)
    assert max_relative_error(raked.codings, trimmed, 1000) > 0.05  # the old way: margins off
    bounded = bounded_rake(WeightingInput(data, design, (AGE, SEX, DISTRICT)), 0.3, 1.8)
    assert bounded.max_error <= 1e-8
    assert max_relative_error(bounded.codings, bounded.weights, 1000) <= 1e-8
    assert bounded.weights.min() >= 0.3 * mean * (1 - 1e-9) and bounded.weights.max() <= 1.8 * mean * (1 + 1e-9)
    assert raked.weights.max() > 1.8 * mean  # the bounds did bind
    assert bounded.notices[-1].code == "trimmed_calibrated" and bounded.notices[-1].params["n"] > 0


def test_bounds_no_weights_can_meet_are_refused_naming_the_cell():
    data, design = sample()
    with pytest.raises(TrimInfeasible, match=r"^trim_infeasible: no weights within 0.5–1.8 × the mean weight .* district=1 needs 100 from 140"):
        bounded_rake(WeightingInput(data, design, (AGE, SEX, DISTRICT)), 0.5, 1.8)


def test_bounds_that_do_not_bind_give_plain_raking_and_its_variance():
    data, design = sample()
    inputs = WeightingInput(data, design, (AGE, SEX, DISTRICT))
    raked, bounded = rake(inputs), bounded_rake(inputs, 0.01, 100)
    assert np.allclose(bounded.weights, raked.weights, rtol=1e-7)
    srs = SamplingDesign.build(len(data))
    y = (data.age.to_numpy() + data.district.to_numpy()) % 2 == 0
    base = np.ones(len(y), dtype=bool)
    plain = proportion(WeightedSample(raked.weights, srs, raked.calibration), y, base)
    within = proportion(WeightedSample(bounded.weights, srs, bounded.calibration), y, base)
    assert within.se == pytest.approx(plain.se, rel=1e-6)


def test_weights_held_at_a_bound_are_not_credited_by_the_calibration():
    data, design = sample()
    inputs = WeightingInput(data, design, (AGE, SEX, DISTRICT))
    bounded = bounded_rake(inputs, 0.3, 1.8)
    at_bound = bounded.calibration.pre_weights == 0
    assert at_bound.any() and not at_bound.all()
    assert np.all(bounded.calibration.pre_weights[~at_bound] == design[~at_bound])
