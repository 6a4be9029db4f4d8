"""Renderers of a :class:`~analysis.result.SurveyResult`: JSON document, table rows (CSV/XLSX), text table.

One renderer per format, all reading the typed result; every word (column names,
verdicts, flags, footnotes, notice messages) is an English msgid of the ``messages``
gettext domain, worded in the requested locale (ja, en, vi, ur).

- :func:`document` — the JSON document of ``--format json`` and
  ``GET /api/v1/surveys/<id>/indicators``: full precision, the keys of issue 6, plus
  ``notices`` (``[{"code", "message"}]``), ``sample`` and the ``open`` summary (issue 11). ``warnings`` (the messages alone) stays
  because the published OpenAPI schema requires it.
- :func:`table_rows` — the ONE indicator table for CSV and XLSX (CLI and staff exports):
  header, one row per indicator and per group, one decimal, then the footnotes.
- :func:`render_table` — the same figures as aligned text for a terminal.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from analysis.result import (
    Baseline,
    Change,
    GroupResult,
    IndicatorResult,
    OpenSummary,
    OtherBase,
    SurveyResult,
    YearValue,
)
from survey_app.i18n import N_, locales
from survey_app.i18n.catalogs import gettext
from survey_app.i18n.fmt import display_width, half_up, one_decimal

# ---------------------------------------------------------------- words (msgids)

HEADER = (N_("Indicator id"), N_("Indicator"), N_("Breakdown by"), N_("Category code"), N_("Category"),
          N_("Estimate (%)"), N_("Interval low (%)"), N_("Interval high (%)"), N_("Respondents (n)"),
          N_("Effective n"), N_("Kish effective n"), N_("Design effect"), N_("Baseline (%)"), N_("Baseline year"), N_("Target (%)"),
          N_("Target year"), N_("Change vs baseline (points)"), N_("Verdict"), N_("Note"))
VERDICTS = {"improved": N_("improved"), "no detectable change": N_("no detectable change"),
            "worsened": N_("worsened"), "indicative": N_("indicative (baseline uncertainty unknown)")}
# One word for every hidden group, so that which one was the small one stays unknown (analysis.suppression)
FLAGS = {"suppressed": N_("suppressed (fewer than %(n)d respondents, or hidden with such a group)"),
         "caution": N_("interpret with caution (fewer than %(n)d respondents)")}
BASE_NOTES = {
    "valid": N_("Base: respondents who answered the question, excluding “don't know” and no answer."),
    "all": N_("Base: all respondents; no answer and “don't know” count as not agreeing."),
}
SAMPLE_NOTES = {
    "invited": N_("Sample: responses that came with a letter's code (the random sample drawn from the resident "
                  "register), whatever the channel; open responses are shown separately without an interval."),
    "open": N_("Sample: open responses without a code (self-selected): no interval, not representative of the "
               "residents."),
    "combined": N_("Sample: invited and open responses combined by the Chen–Li–Wu doubly robust model; it assumes "
                   "that taking part through the open link depends only on age band, sex and district."),
}
WEIGHTING_NOTES = {
    "none": N_("Unweighted: every response counts equally."),
    "design": N_("Design weights only: each invited respondent stands for the residents of their sampling "
                 "stratum (population ÷ respondents), as recorded when the letters were made."),
    "rake": N_("Weighted by raking to the population margins (%(margins)s); the intervals account for the "
               "weighting."),
    "poststratify": N_("Weighted by post-stratification to the population cells (%(margins)s); the intervals "
                       "account for the weighting."),
    "propensity": N_("Weighted for non-response by a response-propensity model of the invited sample."),
}
DESIGN_WITHOUT_RECORD = N_("Design weights: no sampling design is recorded for these letters, so every invited "
                           "response counts equally.")
PROPENSITY_THEN_RAKE = N_("Weighted for non-response by a response-propensity model of the invited sample, then "
                          "raked to the population margins (%(margins)s).")
CI_NOTES = {
    "logit": N_("Interval: %(level)d%% confidence interval by the logit method with the design's degrees "
                "of freedom (as R's svyciprop)."),
    "beta": N_("Interval: %(level)d%% confidence interval by the Korn–Graubard (beta) method."),
    "wilson": N_("Interval: %(level)d%% confidence interval by the Wilson score method."),
}
SMALL_GROUPS = N_("Groups with fewer than %(suppress)d respondents are not shown, nor as many other groups as "
                  "needed so that none can be recovered by subtraction; fewer than %(caution)d: interpret with "
                  "caution.")
BASELINE_NOTE = N_("Change: a two-sample test of the difference that adds the baseline's own standard error; "
                   "without that error the verdict is only indicative. The official verdict is the weighted one.")
ON_BASE = {"all": N_("(on the baseline's base: all respondents)"),
           "valid": N_("(on the baseline's base: valid answers)")}
WARNING = N_("Warning: %(message)s")
OPEN_LABEL = "self-selected sample (open link, chat without a code, open paper form): no interval"


def verdict_word(change: Change | None, locale: str) -> str:
    return gettext(locale, VERDICTS[change.verdict]) if change and change.verdict in VERDICTS else ""


def on_base_label(other: OtherBase, locale: str) -> str:
    """'(on the baseline's base: all respondents) 58.3%' — the comparable figure beside the official one."""
    return f"{gettext(locale, ON_BASE[other.base])} {_f1(other.estimate)}%"


def flag_word(group: GroupResult, result: SurveyResult, locale: str) -> str:
    """'suppressed (fewer than 10 respondents, or hidden with such a group)' with the thresholds actually used."""
    if group.flag not in FLAGS:
        return ""
    limit = result.thresholds.suppress_below if group.flag == "suppressed" else result.thresholds.caution_below
    return gettext(locale, FLAGS[group.flag], n=limit)


def notice_messages(result: SurveyResult, locale: str) -> list[str]:
    return [notice.message(locale) for notice in result.all_notices()]


def footnotes(result: SurveyResult, locale: str) -> list[str]:
    """Base, sample, weighting (naming the margins used), interval method, small groups, baseline rule."""
    bases = sorted({ind.base for ind in result.indicators}) or ["valid"]
    notes = [gettext(locale, BASE_NOTES.get(b, BASE_NOTES["valid"])) for b in bases]
    notes.append(gettext(locale, SAMPLE_NOTES.get(result.sample, SAMPLE_NOTES["invited"])))
    notes.append(weighting_note(result, locale))
    if result.sample != "open":  # the open sample has no interval (its sample note says so): none is described
        notes.append(gettext(locale, CI_NOTES[result.ci_method], level=round(100 * result.level)))
    if any(ind.groups for ind in result.indicators):
        notes.append(gettext(locale, SMALL_GROUPS, suppress=result.thresholds.suppress_below,
                             caution=result.thresholds.caution_below))
    if any(ind.change for ind in result.indicators):
        notes.append(gettext(locale, BASELINE_NOTE))
    return notes


def weighting_note(result: SurveyResult, locale: str) -> str:
    margins = locales.list_separator(locale).join(result.margin_labels or result.margins) or "–"
    if result.weighting_used == "propensity" and result.margins:
        return gettext(locale, PROPENSITY_THEN_RAKE, margins=margins)
    if result.weighting_used == "design" and any(n.code == "no_recorded_design" for n in result.notices):
        return gettext(locale, DESIGN_WITHOUT_RECORD)  # "as recorded when the letters were made" would be untrue
    msgid = WEIGHTING_NOTES.get(result.weighting_used, WEIGHTING_NOTES["none"])
    return gettext(locale, msgid, margins=margins) if "%(margins)s" in msgid else gettext(locale, msgid)


def notes_and_warnings(result: SurveyResult, locale: str) -> list[str]:
    """Footnotes, then each notice as 'Warning: …' (the end of a table or a sheet)."""
    warnings = [gettext(locale, WARNING, message=m) for m in notice_messages(result, locale)]
    return footnotes(result, locale) + warnings


# ---------------------------------------------------------------- JSON


def _year_value(value: YearValue | None, **extra: Any) -> dict | None:
    return None if value is None else {"value": value.value, "year": value.year, **extra}


def _group_doc(group: GroupResult) -> dict:
    return {"by": group.by, "category": group.category, "label": group.label, "estimate": group.estimate,
            "ci_low": group.ci_low, "ci_high": group.ci_high, "n": group.n, "n_eff": group.n_eff,
            "kish_n_eff": group.kish_n_eff, "flag": group.flag}


def _baseline_doc(baseline: Baseline | YearValue | None) -> dict | None:
    """Value and year, and what is known of its precision and method (``None``: not stated)."""
    if baseline is None:
        return None
    known = {k: getattr(baseline, k, None) for k in ("se", "n", "deff", "base", "weighting")}
    return {"value": baseline.value, "year": baseline.year, **known}


def _other_base_doc(other: OtherBase | None) -> dict | None:
    if other is None:
        return None
    return {"base": other.base, "estimate": other.estimate, "se": other.se, "ci_low": other.ci_low,
            "ci_high": other.ci_high, "n": other.n}


def _indicator_doc(ind: IndicatorResult) -> dict:
    change = ind.change
    return {
        "id": ind.id, "title": ind.title, "base": ind.base, "estimate": ind.estimate, "se": ind.se,
        "ci_low": ind.ci_low, "ci_high": ind.ci_high, "n": ind.n, "n_positive": ind.n_positive,
        "n_eff": ind.n_eff, "n_eff_basis": ind.n_eff_basis, "kish_n_eff": ind.kish_n_eff, "deff": ind.deff,
        "baseline": _baseline_doc(ind.baseline),
        "target": _year_value(ind.target, distance=ind.target.distance) if ind.target else None,
        "change_vs_baseline": None if change is None else {
            "estimate": change.estimate, "ci_low": change.ci_low, "ci_high": change.ci_high,
            "verdict": change.verdict, "baseline_se": change.baseline_se, "method": change.method,
            "compared_on_base": change.compared_on_base},
        "on_baseline_base": _other_base_doc(ind.on_baseline_base),
        "groups": [_group_doc(g) for g in ind.groups],
        **({} if ind.combined is None else {
            "invited_estimate": ind.combined.invited, "open_dr_estimate": ind.combined.open_dr,
            "weight_invited": ind.combined.weight_invited}),
    }


def _open_doc(summary: OpenSummary) -> dict:
    """The open responses: a self-selected sample, unweighted shares, never an interval."""
    return {"n_respondents": summary.n_respondents, "label": OPEN_LABEL, "interval": None,
            "indicators": [{"id": o.id, "share": o.share, "n": o.n, "n_positive": o.n_positive, "flag": o.flag}
                           for o in summary.indicators]}


def document(result: SurveyResult, locale: str) -> dict:
    """The JSON document (see module docstring); notice messages in ``locale``."""
    notices = [{"code": n.code, "message": n.message(locale)} for n in result.all_notices()]
    return {"survey": result.survey, "sample": result.sample, "weighting": result.weighting,
            "weighting_applied": result.weighting_used, "ci_method": result.ci_method, "level": result.level, "n_respondents": result.n_respondents,
            "indicators": [_indicator_doc(ind) for ind in result.indicators], "open": _open_doc(result.open),
            "notices": notices, "warnings": [n["message"] for n in notices]}


def render_json(result: SurveyResult, locale: str) -> str:
    return json.dumps(document(result, locale), ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- the one table (CSV, XLSX)


def _pct(value: float | None) -> Any:
    return "" if value is None else float(half_up(value, 1))  # 四捨五入, as the other formats


def _round(value: float | None, digits: int) -> Any:
    return "" if value is None else float(half_up(value, digits))


def _indicator_row(ind: IndicatorResult, locale: str) -> list[Any]:
    base, target, change = ind.baseline, ind.target, ind.change
    return [ind.id, ind.title, "", "", "", _pct(ind.estimate), _pct(ind.ci_low), _pct(ind.ci_high), ind.n,
            _round(ind.n_eff, 1), _round(ind.kish_n_eff, 1), _round(ind.deff, 2), _pct(base.value) if base else "",
            (base.year or "") if base else "", _pct(target.value) if target else "",
            (target.year or "") if target else "", _pct(change.estimate) if change else "",
            verdict_word(change, locale), ""]


def _group_row(ind: IndicatorResult, group: GroupResult, result: SurveyResult, locale: str) -> list[Any]:
    return [ind.id, ind.title, group.by, group.category, group.label or "", _pct(group.estimate),
            _pct(group.ci_low), _pct(group.ci_high), "" if group.n is None else group.n, _round(group.n_eff, 1),
            _round(group.kish_n_eff, 1), "", "", "", "", "", "", "", flag_word(group, result, locale)]


def _other_base_row(ind: IndicatorResult, other: OtherBase, locale: str) -> list[Any]:
    """The figure on the baseline's base, under the official one (same columns, no verdict)."""
    return [ind.id, ind.title, "", "", gettext(locale, ON_BASE[other.base]), _pct(other.estimate),
            _pct(other.ci_low), _pct(other.ci_high), other.n, "", "", "", "", "", "", "", "", "", ""]


def table_rows(result: SurveyResult, locale: str,
               name_ids: Callable[[str], str] = lambda text: text) -> Iterator[list[Any]]:
    """Header, one row per indicator then its groups (numbers to one decimal), a blank row, the notes
    (``name_ids``: the instrument's names for the ids a notice quotes, ``InstrumentTexts.name_ids``)."""
    yield [gettext(locale, h) for h in HEADER]
    for ind in result.indicators:
        yield _indicator_row(ind, locale)
        if ind.on_baseline_base is not None:
            yield _other_base_row(ind, ind.on_baseline_base, locale)
        for group in ind.groups:
            yield _group_row(ind, group, result, locale)
    yield []
    for note in notes_and_warnings(result, locale):
        yield [name_ids(note)]


# ---------------------------------------------------------------- text table (terminal)

TEXT_HEADER = (N_("Indicator"), N_("Estimate (%)"), N_("%(level)s%% interval"), N_("Respondents (n)"),
               N_("Effective n (design / Kish)"), N_("Baseline (%)"), N_("Change vs baseline (points)"), N_("Verdict"), N_("Target (%)"), N_("Note"))
TITLE = N_("%(survey)s: indicators (%(n)d respondents)")


def _f1(value: float | None) -> str:
    return one_decimal(value)


def _sizes(n_eff: float | None, kish: float | None) -> str:
    """'412 / 398': the published effective n and Kish's."""
    if n_eff is None:
        return "–"
    return f"{n_eff:.0f}" if kish is None else f"{n_eff:.0f} / {kish:.0f}"  # combined: no Kish, as in the CSV


def _interval(low: float | None, high: float | None) -> str:
    return "–" if low is None or high is None else f"[{one_decimal(low)}, {one_decimal(high)}]"


def _text_rows(result: SurveyResult, locale: str) -> list[list[str]]:
    out = []
    for ind in result.indicators:
        base, change, target = ind.baseline, ind.change, ind.target
        out.append([
            ind.title, _f1(ind.estimate), _interval(ind.ci_low, ind.ci_high), str(ind.n),
            _sizes(ind.n_eff, ind.kish_n_eff), f"{one_decimal(base.value)} ({base.year})" if base and base.value is not None else "–",
            f"{one_decimal(change.estimate, signed=True)} {_interval(change.ci_low, change.ci_high)}" if change else "–",
            verdict_word(change, locale) or "–",
            f"{one_decimal(target.value)} ({target.year})" if target and target.value is not None else "–", ""])
        other = ind.on_baseline_base
        if other is not None:
            out.append([f"  {gettext(locale, ON_BASE[other.base])}", _f1(other.estimate),
                        _interval(other.ci_low, other.ci_high), str(other.n), "", "", "", "", "", ""])
        for g in ind.groups:
            out.append([f"  {g.label or g.category}", _f1(g.estimate), _interval(g.ci_low, g.ci_high),
                        "–" if g.n is None else str(g.n), _sizes(g.n_eff, g.kish_n_eff), "", "", "", "",
                        flag_word(g, result, locale)])
    return out


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * (width - display_width(text))
    return space + text if right else text + space


def render_table(result: SurveyResult, locale: str, title: str,
                 name_ids: Callable[[str], str] = lambda text: text) -> str:
    """Aligned text (East Asian wide characters count twice), then the notes and warnings (their ids
    named as in :func:`table_rows`)."""
    level = round(100 * result.level)
    header = [gettext(locale, h, level=level) if "%(level)s" in h else gettext(locale, h) for h in TEXT_HEADER]
    body = _text_rows(result, locale)
    widths = [max(display_width(r[i]) for r in [header, *body]) for i in range(len(header))]
    numeric = {1, 2, 3, 4, 6}
    lines = [gettext(locale, TITLE, survey=title, n=result.n_respondents), ""]
    for r in [header, *body]:
        lines.append("  ".join(_pad(c, w, i in numeric) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
                     .rstrip())
    lines += ["", gettext(locale, N_("Notes")) + ":"]
    lines += [f"- {name_ids(note)}" for note in notes_and_warnings(result, locale)]
    return "\n".join(lines) + "\n"
