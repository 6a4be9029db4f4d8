"""No weighting: the design weights as they are (equal weights when there is no design)."""
from __future__ import annotations

from .base import WeightingInput, WeightingResult


def no_weighting(sample: WeightingInput) -> WeightingResult:
    return WeightingResult("none", sample.design_weights.copy())
