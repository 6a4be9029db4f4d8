"""Population margins: view the current ones; upload a CSV that replaces them atomically.

Errors name the line (``survey_app.population``); a refused file changes nothing.
Shift_JIS files saved by Excel are read (``encoding="auto"``).
"""
from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from analysis.notices import MESSAGES
from survey_app import numerals
from survey_app.csvio import CsvError
from survey_app.i18n.texts import InstrumentTexts
from survey_app.instrument import Instrument
from survey_app.population import margins_for, margins_template, read_population_csv, replace_margins
from survey_app.survey_settings import margins_are_illustrative

from ..context import db, gettext
from . import bp
from .auth import require
from .common import UploadProblem, csv_download, csv_error_text, instrument_or_404, read_upload, record, texts


def _label(instrument: Instrument, words: InstrumentTexts, dimension: str, category: str) -> str:
    parts = []
    for qid, code in zip(dimension.split(":"), category.split(":"), strict=False):
        question = instrument.question(qid) if instrument.has_question(qid) else None
        number = numerals.parse_int(code)
        known = question is not None and any(c.code == number for c in question.choices)
        parts.append(words.label(qid, number) if known and number is not None else code)
    return " × ".join(parts)


def _page(survey_id: str, status: int = 200, **context: object) -> tuple[str, int]:
    instrument = instrument_or_404(survey_id)
    words = texts(instrument)
    rows = margins_for(db(), survey_id)
    groups: dict[str, list] = {}
    for r in rows:
        groups.setdefault(r.dimension, []).append({"category": r.category, "count": r.count,
                                                   "label": _label(instrument, words, r.dimension, r.category)})
    names = {dim: " × ".join(words.question(q) if instrument.has_question(q) else q for q in dim.split(":"))
             for dim in groups}
    return render_template("staff/population.html", survey_id=survey_id, title=words.title(), groups=groups,
                           names=names, illustrative=margins_are_illustrative(db(), survey_id),
                           illustrative_note=MESSAGES["illustrative_margins"], **context), status


@bp.get("/s/<survey_id>/population")
@require("view_population")
def population(survey_id: str) -> ResponseReturnValue:
    return _page(survey_id)


@bp.get("/s/<survey_id>/population/template.csv")
@require("view_population")
def population_template(survey_id: str) -> ResponseReturnValue:
    return csv_download(margins_template(instrument_or_404(survey_id)), f"margins-template-{survey_id}.csv")


@bp.post("/s/<survey_id>/population")
@require("manage_population")
def population_upload(survey_id: str) -> ResponseReturnValue:
    instrument = instrument_or_404(survey_id)
    try:
        upload = read_upload()
        rows = read_population_csv(upload.data, instrument, encoding="auto")
    except UploadProblem as exc:
        return _page(survey_id, 400, error=str(exc))
    except CsvError as exc:
        return _page(survey_id, 400, error=csv_error_text(exc, instrument))
    count = replace_margins(db(), survey_id, rows)
    record("population_replace", survey_id, cells=count, file=upload.name[:100])
    return _page(survey_id, saved=gettext("%(n)d cells imported; the previous margins were replaced.", n=count))
