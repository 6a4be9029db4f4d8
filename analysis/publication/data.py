"""Everything the published report is computed from, read once: the frame and its weights, the
indicator result, multi-choice and free-text answers, and the fieldwork facts (letters, channels).

The weights are those of the headline figures (the indicator section): the same ``weigh`` call
the indicator pipeline makes, so the 単純集計's weighted % and the indicators agree, and the raw
export's 「重み」 column (:func:`response_weights`) carries exactly these numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy.orm import Session

from analysis.errors import AnalysisError
from analysis.frame import Frame, frame_from_database
from analysis.indicators import Options, compute, said_if_illustrative, weigh
from analysis.result import SurveyResult, Thresholds
from analysis.samples import split
from analysis.weighting import margins_from_rows
from analysis.weighting.margins import Margin
from survey_app import queries
from survey_app.exports import ResponseWeights
from survey_app.i18n import N_
from survey_app.instrument import Instrument
from survey_app.population import margins_for


@dataclass(frozen=True)
class Comment:
    question: str
    text: str
    locale: str


@dataclass(frozen=True)
class Fieldwork:
    """What happened in the field: letters and how the answers came back."""

    letters: int = 0
    undeliverable: int = 0
    first: datetime | None = None
    last: datetime | None = None
    partial: int = 0
    returned: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (source, channel, locale) → n


@dataclass(frozen=True)
class ReportData:
    instrument: Instrument
    frame: Frame
    weights: np.ndarray  # aligned with frame rows (complete responses by id)
    weighting: str  # the method the weights were made by (a fallback's, when the one asked for failed)
    margins: tuple[Margin, ...]  # every margin loaded (the population and its composition)
    indicators: SurveyResult  # read through adapter.py
    multi: dict[str, list[frozenset[int]]]
    comments: list[Comment]
    fieldwork: Fieldwork
    options: Options

    @property
    def counted(self) -> np.ndarray:
        """The respondents the tables count: the invited sample, whose answers the weighted figures
        rest on; every response only when no one invited has answered (then nothing is weighted).
        Open answers counted in n beside weighted shares of the invited alone padded a group of 6
        invited past the suppression rule (n = 14) and printed n that the shares did not rest on."""
        invited = self.frame.invited_mask()
        return invited if invited.any() else np.ones(len(self.frame), dtype=bool)


def report_options(weighting: str, lang: str, ci: str = "logit", level: float = 0.95,
                   thresholds: Thresholds | None = None) -> Options:
    return Options(weighting=weighting, ci=ci, level=level, thresholds=thresholds or Thresholds(), lang=lang,
                   strict=False)


def load(session: Session, instrument: Instrument, options: Options) -> ReportData:
    """Read and weigh once; raises AnalysisError with one line (no responses, no margins)."""
    frame = frame_from_database(session, instrument)
    if len(frame) == 0:
        raise AnalysisError(N_("Survey '%(survey)s' has no complete responses: there is nothing to report."),
                            survey=instrument.id)
    minimum = options.thresholds.suppress_below
    if len(frame) < minimum:  # every table would print a handful of residents' answers, one record at n = 1
        raise AnalysisError(N_("Survey '%(survey)s' has %(n)d complete responses: a published report needs at "
                               "least %(min)d, so that no resident's answers can be read from its tables."),
                            survey=instrument.id, n=len(frame), min=minimum)
    margins = margins_from_rows(margins_for(session, instrument.id))
    if options.weighting != "none" and not margins:
        raise AnalysisError(N_("Survey '%(survey)s' has no population margins: weighting '%(weighting)s' needs "
                               "them (load the population margins, or choose no weighting)."),
                            survey=instrument.id, weighting=options.weighting)
    weights = headline_weights(frame, margins, options)
    ids = np.asarray(queries.complete_ids(session, instrument.id))
    position = {int(rid): i for i, rid in enumerate(ids)}
    indicators = said_if_illustrative(session, instrument.id, options, compute(frame, margins, options))
    return ReportData(instrument, frame, weights, indicators.weighting_used, margins,
                      indicators, _multi(session, instrument, position),
                      _comments(session, instrument), _fieldwork(session, instrument.id), options)


def response_weights(session: Session, instrument: Instrument, weighting: str = "rake") -> ResponseWeights:
    """The headline weights by response id; ``none`` (every weight 1) when there are no margins yet."""
    frame = frame_from_database(session, instrument)
    margins = margins_from_rows(margins_for(session, instrument.id))
    method = weighting if margins and len(frame) else "none"
    if len(frame) == 0:
        return ResponseWeights(method, {})
    weights = headline_weights(frame, margins, Options(weighting=method))
    ids = queries.complete_ids(session, instrument.id)
    invited = frame.invited_mask()
    return ResponseWeights(method, {rid: float(w) if inv else None
                                    for rid, w, inv in zip(ids, weights, invited, strict=True)})


def headline_weights(frame: Frame, margins: tuple[Margin, ...], options: Options) -> np.ndarray:
    """Each response's weight in the published figures: the invited sample weighted as the headline is
    (``analysis.indicators.weigh`` on the invited responses), open responses 0 — they are reported
    beside the figures, never inside them (issue 11)."""
    invited = frame.invited_mask()
    weights = np.zeros(len(frame))
    if invited.any():
        weights[invited] = weigh(split(frame)[0], margins, options).sample.weights
    return weights


def _multi(session: Session, instrument: Instrument, position: dict[int, int]) -> dict[str, list[frozenset[int]]]:
    qids = [q.id for q in instrument.questions if q.kind.multiple]
    chosen: dict[str, list[frozenset[int]]] = {qid: [frozenset()] * len(position) for qid in qids}
    for (response_id, qid), codes in queries.complete_code_sets(session, instrument.id, qids).items():
        chosen[qid][position[response_id]] = codes
    return chosen


def _comments(session: Session, instrument: Instrument) -> list[Comment]:
    qids = [q.id for q in instrument.questions if q.kind.free_text]
    return [Comment(row.question_id, row.text, row.locale) for row in queries.complete_texts(session, instrument.id, qids)]


def _fieldwork(session: Session, survey_id: str) -> Fieldwork:
    counts = queries.fieldwork_counts(session, survey_id)
    return Fieldwork(counts.letters, counts.undeliverable, counts.first_submitted, counts.last_submitted,
                     counts.partial, counts.complete_by)


@dataclass(frozen=True)
class Share:
    """One code of a weighting question: respondents, and shares (%) of the population and of the respondents."""

    code: int
    n: int
    population: float | None  # None: the margins have no cell for it
    unweighted: float
    weighted: float


def composition(data: ReportData, qid: str) -> list[Share]:
    """Population share (margins), respondents' share unweighted and weighted, per code of ``qid``."""
    question = data.instrument.question(qid)
    values = data.frame.values(qid)
    margin = next((m for m in data.margins if m.dims == (qid,)), None)
    population = {}
    if margin is not None:
        population = {cell[0]: 100.0 * count / margin.total for cell, count in zip(margin.cells, margin.counts,
                                                                                     strict=True)}
    known = ~np.isnan(values) & data.counted  # the sample that was weighted, as every table counts
    rows = []
    for choice in question.choices:
        hit = (values == choice.code) & data.counted
        rows.append(Share(choice.code, int(hit.sum()), population.get(choice.code),
                          float(100.0 * hit.sum() / max(known.sum(), 1)),
                          float(100.0 * data.weights[hit].sum() / max(data.weights[known].sum(), 1e-12))))
    return rows
