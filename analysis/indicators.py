"""The indicator pipeline: frame → design → weights (→ trimming) → estimates → the JSON document.

The document is the one schema shared by ``machikoe indicators --format json`` and
``GET /api/v1/surveys/<id>/indicators``: estimates, standard errors and intervals in
percentage points at full precision (rounding is for display only).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from sqlalchemy.orm import Session

from analysis.breakdown import Thresholds, change_vs_baseline, group_rows, indicator_masks, pp, target_block
from analysis.design import SamplingDesign
from analysis.errors import AnalysisError
from analysis.estimate import WeightedSample, proportion
from analysis.fallback import weigh_with_fallback
from analysis.frame import Frame, frame_from_database
from analysis.notices import Notice
from analysis.samples import (
    SAMPLES,
    invited_design,
    open_summary,
    sample_estimates,
    sample_frame,
    split,
    unique,
)
from analysis.sampling import invited_sample
from analysis.trim import trim_weights
from analysis.weighting import METHODS, WeightingInput, WeightingResult, margins_from_rows
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
    sample: str = "invited"  # invited | open | combined (analysis.samples)

    def check(self, instrument: Instrument) -> None:
        if self.weighting not in METHODS:
            raise AnalysisError(f"unknown weighting '{self.weighting}' (use {', '.join(METHODS)})")
        if self.sample not in SAMPLES:
            raise AnalysisError(f"unknown sample '{self.sample}' (use {', '.join(SAMPLES)})")
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
    """(weighted sample, notices) for the frame under the options.

    ``none``: equal weights analysed as a simple random sample (the footnote's "every
    response counts equally"); otherwise the design (recorded, or a CSV's columns) and the
    method, which falls back in a stated order when the margins cannot be met.
    """
    if options.weighting == "none":
        return WeightedSample(np.ones(len(frame)), SamplingDesign.build(len(frame))), ()
    design, notices = invited_design(frame)
    lonely = design.lonely_strata()
    if lonely:
        notices += (Notice("lonely_psu", {"strata": ", ".join(lonely)}),)
    result = weigh_with_fallback(options.weighting, weighting_input(frame, margins, design.weights), options.strict)
    weights, notices = result.weights, notices + result.notices
    if options.trim is not None:
        weights, notice = apply_trim(result, options.trim)
        notices += (notice,)
    return WeightedSample(weights, design, result.calibration), notices


def compute(frame: Frame, margins=(), options: Options | None = None) -> dict:
    """The indicator document for ``frame`` (see module docstring); the sample is ``options.sample``."""
    options = sample_options(options or Options())
    instrument = frame.instrument
    options.check(instrument)
    if len(frame) == 0:
        raise AnalysisError(f"survey '{instrument.id}' has no complete responses")
    invited, open_frame = split(frame)
    target, notices = sample_frame(invited, open_frame, options)
    texts = InstrumentTexts(instrument, options.lang)
    indicators = []
    if len(target) == 0:
        indicators = [empty_block(indicator, options, texts) for indicator in instrument.indicators]
    else:
        sample, weighting_notices = weigh(target, tuple(margins), options)
        notices += weighting_notices
        for indicator in instrument.indicators:
            block, extra = indicator_block(target, sample, indicator, options, texts)
            indicators.append(block)
            notices += extra
    indicators, extra = sample_estimates(indicators, invited, open_frame, options)
    notices += extra
    return {"survey": instrument.id, "sample": options.sample, "weighting": options.weighting,
            "ci_method": options.ci, "level": options.level, "n_respondents": len(target),
            "indicators": indicators, "open": open_summary(open_frame),
            "notices": [{"code": n.code, "message": n.text(options.lang)} for n in unique(notices)],
            "warnings": list(dict.fromkeys(n.text(options.lang) for n in notices))}


def sample_options(options: Options) -> Options:
    """The open sample is never weighted; the combined estimator takes the invited design weights as stated."""
    forced = {"open": "none", "combined": "design"}.get(options.sample)
    return replace(options, weighting=forced, trim=None) if forced else options


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
    groups = []
    for qid in options.by:
        question = frame.instrument.question(qid)
        labels = {c.code: texts.choice(question.choice_list, c) for c in question.choices}
        groups += group_rows(sample, positive, base, frame.values(qid), qid, labels, options.ci,
                             options.level, options.thresholds)
    baseline = indicator.baseline
    block = {
        "id": indicator.id, "title": texts.indicator(indicator), "base": indicator.base,
        "estimate": pp(est.estimate), "se": pp(est.se), "ci_low": pp(est.ci_low), "ci_high": pp(est.ci_high),
        "n": est.n, "n_positive": est.n_positive, "n_eff": est.n_eff, "deff": est.deff,
        "baseline": {"value": baseline.value, "year": baseline.year} if baseline else None,
        "target": target_block(indicator, est),
        "change_vs_baseline": change_vs_baseline(est, baseline.value if baseline else None, options.level),
        "groups": groups,
    }
    return block, notices


def empty_block(indicator, options: Options, texts: InstrumentTexts) -> dict:
    baseline = indicator.baseline
    return {"id": indicator.id, "title": texts.indicator(indicator), "base": indicator.base,
            "estimate": None, "se": None, "ci_low": None, "ci_high": None, "n": 0, "n_positive": 0,
            "n_eff": None, "deff": None,
            "baseline": {"value": baseline.value, "year": baseline.year} if baseline else None,
            "target": {"value": indicator.target.value, "year": indicator.target.year, "distance": None}
            if indicator.target else None,
            "change_vs_baseline": None, "groups": []}


def indicators_json(session: Session, instrument: Instrument, weighting: str = "rake", by=(), ci: str = "logit",
                    level: float = 0.95, margins=None, trim: tuple[float, float] | None = None,
                    lang: str = "ja", thresholds: Thresholds | None = None, strict: bool = False,
                    sample: str = "invited") -> dict:
    """The document for a survey in the database; ``margins`` are ``MarginRow`` objects.

    For pages and the API, ``strict=False``: an indicator nobody has answered yet is
    ``null`` with a warning rather than an error for the whole document.

    Raises :class:`AnalysisError` (a ``ValueError``) with a one-line message on bad input.
    """
    if margins is None:
        from survey_app.population import margins_for

        margins = margins_for(session, instrument.id)
    frame = frame_from_database(session, instrument)
    options = Options(weighting, trim, ci, level, tuple(by), thresholds or Thresholds(), lang, strict, sample)
    return compute(frame, margins_from_rows(margins), options)
