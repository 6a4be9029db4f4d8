"""The one place that reads the indicator result for the report.

The report's indicator section, the XLSX sheet and the method notes read only these small
records, so a change in the shape of the analysis result (the nested-dict document today)
touches this file alone. Notices are read generically — a code and its text — so any notice
the analysis adds appears in the report without a change here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
    verdict: str | None  # "improved" | "no detectable change" | "worsened" | None (no baseline)


@dataclass(frozen=True)
class IndicatorSummary:
    weighting: str
    ci_method: str
    level: float
    n_respondents: int
    figures: tuple[IndicatorFigure, ...]
    notices: tuple[ReportNotice, ...]


def _value(block: Any, key: str) -> Any:
    return block.get(key) if isinstance(block, dict) else None


def summarise(result: dict) -> IndicatorSummary:
    """The indicator result (``analysis.compute``'s document) as report records."""
    figures = []
    for ind in result["indicators"]:
        change = ind.get("change_vs_baseline") or {}
        figures.append(IndicatorFigure(
            ind["id"], ind["title"], ind["base"], ind["estimate"], ind["ci_low"], ind["ci_high"], ind["n"],
            ind.get("n_positive"), ind.get("n_eff"), _value(ind["baseline"], "value"), _value(ind["baseline"], "year"),
            _value(ind["target"], "value"), _value(ind["target"], "year"), change.get("estimate"),
            change.get("ci_low"), change.get("ci_high"), change.get("verdict")))
    notices = tuple(_notice(w) for w in result.get("notices", result.get("warnings", [])))
    return IndicatorSummary(result["weighting"], result["ci_method"], result["level"], result["n_respondents"],
                            tuple(figures), notices)


def _notice(item: Any) -> ReportNotice:
    if isinstance(item, str):
        return ReportNotice("", item)
    if isinstance(item, dict):
        return ReportNotice(str(item.get("code", "")), str(item.get("message") or item.get("text") or ""))
    return ReportNotice(str(getattr(item, "code", "")), str(getattr(item, "message", None) or item))
