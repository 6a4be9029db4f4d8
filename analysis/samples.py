"""Two samples, kept apart: the invited (probability) sample and the open (self-selected) one.

A response that came with a letter's code is **invited** — whatever the channel (web, chat,
paper) — and belongs to the probability sample drawn from the register. Without a code it
is **open**. The published indicators use the invited sample by default
(``sample="invited"``); ``"open"`` gives the open sample's unweighted shares *without* an
interval (a self-selected sample has no sampling distribution to build one from);
``"combined"`` estimates from both by the Chen–Li–Wu model (:mod:`analysis.combined`).

:func:`open_summary` is the document's top-level ``open`` object: the open sample's size
and, per indicator, its unweighted share and n — labelled, never given an interval.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from analysis.breakdown import change_vs_baseline, indicator_masks, pp
from analysis.combined import combined_share, dummies
from analysis.estimate import Estimate
from analysis.frame import Frame
from analysis.intervals import proportion_interval
from analysis.notices import Notice
from analysis.sampling import csv_design, database_design

if TYPE_CHECKING:
    from analysis.indicators import Options

SAMPLES = ("invited", "open", "combined")
OPEN_LABEL = "self-selected sample (open link, chat without a code, open paper form): no interval"


def split(frame: Frame) -> tuple[Frame, Frame]:
    """(invited responses, open responses); a CSV frame is all invited (its design is in its columns)."""
    invited = frame.invited_mask()
    return frame.subset(invited), frame.subset(~invited)


def open_summary(open_frame: Frame) -> dict:
    """Unweighted share and n of the open sample per indicator (percentage points; no interval)."""
    rows = []
    for indicator in open_frame.instrument.indicators:
        positive, base = indicator_masks(open_frame.instrument, indicator, open_frame.values(indicator.question))
        n = int(base.sum())
        share = float(np.sum(positive & base) / n) if n else None
        rows.append({"id": indicator.id, "share": pp(share), "n": n, "n_positive": int(np.sum(positive & base))})
    return {"n_respondents": len(open_frame), "label": OPEN_LABEL, "interval": None, "indicators": rows}


def invited_design(invited: Frame):
    """The reference sample's design (recorded, or SRS) and its notices."""
    if invited.invitations is None:
        return csv_design(invited), ()
    return database_design(invited)


def covariates(frame: Frame) -> list[str]:
    return [q.id for q in frame.instrument.weighting_questions() if q.id in frame.data.columns]


def combined_indicator(invited: Frame, open_frame: Frame, design, indicator, ci: str, level: float) -> dict:
    """Estimate, SE and interval (0–1 scale) of one indicator from both samples (Chen–Li–Wu composite)."""
    pos_a, base_a = indicator_masks(invited.instrument, indicator, invited.values(indicator.question))
    pos_b, base_b = indicator_masks(open_frame.instrument, indicator, open_frame.values(indicator.question))
    names = covariates(invited)
    columns_a = {v: invited.values(v) for v in names}
    columns_b = {v: open_frame.values(v) for v in names}
    x_a, x_b = dummies(columns_a, columns_b, names, len(invited), len(open_frame))
    est = combined_share((pos_a & base_a).astype(float), base_a.astype(float), design.weights, design, x_a,
                         (pos_b & base_b).astype(float), base_b.astype(float), x_b)
    n = int(base_a.sum() + base_b.sum())
    p = min(max(est.estimate, 0.0), 1.0)
    (low, high), _degenerate = proportion_interval(ci, p, est.variance, design.degrees_of_freedom(), n, level,
                                                   fallback_n=n)
    return {"estimate": p, "se": est.se, "ci_low": low, "ci_high": high, "n": n,
            "n_positive": int(np.sum(pos_a & base_a) + np.sum(pos_b & base_b)),
            "n_eff": p * (1 - p) / est.variance if est.variance > 0 else None,
            "invited_estimate": est.invited, "open_dr_estimate": est.open_dr, "weight_invited": est.weight_invited}


def unique(notices) -> list[Notice]:
    seen, out = set(), []
    for notice in notices:
        key = (notice.code, tuple(sorted((k, str(v)) for k, v in notice.params.items())))
        if key not in seen:
            seen.add(key)
            out.append(notice)
    return out


def sample_frame(invited: Frame, open_frame: Frame, options: Options) -> tuple[Frame, tuple[Notice, ...]]:
    """The responses the headline figures come from, and what the choice leaves out."""
    if options.sample == "open":
        return open_frame, (Notice("open_sample", {"n": len(open_frame)}),)
    notices = ()
    if options.sample == "invited" and len(open_frame):
        notices = (Notice("open_responses_excluded", {"n": len(open_frame)}),)
    if len(invited) == 0:
        notices += (Notice("no_invited_responses", {"n": len(open_frame)}),)
    return invited, notices


def sample_estimates(indicators: list[dict], invited: Frame, open_frame: Frame, options: Options):
    """Open: no interval for a self-selected sample; combined: the Chen–Li–Wu composite per indicator."""
    if options.sample == "open":
        return [{**block, "se": None, "ci_low": None, "ci_high": None, "n_eff": None, "deff": None,
                 "change_vs_baseline": None,
                 "groups": [{**g, "ci_low": None, "ci_high": None} for g in block["groups"]]}
                for block in indicators], ()
    if options.sample != "combined" or not len(invited):
        return indicators, ()
    if not len(open_frame):
        return indicators, (Notice("combined_without_open", {}),)
    design, _ = invited_design(invited)
    out = []
    for block, indicator in zip(indicators, invited.instrument.indicators, strict=True):
        if block["estimate"] is None:
            out.append(block)
            continue
        est = combined_indicator(invited, open_frame, design, indicator, options.ci, options.level)
        out.append({**block, **{k: pp(v) if k in PP_FIELDS else v for k, v in est.items()},
                    "deff": None, "groups": [],
                    "change_vs_baseline": change_vs_baseline(combined_as_estimate(est),
                                                             block["baseline"]["value"] if block["baseline"]
                                                             else None, options.level)})
    variables = ", ".join(covariates(invited))
    return out, (Notice("combined_estimator", {"covariates": variables, "n_open": len(open_frame)}),)


PP_FIELDS = ("estimate", "se", "ci_low", "ci_high", "invited_estimate", "open_dr_estimate")


def combined_as_estimate(est: dict) -> Estimate:
    return Estimate(est["estimate"], est["se"], est["ci_low"], est["ci_high"], est["n"], est["n_positive"])
