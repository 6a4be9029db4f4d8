"""The indicator pipeline: frame → design → weights (→ trimming) → estimates → a :class:`SurveyResult`.

:func:`compute` (a frame) and :func:`compute_for_survey` (a survey in the database) are
the entry points; both return the typed result of :mod:`analysis.result`, which
:mod:`analysis.report` renders (JSON document, table, CSV, XLSX) for the CLI, the staff
pages and the API alike. :class:`Options` is the one set of analysis options.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy.orm import Session

from analysis.breakdown import (
    BY_LOCALE,
    group_rows,
    indicator_masks,
    locale_labels,
    margin_label,
    pp,
    target_block,
)
from analysis.change import baseline_notices, baseline_result, change, comparison_base
from analysis.consistency import check_design
from analysis.design import SamplingDesign
from analysis.errors import AnalysisError
from analysis.estimate import Estimate, WeightedSample, proportion
from analysis.fallback import design_only, weigh_with_fallback
from analysis.frame import Frame, frame_from_database
from analysis.guards import effective_size, weight_notices
from analysis.methods import CI_METHODS, DEFAULT_CI, DEFAULT_LEVEL, WEIGHTING_METHODS
from analysis.notices import Notice
from analysis.result import IndicatorResult, OtherBase, SurveyResult, Target, Thresholds
from analysis.samples import SAMPLES, invited_design, open_summary, sample_estimates, sample_frame, split
from analysis.sampling import invited_sample
from analysis.trim import trim_weights
from analysis.weighting import Margin, WeightingInput, WeightingResult, margins_from_rows
from analysis.weighting.bounded import bounded_rake
from analysis.weighting.collapse import MIN_CELL, collapse_sparse
from analysis.weighting.rake import max_relative_error
from survey_app.i18n import locales
from survey_app.i18n.texts import InstrumentTexts
from survey_app.instrument import Indicator, Instrument

if TYPE_CHECKING:
    from survey_app.population import MarginRow

#: Methods that calibrate to the margins, so their cells must hold enough respondents.
CALIBRATING = frozenset({"poststratify", "rake", "propensity"})


@dataclass(frozen=True)
class Options:
    """How to compute: the one options class of the CLI, the staff pages and the API.

    ``weighting`` and ``ci`` are names from :mod:`analysis.methods`; ``trim`` bounds are
    multiples of the mean weight; ``by`` breakdown question ids or ``"locale"`` (the language
    each response was given in); ``lang`` the language of
    titles and group labels in the result; ``strict``: an indicator without any answer is
    an error (else a ``None`` estimate and a ``no_base`` notice — pages and the API; the
    command line also keeps margins that contradict the data an error, where pages fall back);
    ``sample`` which responses the figures come from (:mod:`analysis.samples`);
    ``min_cell``: calibration cells with fewer respondents are merged along an ordered variable,
    or their margin is left out of the calibration (:mod:`analysis.weighting.collapse`).
    """

    weighting: str = "none"
    trim: tuple[float, float] | None = None
    ci: str = DEFAULT_CI
    level: float = DEFAULT_LEVEL
    by: tuple[str, ...] = ()
    thresholds: Thresholds = field(default_factory=Thresholds)
    lang: str = field(default_factory=locales.default)
    strict: bool = True
    sample: str = "invited"  # invited | open | combined (analysis.samples)
    min_cell: int = MIN_CELL

    def check(self, instrument: Instrument) -> None:
        if self.weighting not in WEIGHTING_METHODS:
            raise AnalysisError(f"unknown weighting '{self.weighting}' (use {', '.join(WEIGHTING_METHODS)})")
        if self.sample not in SAMPLES:
            raise AnalysisError(f"unknown sample '{self.sample}' (use {', '.join(SAMPLES)})")
        if self.ci not in CI_METHODS:
            raise AnalysisError(f"unknown interval method '{self.ci}' (use {', '.join(CI_METHODS)})")
        if not 0.5 <= self.level < 1:
            raise AnalysisError(f"confidence level {self.level} must be at least 0.5 and below 1")
        for qid in self.by:
            if qid == BY_LOCALE and not instrument.has_question(qid):
                continue
            if not instrument.has_question(qid) or not instrument.question(qid).kind.one_code:
                raise AnalysisError(f"cannot break down by '{qid}': not a single-choice question of the survey")
        if self.trim is not None and not 0 <= self.trim[0] < 1 < self.trim[1]:
            raise AnalysisError("trimming bounds LOW,HIGH are multiples of the mean weight with LOW < 1 < HIGH")


def weighting_input(frame: Frame, margins: tuple[Margin, ...], design_weights: np.ndarray) -> WeightingInput:
    instrument = frame.instrument
    variables = [q.id for q in instrument.weighting_questions()]
    dims = {d for m in margins for d in m.dims}
    lists = {qid: instrument.question(qid).choice_list for qid in variables}
    missing = {qid: choices.missing_codes() for qid, choices in lists.items() if choices}
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


@dataclass(frozen=True)
class Weighed:
    """What :func:`weigh` did: the weighted sample and its notices, and the method and margins the
    weights were actually made by — a fallback (:mod:`analysis.fallback`) or early fieldwork's
    sparse margins may leave fewer margins, or another method, than were asked for; what is
    published names these, never the request."""

    sample: WeightedSample
    notices: tuple[Notice, ...]
    method: str
    margins: tuple[str, ...]


def weigh(frame: Frame, margins: tuple[Margin, ...], options: Options) -> Weighed:
    """The weighted sample under the options (:class:`Weighed`).

    ``none``: equal weights analysed as a simple random sample (the footnote's "every
    response counts equally"); otherwise the design (recorded, or a CSV's columns), checked
    for consistency with the letters and margins (:mod:`analysis.consistency`); sparse
    calibration cells merged or their margin left out (:mod:`analysis.weighting.collapse`);
    then the method, which falls back in a stated order when the margins cannot be met
    (:mod:`analysis.fallback`); ``--trim`` bounds the weights inside the calibration.
    Single-respondent strata are named (``lonely_psu``).
    """
    if options.weighting == "none":
        return Weighed(WeightedSample(np.ones(len(frame)), SamplingDesign.build(len(frame))), (), "none", ())
    check_design(frame, margins)
    design, notices = invited_design(frame)
    lonely = design.lonely_strata()
    if lonely:
        notices += (Notice("lonely_psu", {"strata": ", ".join(lonely)}),)
    sample = weighting_input(frame, margins, design.weights)
    if options.weighting in CALIBRATING:
        ordered = frozenset(q.id for q in frame.instrument.weighting_questions() if q.ordered)
        calibrated, collapsed = collapse_sparse(sample, options.min_cell, ordered)
        notices += collapsed
        if sample.margins and not calibrated.margins:  # every margin too sparse (early fieldwork)
            dropped = [n.params["margin"] for n in collapsed
                       if n.code in ("sparse_margin_dropped", "sparse_margin_merged_away")]
            result = design_only(calibrated, "sparse", dropped)
            return finish(result, design, notices, options)
        sample = calibrated
    result = weigh_with_fallback(options.weighting, sample, options.strict)
    if options.trim is not None and result.calibration is not None:
        # trimming inside the calibration: the margins still hold, the variance credits what was achieved
        pre = replace(sample, design_weights=result.calibration.pre_weights, margins=result.margins)
        bounded = bounded_rake(pre, *options.trim)
        result = replace(bounded, method=result.method, notices=result.notices + bounded.notices[-1:])
    return finish(result, design, notices, options)


def finish(result: WeightingResult, design: SamplingDesign, notices: tuple[Notice, ...],
           options: Options) -> Weighed:
    """Trim weights the calibration did not bound, add the weight guards' notices, and package the sample."""
    weights, notices = result.weights, notices + result.notices
    if options.trim is not None and result.calibration is None:
        weights, notice = apply_trim(result, options.trim)
        notices += (notice,)
    notices += weight_notices(weights)
    return Weighed(WeightedSample(weights, design, result.calibration), notices, result.method,
                   tuple(m.name for m in result.margins))


def compute(frame: Frame, margins: Iterable[Margin] = (), options: Options | None = None) -> SurveyResult:
    """The indicators of ``frame`` under ``options`` (see module docstring)."""
    options = sample_options(options or Options())
    instrument = frame.instrument
    options.check(instrument)
    if len(frame) == 0:
        raise AnalysisError(f"survey '{instrument.id}' has no complete responses")
    if BY_LOCALE in options.by and frame.locales is None and not instrument.has_question(BY_LOCALE):
        raise AnalysisError("cannot break down by locale: the responses do not say which language they were "
                            "given in (add a 'locale' column such as ja, vi or ur to the responses file)")
    margins_used = tuple(margins)
    invited, open_frame = split(frame)
    target, notices = sample_frame(invited, open_frame, options)
    texts = InstrumentTexts(instrument, options.lang)
    used: tuple[str, ...] = ()
    applied = None
    if len(target) == 0:
        indicators = tuple(empty_result(indicator, texts) for indicator in instrument.indicators)
    else:
        weighed = weigh(target, margins_used, options)
        notices += weighed.notices
        used, applied = weighed.margins, weighed.method
        indicators = tuple(indicator_result(target, weighed.sample, indicator, options, texts)
                           for indicator in instrument.indicators)
    indicators, extra = sample_estimates(indicators, invited, open_frame, options)
    # combined: the figures rest on the open responses as well as the invited ones
    respondents = len(target) + (len(open_frame) if options.sample == "combined" and len(target) else 0)
    return SurveyResult(instrument.id, options.weighting, options.ci, options.level, respondents, indicators,
                        notices=notices + extra, margins=used, thresholds=options.thresholds,
                        sample=options.sample, open=open_summary(open_frame, options.thresholds.suppress_below),
                        margin_labels=tuple(margin_label(instrument, m, options.lang) for m in used),
                        applied_weighting=applied if applied != options.weighting else None)


def sample_options(options: Options) -> Options:
    """The open sample is never weighted; the combined estimator takes the invited design weights as stated."""
    forced = {"open": "none", "combined": "design"}.get(options.sample)
    return replace(options, weighting=forced, trim=None) if forced else options


def indicator_result(frame: Frame, sample: WeightedSample, indicator: Indicator, options: Options,
                     texts: InstrumentTexts) -> IndicatorResult:
    values = frame.values(indicator.question)
    positive, base = indicator_masks(frame.instrument, indicator, values)
    if not base.any():
        if options.strict:
            raise AnalysisError(f"indicator '{indicator.id}': every answer to '{indicator.question}' is missing, "
                                "so there is nothing to estimate")
        return empty_result(indicator, texts)
    est = proportion(sample, positive, base, method=options.ci, level=options.level)
    notices: tuple[Notice, ...] = ()
    if est.degenerate:
        notices = (Notice("degenerate_interval", {"indicator": indicator.id, "estimate": est.estimate}),)
    n_eff, basis = effective_size(est)
    if basis == "kish":
        notices += (Notice("n_eff_kish", {"indicator": indicator.id, "design": est.n_eff, "n": est.n}),)
    groups = []
    for qid in options.by:
        by_values, labels = breakdown_cells(frame, qid, texts)
        groups += group_rows(sample, positive, base, by_values, qid, labels, options.ci,
                             options.level, options.thresholds, indicator.id)
    n_positive = int(np.sum(positive & base))  # the estimate's own count, never None when the base has answers
    compared, other = comparable_estimate(frame, sample, indicator, values, est, options)
    return IndicatorResult(
        indicator.id, texts.indicator(indicator), indicator.base, pp(est.estimate), pp(est.se), pp(est.ci_low),
        pp(est.ci_high), est.n, n_positive, n_eff, est.deff, baseline_result(indicator.baseline),
        target_block(indicator, est), change(compared, indicator.baseline, options.level, comparison_base(indicator)),
        tuple(groups), notices + baseline_notices(indicator, options.weighting), n_eff_basis=basis,
        kish_n_eff=est.kish_n_eff, on_baseline_base=other)


def breakdown_cells(frame: Frame, by: str,
                    texts: InstrumentTexts) -> tuple[np.ndarray, dict[int | str, str]]:
    """(each row's category, category → label) of one breakdown: a question's choices, or the languages."""
    instrument = frame.instrument
    if by == BY_LOCALE and not instrument.has_question(by):
        if frame.locales is None:  # compute() refuses this in words before any breakdown
            raise AnalysisError("cannot break down by locale: the responses do not say which language they were given in")
        languages: dict[int | str, str] = dict(locale_labels(instrument, frame.locales).items())
        return frame.locales, languages
    question = instrument.question(by)
    choices: dict[int | str, str] = {c.code: texts.label(question, c) for c in question.choices}
    return frame.values(by), choices


def comparable_estimate(frame: Frame, sample: WeightedSample, indicator: Indicator, values: np.ndarray,
                        est: Estimate, options: Options) -> tuple[Estimate, OtherBase | None]:
    """(the estimate to compare with the baseline, the figure on the baseline's base or None).

    A baseline published on another base (valid answers vs all respondents) is compared with
    the figure recomputed on that base, shown beside the official one.
    """
    base_rule = comparison_base(indicator)
    if base_rule == indicator.base:
        return est, None
    positive, base = indicator_masks(frame.instrument, indicator, values, base_rule)
    other = proportion(sample, positive, base, method=options.ci, level=options.level)
    return other, OtherBase(base_rule, pp(other.estimate), pp(other.se), pp(other.ci_low), pp(other.ci_high),
                            other.n)


def empty_result(indicator: Indicator, texts: InstrumentTexts) -> IndicatorResult:
    """No respondent in the base: no estimate, and a ``no_base`` notice."""
    target = indicator.target
    return IndicatorResult(indicator.id, texts.indicator(indicator), indicator.base, None, None, None, None, 0, 0,
                           None, None, baseline_result(indicator.baseline),
                           Target(target.value, target.year, None) if target else None, None,
                           notices=(Notice("no_base", {"indicator": indicator.id}),))


def compute_for_survey(session: Session, instrument: Instrument, options: Options,
                       margins: Iterable[MarginRow] | None = None) -> SurveyResult:
    """The result for a survey in the database; ``margins`` are ``MarginRow`` objects (default: stored ones).

    Raises :class:`AnalysisError` (a ``ValueError``) with a one-line message on bad input.
    """
    stored = margins is None
    if margins is None:
        from survey_app.population import margins_for

        margins = margins_for(session, instrument.id)
    frame = frame_from_database(session, instrument)
    result = compute(frame, margins_from_rows(margins), options)
    return said_if_illustrative(session, instrument.id, options, result) if stored else result


# The methods that weight to population margins (propensity rakes to them afterwards).
USES_MARGINS = frozenset({"poststratify", "rake", "propensity"})


def said_if_illustrative(session: Session, survey_id: str, options: Options, result: SurveyResult) -> SurveyResult:
    """``result``, weighted to the survey's stored margins, with the notice ``illustrative_margins``
    first when those are the bundled example ones (``machikoe setup``), not the resident register's.

    Every caller that weights to the stored margins — the staff pages and API, ``machikoe indicators``,
    the published report — passes its result through here, so such a figure never goes out unmarked.
    """
    from survey_app.survey_settings import margins_are_illustrative

    if options.weighting not in USES_MARGINS or options.sample == "open":  # the open sample is not weighted
        return result
    if any(n.code == "illustrative_margins" for n in result.notices) or not margins_are_illustrative(session, survey_id):
        return result
    return replace(result, notices=(Notice("illustrative_margins"), *result.notices))
