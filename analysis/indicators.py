"""The indicator pipeline: frame → design → weights (→ trimming) → estimates → the JSON document.

The document is the one schema shared by ``machikoe indicators --format json`` and
``GET /api/v1/surveys/<id>/indicators``: estimates, standard errors and intervals in
percentage points at full precision (rounding is for display only).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from sqlalchemy.orm import Session

from analysis.breakdown import Thresholds, group_rows, indicator_masks, pp, target_block
from analysis.change import baseline_notices, change, comparison_base
from analysis.consistency import check_design
from analysis.errors import AnalysisError
from analysis.estimate import WeightedSample, proportion
from analysis.frame import Frame, frame_from_database
from analysis.guards import effective_size, weight_notices
from analysis.notices import Notice
from analysis.sampling import csv_design, database_design, invited_sample
from analysis.trim import trim_weights
from analysis.weighting import METHODS, WeightingInput, WeightingResult, margins_from_rows
from analysis.weighting.bounded import bounded_rake
from analysis.weighting.collapse import MIN_CELL, collapse_sparse
from analysis.weighting.rake import max_relative_error
from survey_app.i18n.texts import InstrumentTexts
from survey_app.instrument import Instrument

CI_METHODS = ("logit", "beta", "wilson")


@dataclass(frozen=True)
class Options:
    weighting: str = "none"
    trim: tuple[float, float] | None = None  # bounds as multiples of the mean weight
    ci: str = "logit"
    level: float = 0.95
    by: tuple[str, ...] = ()
    thresholds: Thresholds = field(default_factory=Thresholds)
    lang: str = "ja"
    strict: bool = True  # an indicator without any answer is an error (else: null estimate and a warning)
    min_cell: int = MIN_CELL  # calibration cells with fewer respondents are merged or refused

    def check(self, instrument: Instrument) -> None:
        if self.weighting not in METHODS:
            raise AnalysisError(f"unknown weighting '{self.weighting}' (use {', '.join(METHODS)})")
        if self.ci not in CI_METHODS:
            raise AnalysisError(f"unknown interval method '{self.ci}' (use {', '.join(CI_METHODS)})")
        if not 0.5 <= self.level < 1:
            raise AnalysisError(f"confidence level {self.level} must be at least 0.5 and below 1")
        for qid in self.by:
            if not instrument.has_question(qid) or instrument.question(qid).type not in ("single", "scale"):
                raise AnalysisError(f"cannot break down by '{qid}': not a single-choice question of the survey")
        if self.trim is not None and not 0 <= self.trim[0] < 1 < self.trim[1]:
            raise AnalysisError("trimming bounds LOW,HIGH are multiples of the mean weight with LOW < 1 < HIGH")


def weighting_input(frame: Frame, margins, design_weights: np.ndarray) -> WeightingInput:
    instrument = frame.instrument
    variables = [q.id for q in instrument.weighting_questions()]
    dims = {d for m in margins for d in m.dims}
    missing = {qid: instrument.question(qid).choice_list.missing_codes() for qid in variables if
               instrument.question(qid).choice_list}
    columns = [c for c in dict.fromkeys([*variables, *sorted(dims)]) if c in frame.data.columns]
    invited, sampling = invited_sample(frame) if frame.invitations is not None else (None, None)
    return WeightingInput(frame.data[columns], design_weights, tuple(margins), missing, invited, sampling)


def apply_trim(result: WeightingResult, trim: tuple[float, float]) -> tuple[np.ndarray, Notice]:
    weights = result.weights
    lower, upper = trim[0] * weights.mean(), trim[1] * weights.mean()
    outside = int(np.sum((weights < lower) | (weights > upper)))
    trimmed = trim_weights(weights, lower, upper, strict=True)
    params = {"lower": lower, "upper": upper, "n": outside}
    if not result.codings:
        return trimmed, Notice("trimmed", params)
    error = max_relative_error(result.codings, trimmed, result.margins[0].total)
    return trimmed, Notice("trimmed_margins", {**params, "error": error})


def weigh(frame: Frame, margins, options: Options):
    """(weighted sample, notices) for the frame under the options."""
    if frame.invitations is None:
        design, notices = csv_design(frame), ()
    else:
        check_design(frame, tuple(margins))
        design, notices = database_design(frame, tuple(margins))
    sample = weighting_input(frame, margins, design.weights)
    if options.weighting != "none":
        ordered = frozenset(q.id for q in frame.instrument.weighting_questions() if q.ordered)
        sample, collapsed = collapse_sparse(sample, options.min_cell, ordered)
        notices += collapsed
    result = METHODS[options.weighting](sample)
    if options.trim is not None and result.calibration is not None:
        # trimming inside the calibration: the margins still hold, the variance credits what was achieved
        pre = replace(sample, design_weights=result.calibration.pre_weights, margins=result.margins)
        bounded = bounded_rake(pre, *options.trim)
        result = replace(bounded, method=result.method, notices=result.notices + bounded.notices[-1:])
    weights, notices = result.weights, notices + result.notices
    if options.trim is not None and result.calibration is None:
        weights, notice = apply_trim(result, options.trim)
        notices += (notice,)
    notices += weight_notices(weights)
    return WeightedSample(weights, design, result.calibration), notices


def compute(frame: Frame, margins=(), options: Options | None = None) -> dict:
    """The indicator document for ``frame`` (see module docstring)."""
    options = options or Options()
    instrument = frame.instrument
    options.check(instrument)
    if len(frame) == 0:
        raise AnalysisError(f"survey '{instrument.id}' has no complete responses")
    sample, notices = weigh(frame, tuple(margins), options)
    texts = InstrumentTexts(instrument, options.lang)
    indicators = []
    for indicator in instrument.indicators:
        block, extra = indicator_block(frame, sample, indicator, options, texts)
        indicators.append(block)
        notices += extra
    return {"survey": instrument.id, "weighting": options.weighting, "ci_method": options.ci,
            "level": options.level, "n_respondents": len(frame), "indicators": indicators,
            "warnings": list(dict.fromkeys(n.text(options.lang) for n in notices)),
            "notices": notice_list(notices, options.lang)}


def notice_list(notices, lang: str) -> list[dict]:
    """``[{"code", "message"}]``, each distinct notice once, in the order raised."""
    unique = {(n.code, n.text(lang)): None for n in notices}
    return [{"code": code, "message": message} for code, message in unique]


def indicator_block(frame: Frame, sample: WeightedSample, indicator, options: Options, texts: InstrumentTexts):
    values = frame.values(indicator.question)
    positive, base = indicator_masks(frame.instrument, indicator, values)
    if not base.any():
        if options.strict:
            raise AnalysisError(f"indicator '{indicator.id}': every answer to '{indicator.question}' is missing, "
                                "so there is nothing to estimate")
        notice = Notice("no_base", {"indicator": indicator.id})
        return empty_block(indicator, options, texts), (notice,)
    est = proportion(sample, positive, base, method=options.ci, level=options.level)
    notices = ()
    if est.degenerate:
        notices = (Notice("degenerate_interval", {"indicator": indicator.id, "estimate": est.estimate}),)
    n_eff, basis = effective_size(est)
    if basis == "kish":
        notices += (Notice("n_eff_kish", {"indicator": indicator.id, "design": est.n_eff, "n": est.n}),)
    groups = []
    for qid in options.by:
        question = frame.instrument.question(qid)
        labels = {c.code: texts.choice(question.choice_list, c) for c in question.choices}
        groups += group_rows(sample, positive, base, frame.values(qid), qid, labels, options.ci,
                             options.level, options.thresholds)
    notices += tuple(Notice("degenerate_group", {"indicator": indicator.id, "group": f"{g['by']}={g['label']}",
                                                 "estimate": g["estimate"] / 100})
                     for g in groups if g["estimate"] in (0.0, 100.0))
    compared, on_baseline_base = comparable_estimate(frame, sample, indicator, values, est, options)
    compared_change = change(compared, indicator.baseline, options.level, comparison_base(indicator))
    block = {
        "id": indicator.id, "title": texts.indicator(indicator), "base": indicator.base,
        "estimate": pp(est.estimate), "se": pp(est.se), "ci_low": pp(est.ci_low), "ci_high": pp(est.ci_high),
        "n": est.n, "n_positive": est.n_positive, "n_eff": n_eff, "n_eff_basis": basis,
        "kish_n_eff": est.kish_n_eff, "deff": est.deff,
        "baseline": baseline_block(indicator.baseline),
        "target": target_block(indicator, est),
        "change_vs_baseline": compared_change.as_dict() if compared_change else None,
        "on_baseline_base": on_baseline_base,
        "groups": groups,
    }
    return block, notices + baseline_notices(indicator, options.weighting)


def comparable_estimate(frame: Frame, sample: WeightedSample, indicator, values, est, options: Options):
    """(the estimate to compare with the baseline, the figure on the baseline's base or None).

    A baseline published on another base (valid answers vs all respondents) is compared with
    the figure recomputed on that base, shown beside the official one.
    """
    base_rule = comparison_base(indicator)
    if base_rule == indicator.base:
        return est, None
    positive, base = indicator_masks(frame.instrument, indicator, values, base_rule)
    other = proportion(sample, positive, base, method=options.ci, level=options.level)
    block = {"base": base_rule, "estimate": pp(other.estimate), "se": pp(other.se), "ci_low": pp(other.ci_low),
             "ci_high": pp(other.ci_high), "n": other.n}
    return other, block


def baseline_block(baseline) -> dict | None:
    if baseline is None:
        return None
    return {"value": baseline.value, "year": baseline.year, "se": baseline.standard_error(), "n": baseline.n,
            "deff": baseline.deff, "base": baseline.base, "weighting": baseline.weighting}


def empty_block(indicator, options: Options, texts: InstrumentTexts) -> dict:
    baseline = indicator.baseline
    return {"id": indicator.id, "title": texts.indicator(indicator), "base": indicator.base,
            "estimate": None, "se": None, "ci_low": None, "ci_high": None, "n": 0, "n_positive": 0,
            "n_eff": None, "n_eff_basis": None, "kish_n_eff": None, "deff": None,
            "baseline": baseline_block(baseline),
            "target": {"value": indicator.target.value, "year": indicator.target.year, "distance": None}
            if indicator.target else None,
            "change_vs_baseline": None, "on_baseline_base": None, "groups": []}


def indicators_json(session: Session, instrument: Instrument, weighting: str = "rake", by=(), ci: str = "logit",
                    level: float = 0.95, margins=None, trim: tuple[float, float] | None = None,
                    lang: str = "ja", thresholds: Thresholds | None = None, strict: bool = False,
                    min_cell: int = MIN_CELL) -> dict:
    """The document for a survey in the database; ``margins`` are ``MarginRow`` objects.

    For pages and the API, ``strict=False``: an indicator nobody has answered yet is
    ``null`` with a warning rather than an error for the whole document.

    Raises :class:`AnalysisError` (a ``ValueError``) with a one-line message on bad input.
    """
    if margins is None:
        from survey_app.population import margins_for

        margins = margins_for(session, instrument.id)
    frame = frame_from_database(session, instrument)
    options = Options(weighting, trim, ci, level, tuple(by), thresholds or Thresholds(), lang, strict, min_cell)
    return compute(frame, margins_from_rows(margins), options)
