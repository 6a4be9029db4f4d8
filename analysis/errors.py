"""Errors of the analysis: one line that names what is wrong (dimension, category, line)."""
from __future__ import annotations


class AnalysisError(ValueError):
    """Input that would give a wrong number: refused with a message a user can act on."""


class MarginError(AnalysisError):
    """Population margins that do not fit the sample or each other."""


class ConvergenceError(AnalysisError):
    """Raking stopped before reaching the requested margin accuracy."""

    def __init__(self, message: str, reached: float, sweeps: int):
        super().__init__(message)
        self.reached = reached
        self.sweeps = sweeps


class TrimInfeasible(AnalysisError):
    """No weights within the trimming bounds meet the population margins (code ``trim_infeasible``)."""

    code = "trim_infeasible"
