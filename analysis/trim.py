"""Weight trimming with the semantics of R's ``trimWeights`` (survey package).

Weights outside ``[lower, upper]`` are set to the bound; the total trimmed off (negative
when weights were raised to ``lower``) is shared *equally* (additively) among the weights
that were inside the bounds, so the sum of the weights is unchanged. With ``strict=True``
this repeats until no weight is outside — as R, each round recomputes which weights are
outside, so a weight clipped earlier may receive a share again and be clipped again.

Bounds that no set of weights with this sum can meet (``n × upper < total`` or
``n × lower > total``) are refused instead of looping.
"""
from __future__ import annotations

import numpy as np

from analysis.errors import AnalysisError

MAX_ROUNDS = 10_000


def trim_weights(weights: np.ndarray, lower: float = -np.inf, upper: float = np.inf,
                 strict: bool = False) -> np.ndarray:
    w = np.asarray(weights, dtype=float).copy()
    if lower > upper:
        raise AnalysisError(f"trimming bounds are reversed: lower {lower:g} > upper {upper:g}")
    total = w.sum()
    if len(w) * upper < total * (1 - 1e-12) or len(w) * lower > total * (1 + 1e-12):
        raise AnalysisError(f"trimming bounds [{lower:g}, {upper:g}] cannot hold {len(w)} weights "
                            f"that sum to {total:g}")
    for _ in range(MAX_ROUNDS):
        outside = (w < lower) | (w > upper)
        if not outside.any():
            return w
        clipped = np.clip(w, lower, upper)
        trimmings = float(np.sum(w - clipped))
        if outside.all():
            raise AnalysisError(f"every weight is outside the trimming bounds [{lower:g}, {upper:g}]")
        clipped[~outside] += trimmings / np.count_nonzero(~outside)
        w = clipped
        if not strict:
            return w
    raise AnalysisError(f"strict trimming to [{lower:g}, {upper:g}] did not settle")
