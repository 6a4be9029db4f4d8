"""Exports: responses (codes + labels) and indicator tables, as CSV (UTF-8 BOM) or XLSX, streamed.

The response rows are read in pages through a session of their own, opened and closed
by the generator, so a long download neither holds the request's session nor loads
every row at once.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from analysis import AnalysisError
from analysis.publication.data import response_weights
from analysis.report import table_rows
from survey_app import exports as export_core
from survey_app.config import city_timezone_name
from survey_app.db import engine_for, session_scope
from survey_app.exports import ResponseWeights
from survey_app.i18n import locales
from survey_app.i18n.texts import InstrumentTexts
from survey_app.instrument import Instrument

from ..context import current_locale, db, gettext
from . import bp
from .auth import require
from .common import download, instrument_or_404, record, texts
from .indicators import IndicatorProblem, compute, options_from

MIMETYPES = {"csv": "text/csv",  # Flask adds "; charset=utf-8"
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@bp.get("/s/<survey_id>/exports")
@require("export_indicators")
def exports(survey_id: str) -> ResponseReturnValue:
    instrument = instrument_or_404(survey_id)
    return render_template("staff/exports.html", survey_id=survey_id, title=texts(instrument).title(),
                           complete=export_core.count_complete(db(), survey_id), zone=city_timezone_name())


def _download(chunks: Iterable[bytes], filename: str, fmt: str) -> Response:
    return download(chunks, filename, MIMETYPES[fmt])


def _headline_weights(instrument: Instrument) -> ResponseWeights | None:
    """The headline (raked) weight of each response — or none, and the column says so (``weight
    (none)``), when the figures cannot be weighted: no margins yet, or letters and replies that
    contradict each other (the dashboard names the problem). The answers themselves do not
    depend on weighting, so they are never withheld for it."""
    try:
        return response_weights(db(), instrument, "rake")
    except AnalysisError as exc:
        db().rollback()
        current_app.logger.warning("responses export of %s without weights: %s", instrument.id, exc)
        return None


def _response_rows(instrument: Instrument, database_url: str,
                   weights: ResponseWeights | None) -> Iterator[list[Any]]:
    with session_scope(engine_for(database_url)) as session:
        yield from export_core.response_rows(session, instrument, weights=weights)


@bp.get("/s/<survey_id>/export/responses.<fmt>")
@require("export_responses")
def export_responses(survey_id: str, fmt: str) -> ResponseReturnValue:
    if fmt not in MIMETYPES:
        abort(404)
    instrument = instrument_or_404(survey_id)
    try:
        count = export_core.check_not_empty(db(), instrument)
    except export_core.ExportError as exc:
        flash(gettext(exc.message, **exc.params), "error")
        return redirect(url_for("staff.exports", survey_id=survey_id))
    record("export", survey_id, kind="responses", format=fmt, rows=count)
    # weights first, in the request: an error in the stream would cut the download short
    rows = _response_rows(instrument, current_app.config["DATABASE_URL"], _headline_weights(instrument))
    if fmt == "csv":
        return _download(export_core.csv_stream(rows), f"{survey_id}-responses.csv", fmt)
    sheets = [("responses", rows), ("labels", export_core.label_rows(instrument))]
    return _download(export_core.xlsx_stream(sheets), f"{survey_id}-responses.xlsx", fmt)


@bp.get("/s/<survey_id>/export/labels.csv")
@require("export_responses")
def export_labels(survey_id: str) -> ResponseReturnValue:
    instrument = instrument_or_404(survey_id)
    return _download(export_core.csv_stream(export_core.label_rows(instrument)), f"{survey_id}-labels.csv", "csv")


@bp.get("/s/<survey_id>/export/indicators.<fmt>")
@require("export_indicators")
def export_indicators(survey_id: str, fmt: str) -> ResponseReturnValue:
    if fmt not in MIMETYPES:
        abort(404)
    instrument = instrument_or_404(survey_id)
    options = options_from(request.args, instrument)
    try:
        result = compute(db(), instrument, options)
    except IndicatorProblem as exc:
        flash(texts(instrument).name_ids(exc.text(current_locale())), "error")
        return redirect(url_for("staff.exports", survey_id=survey_id))
    record("export", survey_id, kind="indicators", format=fmt, weighting=options.weighting)
    # The table goes into the city's yearly review: Japanese headings, words and footnotes
    # (the same table as ``machikoe indicators --format csv|xlsx --lang ja``).
    lang = locales.default()
    rows = list(table_rows(result, lang, InstrumentTexts(instrument, lang).name_ids))  # 「年齢」, not 「age_band」
    name = f"{survey_id}-indicators-{options.weighting}.{fmt}"
    if fmt == "csv":
        return _download(export_core.csv_stream(rows), name, fmt)
    return _download(export_core.xlsx_stream([("indicators", rows)]), name, fmt)
