"""Weighted indicators with honest uncertainty (numpy, pandas, scipy, scikit-learn; no web).

Pipeline: :mod:`analysis.frame` (responses → codes) → :mod:`analysis.sampling` /
:mod:`analysis.design` (strata, PSUs, fpc, design weights) → :mod:`analysis.weighting`
(none, poststratify, rake, propensity; :mod:`analysis.trim`) → :mod:`analysis.estimate`
(calibrated Taylor-linearised variance, :mod:`analysis.intervals`) →
:mod:`analysis.breakdown` (groups, baseline, target) → a typed :class:`analysis.result.SurveyResult`
→ :mod:`analysis.report` (JSON document, table, CSV, XLSX; words from the gettext catalogs).
Results agree with R's ``survey`` package (tests/test_analysis_r_agreement.py).
"""
from analysis.errors import AnalysisError, ConvergenceError, MarginError
from analysis.indicators import Options, compute, compute_for_survey
from analysis.methods import CI_METHODS, WEIGHTING_METHODS
from analysis.notices import Notice
from analysis.result import Change, GroupResult, IndicatorResult, SurveyResult, Target, Thresholds, YearValue

__all__ = ["CI_METHODS", "WEIGHTING_METHODS", "AnalysisError", "Change", "ConvergenceError", "GroupResult",
           "IndicatorResult", "MarginError", "Notice", "Options", "SurveyResult", "Target", "Thresholds",
           "YearValue", "compute", "compute_for_survey"]
