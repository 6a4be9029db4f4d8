"""No calibration: equal weights (``none``) or the design weights as they are (``design``)."""
from __future__ import annotations

import numpy as np

from .base import WeightingInput, WeightingResult


def no_weighting(sample: WeightingInput) -> WeightingResult:
    """Every response counts equally (the caller pairs this with a simple-random-sample design)."""
    return WeightingResult("none", np.ones(len(sample.design_weights)))


def design_weighting(sample: WeightingInput) -> WeightingResult:
    """The recorded design's weights N_h / r_h (equal weights when there is no recorded design)."""
    return WeightingResult("design", sample.design_weights.copy())
