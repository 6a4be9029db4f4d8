"""Weighting methods behind one signature, and their registry.

``METHODS[name](sample: WeightingInput, **options) -> WeightingResult`` for
``none`` (equal weights), ``design`` (design weights only), ``poststratify``, ``rake`` and
``propensity`` (the last three start from the design weights); trimming (R ``trimWeights``) is
applied afterwards by :func:`analysis.trim.trim_weights`.
"""
from __future__ import annotations

from collections.abc import Callable

from .base import Calibration, WeightingInput, WeightingResult
from .margins import Margin, margin, margins_from_rows
from .none import design_weighting, no_weighting
from .poststratify import poststratify
from .propensity import propensity
from .rake import rake

Method = Callable[..., WeightingResult]

METHODS: dict[str, Method] = {
    "none": no_weighting,
    "design": design_weighting,
    "poststratify": poststratify,
    "rake": rake,
    "propensity": propensity,
}

__all__ = [
    "METHODS",
    "Calibration",
    "Margin",
    "WeightingInput",
    "WeightingResult",
    "design_weighting",
    "margin",
    "margins_from_rows",
    "no_weighting",
    "poststratify",
    "propensity",
    "rake",
]
