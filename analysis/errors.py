"""Errors of the analysis: one line that names what is wrong (dimension, category, line)."""
from __future__ import annotations


class AnalysisError(ValueError):
    """Input that would give a wrong number: refused with a message a user can act on.

    ``message`` may be a msgid of the ``messages`` catalog with ``%(name)s`` placeholders filled
    from ``params`` (marked with ``N_``): ``str()`` is the English line (the CLI, logs), and the
    console shows ``gettext(message, **params)`` in the staff member's language. A message built
    with an f-string has no params and stays English everywhere."""

    def __init__(self, message: str, **params: object) -> None:
        self.message, self.params = message, params
        super().__init__(message % params if params else message)


class MarginError(AnalysisError):
    """Population margins that do not fit the sample or each other."""


class ConvergenceError(AnalysisError):
    """Raking stopped before reaching the requested margin accuracy."""

    def __init__(self, message: str, reached: float, sweeps: int) -> None:
        super().__init__(message)
        self.reached = reached
        self.sweeps = sweeps


class TrimInfeasible(AnalysisError):
    """No weights within the trimming bounds meet the population margins (code ``trim_infeasible``)."""

    code = "trim_infeasible"
