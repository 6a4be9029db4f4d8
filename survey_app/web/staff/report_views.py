"""報告書: the published report (PDF, XLSX, HTML) downloaded from the console — the same files as
``machikoe report`` (both call ``analysis.publication``). Analysts and admins only: the report
prints every free comment. Each download is in the audit log (format, weighting, language).
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from analysis import AnalysisError
from analysis.publication import FORMATS, MIMETYPES, WEIGHTINGS, report_bytes
from survey_app.config import TimezoneError
from survey_app.exports import count_complete
from survey_app.i18n import locales

from ..context import current_locale, db, gettext
from . import bp
from .auth import require
from .common import download, instrument_or_404, record, texts


@bp.get("/s/<survey_id>/report")
@require("export_report")
def report_page(survey_id: str) -> ResponseReturnValue:
    instrument = instrument_or_404(survey_id)
    default_lang = current_locale() if current_locale() in locales.report_languages() else locales.default()
    return render_template("staff/report.html", survey_id=survey_id, title=texts(instrument).title(),
                           complete=count_complete(db(), survey_id), default_lang=default_lang,
                           report_languages=[(tag, locales.native_name(tag)) for tag in locales.report_languages()])


@bp.get("/s/<survey_id>/report/download")
@require("export_report")
def report_download(survey_id: str) -> ResponseReturnValue:
    instrument = instrument_or_404(survey_id)
    fmt, weighting = request.args.get("format", "pdf"), request.args.get("weighting", "rake")
    # ``language``, not ``lang``: ``?lang=`` switches the console's own language (and the account's)
    lang = request.args.get("language", locales.default())
    if fmt not in FORMATS or weighting not in WEIGHTINGS or lang not in locales.report_languages():
        flash(gettext("Choose a format, a weighting and a language from the lists."), "error")
        return redirect(url_for("staff.report_page", survey_id=survey_id))
    try:
        content = report_bytes(db(), instrument, fmt, weighting, lang)
    except (AnalysisError, TimezoneError) as exc:
        db().rollback()
        problem = gettext(exc.message, **exc.params) if isinstance(exc, AnalysisError) else str(exc)
        problem = texts(instrument).name_ids(problem)
        flash(gettext("The report could not be made: %(problem)s", problem=problem), "error")
        return redirect(url_for("staff.report_page", survey_id=survey_id))
    record("export", survey_id, kind="report", format=fmt, weighting=weighting, lang=lang)
    name = f"{survey_id}-report-{lang}.{fmt}"
    # Always a download: the HTML report carries its own inline style, which the console's CSP forbids.
    return download(content, name, MIMETYPES[fmt])
