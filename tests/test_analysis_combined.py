"""The combined (Chen–Li–Wu) estimator in a simulation of the project's own.

A finite population of 20 000 residents (age band 1–6, sex, district 1–4) whose answer
depends on age and district. The invited sample is a stratified random sample by district
with unequal allocation (design weights N_h/n_h, fpc N_h); the open sample selects itself
with a probability that depends on age (younger residents answer the open link more).

- Selection on the covariates only: over 400 replications the composite's bias is within
  0.5 points and its 95 % intervals cover the truth 92–98 % of the time.
- Selection on the answer itself (residents with a grievance answer the open link 1.7x as
  often): the assumption fails and the test shows the bias the footnote warns about.

Fixed seeds: the numbers are deterministic (not luck), and the run takes a few seconds.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.combined import combined_share, dummies
from analysis.design import SamplingDesign

N = 20_000
ALLOCATION = {1: 250, 2: 100, 3: 60, 4: 90}  # letters per district: unequal sampling fractions
REPLICATIONS = 400


def population(rng: np.random.Generator) -> pd.DataFrame:
    age = rng.integers(1, 7, N)
    sex = rng.integers(1, 3, N)
    district = rng.choice([1, 2, 3, 4], N, p=[0.4, 0.3, 0.2, 0.1])
    logit = -0.6 + 0.25 * (age - 3.5) + 0.4 * (district == 3) - 0.3 * (sex == 2)
    y = (rng.random(N) < 1 / (1 + np.exp(-logit))).astype(float)
    return pd.DataFrame({"age_band": age, "sex": sex, "district": district, "y": y})


def invited_design(pop: dict[str, np.ndarray]) -> SamplingDesign:
    """Letters are drawn district by district in ALLOCATION order: the same design every replication."""
    district = np.repeat(list(ALLOCATION), list(ALLOCATION.values()))
    big_n = np.array([np.sum(pop["district"] == h) for h in district], dtype=float)
    n_h = np.array([ALLOCATION[h] for h in district], dtype=float)
    return SamplingDesign.build(len(district), weights=big_n / n_h, strata=district, fpc=big_n)


def replicate(pop: dict[str, np.ndarray], rows: dict[int, np.ndarray], design: SamplingDesign,
              rng: np.random.Generator, on_answer: bool):
    chosen = np.concatenate([rng.choice(rows[h], n, replace=False) for h, n in ALLOCATION.items()])
    logit = -3.6 - 0.35 * (pop["age_band"] - 3.5)
    if on_answer:
        logit = logit + np.log(1.7) * (1 - pop["y"])  # grievance: answering 'no' joins more
    selected = np.flatnonzero(rng.random(N) < 1 / (1 + np.exp(-logit)))
    a = {k: v[chosen] for k, v in pop.items()}
    b = {k: v[selected] for k, v in pop.items()}
    x_a, x_b = dummies(a, b, ["age_band", "sex", "district"], len(chosen), len(selected))
    return combined_share(a["y"], np.ones(len(chosen)), design.weights, design, x_a,
                          b["y"], np.ones(len(selected)), x_b)


def simulate(on_answer: bool) -> tuple[float, float, float]:
    rng = np.random.default_rng(20261129)
    frame = population(rng)
    pop = {k: frame[k].to_numpy(dtype=float) for k in frame.columns}
    rows = {h: np.flatnonzero(pop["district"] == h) for h in ALLOCATION}
    design = invited_design(pop)
    truth = pop["y"].mean()
    z = stats.norm.ppf(0.975)
    errors, covered, lam = [], 0, []
    for _ in range(REPLICATIONS):
        est = replicate(pop, rows, design, rng, on_answer)
        errors.append(est.estimate - truth)
        covered += abs(est.estimate - truth) <= z * est.se
        lam.append(est.weight_invited)
    return 100 * float(np.mean(errors)), covered / REPLICATIONS, float(np.mean(lam))


def test_selection_on_covariates_is_unbiased_and_covers():
    bias, coverage, lam = simulate(on_answer=False)
    assert abs(bias) < 0.5
    assert 0.92 <= coverage <= 0.98
    assert 0.05 < lam < 0.95  # both samples contribute


def test_selection_on_the_answer_shows_the_bias():
    bias, coverage, _lam = simulate(on_answer=True)
    assert bias < -1.0  # the open sample's grievance pulls the figure down
    assert coverage < 0.90


@pytest.mark.parametrize("seed", [1, 2])
def test_open_sample_without_common_levels_still_estimates(seed):
    rng = np.random.default_rng(seed)
    a = {"age_band": rng.integers(1, 4, 80).astype(float), "y": (rng.random(80) < 0.5).astype(float)}
    b = {"age_band": rng.integers(3, 6, 40).astype(float), "y": (rng.random(40) < 0.5).astype(float)}
    x_a, x_b = dummies(a, b, ["age_band"], 80, 40)
    design = SamplingDesign.build(80, weights=np.full(80, 50.0))
    est = combined_share(a["y"], np.ones(80), design.weights, design, x_a, b["y"], np.ones(40), x_b)
    assert 0 <= est.estimate <= 1 and np.isfinite(est.se)
