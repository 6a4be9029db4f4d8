"""Calibration variance benchmark: the calibration factored once per weighting vs. re-solved per estimate.

Issue 12: with 1,500 calibration categories each variance re-solved the whole calibration
system (2.8 s per estimate). ``analysis.weighting.Calibration`` now factors
``(X'S₀X)⁺X'`` once per weighting and reuses it; this script measures, on 3,000 synthetic
respondents raked to margins with 1,500 categories in all (district 1,492 × age 6 × sex 2),

- the raking itself,
- the first estimate (which pays for the factorisation),
- each additional estimate (the median of 20 indicators) — the issue asks for ≤ 0.1 s,
- the peer: the same residuals re-solved from scratch for each estimate (the previous code),
  and that the two give the same standard errors (relative difference printed).

A measurement, not a test: nothing here asserts a time; the exit status is non-zero only
when the two variance paths disagree beyond 1e-9.

Usage: ``.venv/bin/python bench/calibration_bench.py [--respondents 3000] [--districts 1492]``
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
import pandas as pd

from analysis.design import SamplingDesign
from analysis.estimate import WeightedSample, proportion
from analysis.weighting import Calibration, WeightingInput, margin, rake


def resolve_each_time(calibration: Calibration, scores: np.ndarray) -> np.ndarray:
    """The pre-issue-12 residuals: the normal equations solved again for every estimate."""
    w0 = calibration.pre_weights / calibration.pre_weights.mean()
    n_cells = calibration.dummies.shape[0]
    s0 = np.bincount(calibration.cell, weights=w0, minlength=n_cells)
    su = np.bincount(calibration.cell, weights=w0 * scores, minlength=n_cells)
    x = calibration.dummies
    beta = np.linalg.lstsq(x.T @ (s0[:, None] * x), x.T @ su, rcond=None)[0]
    return scores - (x @ beta)[calibration.cell]


class Resolving(Calibration):
    def residuals(self, scores: np.ndarray) -> np.ndarray:
        return resolve_each_time(self, scores)


def synthetic(n: int, districts: int, seed: int = 12):
    rng = np.random.default_rng(seed)
    district = np.concatenate([np.arange(districts), rng.integers(0, districts, n - districts)]) + 1
    data = pd.DataFrame({"district": district.astype(float), "age": rng.integers(1, 7, n).astype(float),
                         "sex": rng.integers(1, 3, n).astype(float)})
    population = {"district": rng.integers(50, 150, districts), "age": rng.integers(8_000, 20_000, 6),
                  "sex": np.array([48_000, 52_000])}
    total = population["district"].sum()
    margins = tuple(margin(dim, {i + 1: float(c) * total / counts.sum() for i, c in enumerate(counts)})
                    for dim, counts in population.items())
    design_weights = rng.uniform(0.5, 2.0, n)
    indicators = [rng.random(n) < rng.uniform(0.2, 0.8) for _ in range(21)]
    return data, margins, design_weights, indicators


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--respondents", type=int, default=3000)
    parser.add_argument("--districts", type=int, default=1492)
    args = parser.parse_args()
    data, margins, design_weights, indicators = synthetic(args.respondents, args.districts)
    categories = sum(len(m.cells) for m in margins)
    start = time.perf_counter()
    result = rake(WeightingInput(data, design_weights, margins), max_sweeps=20_000, tolerance=1e-8)
    raking = time.perf_counter() - start
    design = SamplingDesign.build(len(data))
    base = np.ones(len(data), dtype=bool)
    sample = WeightedSample(result.weights, design, result.calibration)
    start = time.perf_counter()
    first = proportion(sample, indicators[0], base)
    first_time = time.perf_counter() - start
    ours, ses = [], [first.se]
    for y in indicators[1:]:
        start = time.perf_counter()
        ses.append(proportion(sample, y, base).se)
        ours.append(time.perf_counter() - start)
    c = result.calibration
    peer_sample = WeightedSample(result.weights, design, Resolving(c.cell, c.dummies, c.pre_weights))
    peer, peer_ses = [], []
    for y in indicators[:4]:
        start = time.perf_counter()
        peer_ses.append(proportion(peer_sample, y, base).se)
        peer.append(time.perf_counter() - start)
    difference = max(abs(a / b - 1) for a, b in zip(ses[:4], peer_ses, strict=True))
    print(f"{args.respondents} respondents, {categories} calibration categories, "
          f"{c.dummies.shape[0]} joint cells; raking {raking:.2f} s ({result.sweeps} sweeps)")
    print(f"{'':38}{'seconds':>10}")
    print(f"{'first estimate (factorises once)':38}{first_time:>10.3f}")
    print(f"{'each additional estimate (median)':38}{statistics.median(ours):>10.4f}")
    print(f"{'peer: re-solved per estimate (median)':38}{statistics.median(peer):>10.3f}")
    print(f"ratio peer / ours per additional estimate: {statistics.median(peer) / statistics.median(ours):.0f}x; "
          f"largest relative SE difference {difference:.1e}")
    return 0 if difference <= 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
