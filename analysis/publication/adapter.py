"""The one place that reads the indicator result for the report.

The report's indicator section, the XLSX sheet and the method notes read only these small
records, so a change in the shape of the analysis result (:mod:`analysis.result`) touches
this file alone. Notices are read generically — a code and its text — so any notice
the analysis adds appears in the report without a change here.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from analysis.notices import Notice
from analysis.result import OpenSummary, SurveyResult


@dataclass(frozen=True)
class ReportNotice:
    code: str
    text: str


@dataclass(frozen=True)
class IndicatorFigure:
    id: str
    title: str
    base: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    n_positive: int | None
    n_eff: float | None
    baseline: float | None
    baseline_year: int | None
    target: float | None
    target_year: int | None
    change: float | None
    change_low: float | None
    change_high: float | None
    verdict: str | None  # "improved" | "no detectable change" | "worsened" | "indicative" | None (no baseline)


@dataclass(frozen=True)
class IndicatorSummary:
    weighting: str
    ci_method: str
    level: float
    n_respondents: int
    figures: tuple[IndicatorFigure, ...]
    notices: tuple[ReportNotice, ...]
    open: OpenSummary | None = None  # the open responses, shown beside the figures (never in them)


def summarise(result: SurveyResult, lang: str,
              relabel: Callable[[str], str | None] = lambda _value: None) -> IndicatorSummary:
    """The typed indicator result (:class:`analysis.result.SurveyResult`) as report records; notices
    (survey, indicator and group level, each once) worded in ``lang``. ``relabel`` turns a parameter
    that is a question id (``sex``) into the words a reader knows (性別); None leaves it as it is."""
    figures = []
    for ind in result.indicators:
        baseline, target, change = ind.baseline, ind.target, ind.change
        figures.append(IndicatorFigure(
            ind.id, ind.title, ind.base, ind.estimate, ind.ci_low, ind.ci_high, ind.n, ind.n_positive, ind.n_eff,
            baseline.value if baseline else None, baseline.year if baseline else None,
            target.value if target else None, target.year if target else None,
            change.estimate if change else None, change.ci_low if change else None,
            change.ci_high if change else None, change.verdict if change else None))
    notices = tuple(ReportNotice(n.code, _reworded(n, relabel).message(lang)) for n in result.all_notices())
    return IndicatorSummary(result.weighting, result.ci_method, result.level, result.n_respondents,
                            tuple(figures), notices, result.open)


def _reworded(notice: Notice, relabel: Callable[[str], str | None]) -> Notice:
    params = {k: (relabel(v) or v) if isinstance(v, str) else v for k, v in notice.params.items()}
    return Notice(notice.code, params)
