"""Weighted indicators with honest uncertainty (numpy, pandas, scipy, scikit-learn; no web).

Pipeline: :mod:`analysis.frame` (responses → codes) → :mod:`analysis.sampling` /
:mod:`analysis.design` (strata, PSUs, fpc, design weights) → :mod:`analysis.weighting`
(none, poststratify, rake, propensity; :mod:`analysis.trim`) → :mod:`analysis.estimate`
(calibrated Taylor-linearised variance, :mod:`analysis.intervals`) →
:mod:`analysis.breakdown` (groups, baseline, target) → :mod:`analysis.report` (table,
CSV, JSON, XLSX). Results agree with R's ``survey`` package (tests/test_analysis_r_agreement.py).
"""
from analysis.errors import AnalysisError, ConvergenceError, MarginError
from analysis.indicators import Options, compute, indicators_json

__all__ = ["AnalysisError", "ConvergenceError", "MarginError", "Options", "compute", "indicators_json"]
