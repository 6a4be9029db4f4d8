"""Baselines, targets and history of the indicators, edited in the console (``survey_app.indicator_values``):
survey metadata, audited, never a new instrument version."""
from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from survey_app import indicator_values
from survey_app.i18n.fmt import fiscal_year_label

from ..context import current_locale, db, gettext
from . import bp
from .auth import require
from .common import instrument_or_404, texts


def _page(survey_id: str, status: int = 200, **context: object) -> tuple[str, int]:
    instrument = instrument_or_404(survey_id)  # with the values set so far
    words = texts(instrument)
    return render_template("staff/targets.html", survey_id=survey_id, title=words.title(), words=words,
                           indicators=instrument.indicators, kinds=indicator_values.KINDS,
                           year_label=lambda year: fiscal_year_label(year, current_locale()) if year else "–",
                           **context), status


@bp.get("/s/<survey_id>/targets")
@require("view_dashboard")
def targets(survey_id: str) -> ResponseReturnValue:
    return _page(survey_id)


@bp.post("/s/<survey_id>/targets")
@require("manage_settings")
def targets_save(survey_id: str) -> ResponseReturnValue:
    instrument = instrument_or_404(survey_id)
    indicator_id, kind = request.form.get("indicator", ""), request.form.get("kind", "target")
    value, year = request.form.get("value", ""), request.form.get("year", "")
    typed = {"kind": kind, "value": value, "year": year}  # a refused form comes back as it was typed
    if not year.strip():  # else the error would quote the command line's ID=VALUE@YEAR syntax
        return _page(survey_id, 400, error=gettext("Enter the fiscal year (e.g. 2029 or 令和11年度)."),
                     failed=indicator_id, typed=typed)
    try:
        assignment = indicator_values.parse_assignment(f"{indicator_id}.{kind}={value}@{year}")
        indicator_values.set_value(db(), instrument, assignment, current_user.email)
    except indicator_values.IndicatorValueError as exc:
        db().rollback()
        return _page(survey_id, 400, error=gettext(exc.message, **exc.params), failed=indicator_id, typed=typed)
    return _page(survey_id, saved=gettext("Saved: %(indicator)s.", indicator=texts(instrument).indicator(indicator_id)))
