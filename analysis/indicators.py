"""The indicator pipeline: frame → design → weights (→ trimming) → estimates → a :class:`SurveyResult`.

:func:`compute` (a frame) and :func:`compute_for_survey` (a survey in the database) are
the entry points; both return the typed result of :mod:`analysis.result`, which
:mod:`analysis.report` renders (JSON document, table, CSV, XLSX) for the CLI, the staff
pages and the API alike. :class:`Options` is the one set of analysis options.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.orm import Session

from analysis.breakdown import change_vs_baseline, group_rows, indicator_masks, pp, target_block
from analysis.errors import AnalysisError
from analysis.estimate import WeightedSample, proportion
from analysis.frame import Frame, frame_from_database
from analysis.methods import CI_METHODS, DEFAULT_CI, DEFAULT_LEVEL, WEIGHTING_METHODS
from analysis.notices import Notice
from analysis.result import IndicatorResult, SurveyResult, Target, Thresholds, YearValue
from analysis.sampling import csv_design, database_design, invited_sample
from analysis.trim import trim_weights
from analysis.weighting import METHODS, WeightingInput, WeightingResult, margins_from_rows
from analysis.weighting.rake import max_relative_error
from survey_app.i18n import locales
from survey_app.i18n.texts import InstrumentTexts
from survey_app.instrument import Instrument


@dataclass(frozen=True)
class Options:
    """How to compute: the one options class of the CLI, the staff pages and the API.

    ``weighting`` and ``ci`` are names from :mod:`analysis.methods`; ``trim`` bounds are
    multiples of the mean weight; ``by`` breakdown question ids; ``lang`` the language of
    titles and group labels in the result; ``strict``: an indicator without any answer is
    an error (else a ``None`` estimate and a ``no_base`` notice — pages and the API).
    """

    weighting: str = "none"
    trim: tuple[float, float] | None = None
    ci: str = DEFAULT_CI
    level: float = DEFAULT_LEVEL
    by: tuple[str, ...] = ()
    thresholds: Thresholds = field(default_factory=Thresholds)
    lang: str = field(default_factory=locales.default)
    strict: bool = True

    def check(self, instrument: Instrument) -> None:
        if self.weighting not in WEIGHTING_METHODS:
            raise AnalysisError(f"unknown weighting '{self.weighting}' (use {', '.join(WEIGHTING_METHODS)})")
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


def weigh(frame: Frame, margins, options: Options) -> tuple[WeightedSample, tuple[Notice, ...], tuple[str, ...]]:
    """(weighted sample, notices, names of the margins the weights were calibrated to) under the options."""
    if frame.invitations is None:
        design, notices = csv_design(frame), ()
    else:
        design, notices = database_design(frame, tuple(margins))
    result = METHODS[options.weighting](weighting_input(frame, margins, design.weights))
    weights, notices = result.weights, notices + result.notices
    if options.trim is not None:
        weights, notice = apply_trim(result, options.trim)
        notices += (notice,)
    return WeightedSample(weights, design, result.calibration), notices, tuple(m.name for m in result.margins)


def compute(frame: Frame, margins=(), options: Options | None = None) -> SurveyResult:
    """The indicators of ``frame`` under ``options`` (see module docstring)."""
    options = options or Options()
    instrument = frame.instrument
    options.check(instrument)
    if len(frame) == 0:
        raise AnalysisError(f"survey '{instrument.id}' has no complete responses")
    margins = tuple(margins)
    sample, notices, used = weigh(frame, margins, options)
    texts = InstrumentTexts(instrument, options.lang)
    indicators = tuple(indicator_result(frame, sample, indicator, options, texts)
                       for indicator in instrument.indicators)
    return SurveyResult(instrument.id, options.weighting, options.ci, options.level, len(frame), indicators,
                        notices=notices, margins=used, thresholds=options.thresholds)


def _baseline(indicator) -> YearValue | None:
    baseline = indicator.baseline
    return YearValue(baseline.value, baseline.year) if baseline else None


def indicator_result(frame: Frame, sample: WeightedSample, indicator, options: Options,
                     texts: InstrumentTexts) -> IndicatorResult:
    values = frame.values(indicator.question)
    positive, base = indicator_masks(frame.instrument, indicator, values)
    if not base.any():
        if options.strict:
            raise AnalysisError(f"indicator '{indicator.id}': every answer to '{indicator.question}' is missing, "
                                "so there is nothing to estimate")
        return empty_result(indicator, texts)
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
    return IndicatorResult(
        indicator.id, texts.indicator(indicator), indicator.base, pp(est.estimate), pp(est.se), pp(est.ci_low),
        pp(est.ci_high), est.n, est.n_positive, est.n_eff, est.deff, _baseline(indicator),
        target_block(indicator, est),
        change_vs_baseline(est, baseline.value if baseline else None, options.level), tuple(groups), notices)


def empty_result(indicator, texts: InstrumentTexts) -> IndicatorResult:
    """No respondent in the base: no estimate, and a ``no_base`` notice."""
    target = indicator.target
    return IndicatorResult(indicator.id, texts.indicator(indicator), indicator.base, None, None, None, None, 0, 0,
                           None, None, _baseline(indicator),
                           Target(target.value, target.year, None) if target else None, None,
                           notices=(Notice("no_base", {"indicator": indicator.id}),))


def compute_for_survey(session: Session, instrument: Instrument, options: Options,
                       margins=None) -> SurveyResult:
    """The result for a survey in the database; ``margins`` are ``MarginRow`` objects (default: stored ones).

    Raises :class:`AnalysisError` (a ``ValueError``) with a one-line message on bad input.
    """
    if margins is None:
        from survey_app.population import margins_for

        margins = margins_for(session, instrument.id)
    frame = frame_from_database(session, instrument)
    return compute(frame, margins_from_rows(margins), options)
