"""The 市民意識調査報告書 as data: every number and sentence, in the report's language, before layout.

Sections (the shape Japanese cities publish): 1 表紙・調査の概要, 2 指標, 3 単純集計, 4 クロス集計,
5 自由意見, 6 調査方法. :mod:`analysis.publication.layout` lays this out as HTML/PDF and XLSX.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

import numpy as np
from sqlalchemy.orm import Session

from analysis.publication import data as report_data
from analysis.publication.adapter import IndicatorSummary, summarise
from analysis.publication.charts import TrendChart, trend_chart
from analysis.publication.comments import CommentGroup, group_comments
from analysis.publication.data import ReportData
from analysis.publication.methods import method_notes
from analysis.publication.tables import (
    CrossTable,
    FreqTable,
    cross_tables,
    frequency_tables,
    fully_hidden,
    short_label,
    withheld,
)
from survey_app import indicator_values
from survey_app.config import city_timezone
from survey_app.i18n import N_, locales
from survey_app.i18n.catalogs import gettext, ngettext
from survey_app.i18n.fmt import fiscal_year_label
from survey_app.i18n.locales import native_name
from survey_app.i18n.texts import InstrumentTexts
from survey_app.instrument import Instrument, Question
from survey_app.monitor import CHANNEL_LABELS, StratumRate, response_rates

WEIGHTINGS = ("none", "poststratify", "rake", "propensity")


@dataclass(frozen=True)
class CompositionRow:
    label: str
    population: float | None
    n: int
    unweighted: float
    weighted: float


@dataclass(frozen=True)
class Composition:
    question: str
    rows: tuple[CompositionRow, ...]
    weighted_to: bool = True  # the weights were calibrated to this question's margin (else it was left out)


@dataclass(frozen=True)
class ReturnedRow:
    sample: str
    channel: str
    language: str
    n: int


@dataclass(frozen=True)
class RateRow:
    dimension: str
    label: str
    letters: int
    undeliverable: int
    responded: int
    rate: float | None


@dataclass(frozen=True)
class Report:
    lang: str
    survey_id: str
    title: str
    year: int
    year_label: str
    produced: date
    fieldwork: tuple[date | None, date | None]
    population: float | None
    margin_names: tuple[str, ...]
    letters: int
    undeliverable: int
    invited: int
    open: int
    partial: int
    response_rate: float | None
    returned: tuple[ReturnedRow, ...]
    rates: tuple[RateRow, ...]
    composition: tuple[Composition, ...]
    indicators: IndicatorSummary
    trends: dict[str, TrendChart | None]
    frequencies: tuple[FreqTable, ...]
    crosses: tuple[CrossTable, ...]  # without the tables whose every group is hidden, which
    crosses_withheld: tuple[str, ...]  # these sentences name instead (one per breakdown)
    comments: tuple[CommentGroup, ...]
    comments_withheld: int  # to conditional questions, in a language too few residents answered in
    # never printed as a number: "4 withheld" beside 4 small-language respondents told that all 4 had
    # been asked the question — that they had all disagreed; the rule is said wherever it could apply
    small_languages: bool
    methods: tuple[tuple[str, str], ...]  # (heading, paragraph)
    timezone: str
    thresholds: tuple[int, int]  # (suppress below, caution below)


def wave_year(instrument: Instrument, produced: date) -> int:
    """The survey's fiscal year: the first 4-digit year in its id (ebetsu-2025), else the current one."""
    import re

    found = re.search(r"(19|20)\d{2}", instrument.id)
    return int(found.group(0)) if found else produced.year


def build_report(session: Session, instrument: Instrument, weighting: str = "rake", lang: str = locales.DEFAULT,
                 now: datetime | None = None) -> Report:
    """Read, compute and word the whole report; raises AnalysisError (one line) on bad input.

    Baselines, targets and history are the ones staff set in the console (``indicator_values``),
    whoever calls — the CLI or the console — so the report never prints the YAML's older values.
    """
    instrument = indicator_values.apply(session, instrument)
    zone = city_timezone()
    options = report_data.report_options(weighting, lang)
    data = report_data.load(session, instrument, options)
    texts = InstrumentTexts(instrument, lang)
    produced = (now or datetime.now(UTC)).astimezone(zone).date()
    year = wave_year(instrument, produced)
    summary = summarise(data.indicators, lang,
                        lambda v: short_label(instrument, v, lang) if instrument.has_question(v) else None)
    freqs = frequency_tables(data, texts, gettext(lang, "No answer"), lambda q: _condition(texts, q, lang))
    labels = {"no_answer": gettext(lang, "No answer"), "total": gettext(lang, "All respondents")}
    crosses = cross_tables(data, freqs, texts, labels, options.thresholds)
    fw = data.fieldwork
    comments, comments_withheld = group_comments(
        instrument, data.comments, lambda area, q: _area(texts, area, q, lang), texts.question, instrument.languages,
        _small_languages(data, options.thresholds.suppress_below))
    invited = sum(n for (source, _c, _l), n in fw.returned.items() if source == "invited")
    delivered = fw.letters - fw.undeliverable
    return Report(
        lang=lang, survey_id=instrument.id, title=texts.title(), year=year, year_label=fiscal_year_label(year, lang),
        produced=produced, fieldwork=(_local_date(fw.first, zone), _local_date(fw.last, zone)),
        population=data.margins[0].total if data.margins else None,
        margin_names=tuple(" × ".join(short_label(instrument, d, lang) for d in m.dims) for m in data.margins), letters=fw.letters, undeliverable=fw.undeliverable,
        invited=invited, open=len(data.frame) - invited, partial=fw.partial,
        response_rate=100.0 * invited / delivered if delivered > 0 else None,
        returned=_returned(fw.returned, lang), rates=_rates(response_rates(session, instrument), texts),
        composition=_composition(data, texts), indicators=summary, trends=_trends(instrument, summary, year),
        frequencies=tuple(freqs), crosses=tuple(c for c in crosses if not fully_hidden(c)),
        crosses_withheld=tuple(_withheld_note(by, n, options.thresholds.suppress_below, lang)
                               for by, n in withheld(crosses)),
        comments=tuple(comments), comments_withheld=comments_withheld,
        small_languages=bool(_small_languages(data, options.thresholds.suppress_below))
        and any(q.show_if is not None and q.kind.free_text for q in instrument.questions),
        methods=tuple(method_notes(data, summary, lang)), timezone=str(zone),
        thresholds=(options.thresholds.suppress_below, options.thresholds.caution_below))


def _local_date(value: datetime | None, zone: tzinfo) -> date | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(zone).date()


def _condition(texts: InstrumentTexts, question: Question, lang: str) -> str:
    condition = question.show_if
    if condition is None:
        return ""
    shown_by = texts.instrument.question(condition.question)
    answers = "・".join(texts.label(shown_by, c) for c in sorted(condition.codes))
    return gettext(lang, "Asked only of respondents who answered “%(answers)s” to “%(question)s”.",
                   answers=answers, question=texts.question(shown_by))


def _small_languages(data: ReportData, below: int) -> frozenset[str]:
    """Languages fewer than ``below`` of the report's respondents answered in (every response: the
    comments come from every response)."""
    if data.frame.locales is None:
        return frozenset()
    tags, counts = np.unique(np.asarray(data.frame.locales, dtype=str), return_counts=True)
    return frozenset(str(tag) for tag, n in zip(tags, counts, strict=True) if n < below)


def _area(texts: InstrumentTexts, area: str | None, question: Question, lang: str) -> str:
    if area is None:
        return gettext(lang, "General comments")
    return texts.indicator(area)


SAMPLE_WORDS = {"invited": N_("Invited (letter with a code)"), "open": N_("Open, no code (self-selected)")}


def _returned(returned: dict[tuple[str, str, str], int], lang: str) -> tuple[ReturnedRow, ...]:
    rows = [ReturnedRow(gettext(lang, SAMPLE_WORDS.get(s, s)) if s in SAMPLE_WORDS else s,
                        gettext(lang, CHANNEL_LABELS[c]) if c in CHANNEL_LABELS else c, native_name(loc), n)
            for (s, c, loc), n in sorted(returned.items(), key=lambda kv: (kv[0][0] != "invited", -kv[1]))]
    return tuple(rows)


def _rates(rates: list[StratumRate], texts: InstrumentTexts) -> tuple[RateRow, ...]:
    rows = []
    for r in rates:
        question = texts.instrument.question(r.dimension)
        label = texts.label(question, r.code) if r.code is not None and question.choice_list else "–"
        rows.append(RateRow(short_label(texts.instrument, r.dimension, texts.locale), label, r.invited, r.undeliverable, r.responded, r.rate))
    return tuple(rows)


def _composition(data: report_data.ReportData, texts: InstrumentTexts) -> tuple[Composition, ...]:
    out = []
    for question in data.instrument.weighting_questions():
        rows = tuple(CompositionRow(texts.label(question, r.code), r.population, r.n, r.unweighted, r.weighted)
                     for r in report_data.composition(data, question.id))
        # calibrated to a margin naming this question? (early in fieldwork sparse ones are left out)
        used = any(question.id in m.split(":") for m in data.indicators.margins)
        out.append(Composition(texts.question(question), rows, weighted_to=used and data.weighting != "none"))
    return tuple(out)


def _trends(instrument: Instrument, summary: IndicatorSummary, year: int) -> dict[str, TrendChart | None]:
    figures = {f.id: f for f in summary.figures}
    charts = {}
    for indicator in instrument.indicators:
        figure = figures.get(indicator.id)
        history = [(h.year, h.value) for h in indicator.history if h.year is not None and h.value is not None]
        charts[indicator.id] = trend_chart(history, year, figure, figure.baseline if figure else None,
                                           figure.target if figure else None)
    return charts


def _withheld_note(by: str, tables: int, suppress: int, lang: str) -> str:
    return ngettext(lang, "Not shown: %(n)d table by %(by)s, in which every group has fewer than %(suppress)d "
                    "respondents or is hidden with such a group.",
                    "Not shown: %(n)d tables by %(by)s, in which every group has fewer than %(suppress)d "
                    "respondents or is hidden with such a group.", tables, n=tables, by=by, suppress=suppress)
