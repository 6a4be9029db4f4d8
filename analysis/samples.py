"""Two samples, kept apart: the invited (probability) sample and the open (self-selected) one.

A response that came with a letter's code is **invited** — whatever the channel (web, chat,
paper) — and belongs to the probability sample drawn from the register. Without a code it
is **open**. The published indicators use the invited sample by default
(``sample="invited"``); ``"open"`` gives the open sample's unweighted shares *without* an
interval (a self-selected sample has no sampling distribution to build one from);
``"combined"`` estimates from both by the Chen–Li–Wu model (:mod:`analysis.combined`).

:func:`open_summary` is the result's ``open`` summary (the document's top-level ``open``
object): the open sample's size and, per indicator, its unweighted share and n — labelled,
never given an interval.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from analysis.breakdown import indicator_masks, pp
from analysis.change import change as change_from_baseline
from analysis.change import comparison_base
from analysis.combined import CombinedEstimate, combined_share, dummies
from analysis.design import SamplingDesign
from analysis.errors import AnalysisError
from analysis.estimate import Estimate
from analysis.frame import Frame
from analysis.intervals import proportion_interval
from analysis.notices import Notice
from analysis.result import CombinedParts, IndicatorResult, OpenShare, OpenSummary
from analysis.sampling import csv_design, database_design
from survey_app.i18n import N_

if TYPE_CHECKING:
    from analysis.indicators import Options
    from survey_app.instrument import Indicator

SAMPLES = ("invited", "open", "combined")


def split(frame: Frame) -> tuple[Frame, Frame]:
    """(invited responses, open responses); a CSV frame is all invited (its design is in its columns)."""
    invited = frame.invited_mask()
    return frame.subset(invited), frame.subset(~invited)


def open_summary(open_frame: Frame, suppress_below: int) -> OpenSummary:
    """Unweighted share (points) and n of the open sample per indicator; no interval. An indicator
    with fewer than ``suppress_below`` open answers in its base is a small group like any other:
    its share and count of positives are withheld (flag ``suppressed``)."""
    rows = []
    for indicator in open_frame.instrument.indicators:
        positive, base = indicator_masks(open_frame.instrument, indicator, open_frame.values(indicator.question))
        n, n_positive = int(base.sum()), int(np.sum(positive & base))
        if 0 < n < suppress_below:
            rows.append(OpenShare(indicator.id, None, n, None, "suppressed"))
        else:
            rows.append(OpenShare(indicator.id, pp(n_positive / n) if n else None, n, n_positive))
    return OpenSummary(len(open_frame), tuple(rows))


def invited_design(invited: Frame) -> tuple[SamplingDesign, tuple[Notice, ...]]:
    """The reference sample's design (recorded, or SRS) and its notices."""
    if invited.invitations is None:
        return csv_design(invited), ()
    return database_design(invited)


def covariates(frame: Frame) -> list[str]:
    return [q.id for q in frame.instrument.weighting_questions() if q.id in frame.data.columns]


@dataclass(frozen=True)
class CombinedFigure:
    """One indicator from both samples on the 0–1 scale; ``parts`` holds the composite's pieces."""

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    n_positive: int
    n_eff: float | None
    parts: CombinedEstimate


def combined_indicator(invited: Frame, open_frame: Frame, design: SamplingDesign, indicator: Indicator, ci: str,
                       level: float) -> CombinedFigure | None:
    """Estimate, SE and interval (0–1 scale) of one indicator from both samples (Chen–Li–Wu composite);
    None when the open responses cannot add to it: none of them in the indicator's base (every one
    "don't know": the open estimate is 0/0 — a ZeroDivisionError), or a composite that is not a number
    (the participation model not fitted: NaN went out as invalid JSON)."""
    pos_a, base_a = indicator_masks(invited.instrument, indicator, invited.values(indicator.question))
    pos_b, base_b = indicator_masks(open_frame.instrument, indicator, open_frame.values(indicator.question))
    if not base_b.any():
        return None
    names = covariates(invited)
    columns_a = {v: invited.values(v) for v in names}
    columns_b = {v: open_frame.values(v) for v in names}
    x_a, x_b = dummies(columns_a, columns_b, names, len(invited), len(open_frame))
    with np.errstate(all="ignore"):  # a model that does not converge is judged below, not warned about
        try:
            est = combined_share((pos_a & base_a).astype(float), base_a.astype(float), design.weights, design, x_a,
                                 (pos_b & base_b).astype(float), base_b.astype(float), x_b)
        except ZeroDivisionError:
            return None
    if not (np.isfinite(est.estimate) and np.isfinite(est.variance)):
        return None
    n = int(base_a.sum() + base_b.sum())
    p = min(max(est.estimate, 0.0), 1.0)
    (low, high), _degenerate = proportion_interval(ci, p, est.variance, design.degrees_of_freedom(), n, level,
                                                   fallback_n=n)
    return CombinedFigure(p, est.se, low, high, n, int(np.sum(pos_a & base_a) + np.sum(pos_b & base_b)),
                          p * (1 - p) / est.variance if est.variance > 0 else None, est)


def sample_frame(invited: Frame, open_frame: Frame, options: Options) -> tuple[Frame, tuple[Notice, ...]]:
    """The responses the headline figures come from, and what the choice leaves out."""
    below = options.thresholds.suppress_below
    # A sample this small is a small group like any other: beside the monitor's counts by language
    # and district, its figures would be a few residents' own answers.
    if options.sample == "open":
        if 0 < len(open_frame) < below:
            raise AnalysisError(N_("There are %(count)d open responses, fewer than %(n)d: figures from them alone "
                                   "are withheld, as for any group this small."), count=len(open_frame), n=below)
        return open_frame, (Notice("open_sample", {"n": len(open_frame)}),)
    if 0 < len(invited) < below:
        raise AnalysisError(N_("There are %(count)d invited responses, fewer than %(n)d: the figures are withheld "
                               "until there are more, as for any group this small."), count=len(invited), n=below)
    notices: tuple[Notice, ...] = ()
    if options.sample == "invited" and len(open_frame):
        notices = (Notice("open_responses_excluded", {"n": len(open_frame)}),)
    if len(invited) == 0:
        notices += (Notice("no_invited_responses", {"n": len(open_frame)}),)
    return invited, notices


def sample_estimates(indicators: tuple[IndicatorResult, ...], invited: Frame, open_frame: Frame,
                     options: Options) -> tuple[tuple[IndicatorResult, ...], tuple[Notice, ...]]:
    """Open: no interval for a self-selected sample; combined: the Chen–Li–Wu composite per indicator."""
    if options.sample == "open":
        return tuple(replace(ind, se=None, ci_low=None, ci_high=None, n_eff=None, deff=None, change=None,
                             kish_n_eff=None, n_eff_basis=None, on_baseline_base=None, groups=tuple(replace(g, ci_low=None, ci_high=None) for g in ind.groups))
                     for ind in indicators), ()
    if options.sample != "combined" or not len(invited):
        return indicators, ()
    if not len(open_frame):
        return indicators, (Notice("combined_without_open", {}),)
    design, _ = invited_design(invited)
    out = []
    for ind, indicator in zip(indicators, invited.instrument.indicators, strict=True):
        if ind.estimate is None:
            out.append(ind)
            continue
        est = combined_indicator(invited, open_frame, design, indicator, options.ci, options.level)
        if est is None:  # the open responses add nothing here: the invited design estimate, said so
            out.append(replace(ind, notices=(*ind.notices, Notice("combined_invited_only", {"indicator": ind.id}))))
            continue
        change = change_from_baseline(Estimate(est.estimate, est.se, est.ci_low, est.ci_high, est.n, est.n_positive),
                                      indicator.baseline, options.level, comparison_base(indicator))
        out.append(replace(ind, estimate=pp(est.estimate), se=pp(est.se), ci_low=pp(est.ci_low),
                           ci_high=pp(est.ci_high), n=est.n, n_positive=est.n_positive,
                           # the composite's variance can be below a simple random sample's of all n
                           # (the covariates carry information): published n_eff never exceeds n
                           n_eff=None if est.n_eff is None else min(est.n_eff, float(est.n)), deff=None, groups=(),
                           change=change, kish_n_eff=None, n_eff_basis=None, on_baseline_base=None,
                           combined=CombinedParts(pp(est.parts.invited), pp(est.parts.open_dr),
                                                  est.parts.weight_invited)))
    variables = ", ".join(covariates(invited))
    return tuple(out), (Notice("combined_estimator", {"covariates": variables, "n_open": len(open_frame)}),)
