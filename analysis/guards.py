"""Checks on the weights before a figure is published, and effective sample sizes that cannot lie.

- ``extreme_weight``: the largest weight is more than ``EXTREME_RATIO`` (10) times the mean —
  a few respondents speak for a large part of the population, and the figure moves with them.
- Effective sample size: the design-based ``n_eff = p(1−p)/V`` (R's ``svyciprop``) can
  exceed the number of respondents when calibration explains much of the variance; a
  published "n_eff 639 from 547 respondents" reads as nonsense and hides the loss from
  unequal weights. So ``n_eff`` is the design-based value when it is at most ``n``, and
  otherwise Kish's ``(Σw)²/Σw²`` (always ≤ n), with ``n_eff_basis`` saying which —
  ``neff_exceeds_n`` cannot happen by construction. ``kish_n_eff`` is published beside it
  for every indicator and group.
"""
from __future__ import annotations

import numpy as np

from analysis.estimate import Estimate
from analysis.notices import Notice

EXTREME_RATIO = 10.0


def weight_notices(weights: np.ndarray) -> tuple[Notice, ...]:
    mean = float(np.mean(weights))
    ratio = float(np.max(weights)) / mean if mean > 0 else 0.0
    if ratio <= EXTREME_RATIO:
        return ()
    share = float(np.sum(weights > EXTREME_RATIO * mean))
    return (Notice("extreme_weight", {"ratio": ratio, "limit": EXTREME_RATIO, "n": int(share)}),)


def effective_size(est: Estimate) -> tuple[float | None, str | None]:
    """(published n_eff, "design" | "kish"); never above the number of respondents."""
    if est.n_eff is None:
        return None, None
    if est.n_eff <= est.n or est.kish_n_eff is None:
        return est.n_eff, "design"
    return est.kish_n_eff, "kish"
