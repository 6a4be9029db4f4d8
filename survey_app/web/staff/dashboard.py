"""The indicator dashboard of one survey: table, trend charts, breakdowns, footnotes.

``?weighting=none|rake|poststratify`` switches between unweighted and weighted shares;
``?by=<weighting question>`` adds a breakdown with the analysis package's suppression
and caution flags. Numbers come from the analysis package as a typed
:class:`analysis.SurveyResult` (the one the API and the exports render); the words
(verdicts, flags, footnotes naming the margins used, notices) from :mod:`analysis.report`.
"""
from __future__ import annotations

import re
from dataclasses import replace

from flask import render_template, request
from flask.typing import ResponseReturnValue

from analysis import Change, SurveyResult
from analysis.breakdown import BY_LOCALE, margin_label
from analysis.methods import WEIGHTING_LABELS
from analysis.publication.charts import TrendChart, trend_chart
from analysis.report import flag_word, footnotes, notice_messages, on_base_label, verdict_word
from survey_app.i18n import locales
from survey_app.i18n.fmt import fiscal_year_label, one_decimal
from survey_app.i18n.texts import InstrumentTexts
from survey_app.instrument import Instrument
from survey_app.models import utcnow

from ..context import current_locale, db, gettext
from . import bp
from .auth import require
from .common import instrument_or_404, texts
from .indicators import IndicatorProblem, breakdowns, compute, options_from


def wave_year(survey_id: str) -> int:
    """The survey's fiscal year from its id (ebetsu-2025 → 2025), else the current year."""
    found = re.search(r"(19|20)\d{2}", survey_id)
    return int(found.group(0)) if found else utcnow().year


def verdict_label(change: Change | None, locale: str) -> str:
    """'+2.3 pt (improved)' in the staff member's language; '–' without a baseline."""
    if change is None:
        return "–"
    return f"{one_decimal(change.estimate, signed=True)} pt ({verdict_word(change, locale)})"


def _charts(instrument: Instrument, result: SurveyResult, year: int) -> dict[str, TrendChart | None]:
    charts: dict[str, TrendChart | None] = {}
    for indicator in instrument.indicators:
        history = [(h.year, h.value) for h in indicator.history if h.year is not None and h.value is not None]
        baseline = indicator.baseline.value if indicator.baseline else None
        target = indicator.target.value if indicator.target else None
        charts[indicator.id] = trend_chart(history, year, result.indicator(indicator.id), baseline, target)
    return charts


@bp.get("/s/<survey_id>/")
@require("view_dashboard")
def dashboard(survey_id: str) -> ResponseReturnValue:
    instrument = instrument_or_404(survey_id)
    words = texts(instrument)
    options = options_from(request.args, instrument)
    locale = current_locale()
    context = {"survey_id": survey_id, "title": words.title(), "options": options, "words": words,
               "weighting_labels": WEIGHTING_LABELS,
               "by_choices": [(by, _breakdown_label(by, words)) for by in breakdowns(instrument)]}
    try:
        result = compute(db(), instrument, options, lang=locale)
    except IndicatorProblem as exc:
        # 「年齢=70歳以上」, not 「age_band=6」: the analysis's ids as the page names them
        return render_template("staff/dashboard.html", problem=words.name_ids(exc.text(locale)), result=None,
                               **context)
    year = wave_year(survey_id)
    titles = {ind.id: words.indicator(ind) for ind in instrument.indicators}
    return render_template(
        "staff/dashboard.html", problem=None, result=result, charts=_charts(instrument, result, year),
        titles=titles, year_label=lambda y: fiscal_year_label(y, locale), current_year=year,
        verdict_label=lambda change: verdict_label(change, locale),
        on_base_label=lambda other: on_base_label(other, locale),
        flag_label=lambda group: flag_word(group, result, locale),
        notices=[InstrumentTexts(instrument, locale).name_ids(m) for m in notice_messages(result, locale)],
        default_lang=locales.default(), notes_ja=_notes(result, locales.default(), instrument),
        notes_local=_notes(result, locale, instrument) if locale != locales.default() else [], **context)


def _breakdown_label(by: str, words: InstrumentTexts) -> str:
    if by == BY_LOCALE and not words.instrument.has_question(by):
        return gettext("Language of the answer")
    return words.question(by)


def _notes(result: SurveyResult, locale: str, instrument: Instrument) -> list[str]:
    """The footnotes; illustrative margins are named first, where the margins are cited. The margins
    are named in the notes' own language (the result's labels are in the page's: the Japanese notes
    of an English page read 「周辺分布（Age group、District、Sex）」)."""
    result = replace(result, margin_labels=tuple(margin_label(instrument, m, locale) for m in result.margins))
    marks = [n.message(locale) for n in result.notices if n.code == "illustrative_margins"]
    return marks + footnotes(result, locale)
