"""The survey's settings page: letters (sender, contact, paper alternative), 回答期限 and fieldwork period.

Stored by ``survey_app.survey_settings`` (audited, all or nothing); a refused value keeps what was typed.
"""
from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from survey_app import survey_settings

from ..context import db, gettext
from . import bp
from .auth import require
from .common import instrument_or_404, texts


def _page(survey_id: str, status: int = 200, values: dict[str, str] | None = None,
          **context: object) -> tuple[str, int]:
    instrument = instrument_or_404(survey_id)
    current = survey_settings.read(db(), survey_id)
    return render_template("staff/survey_settings.html", survey_id=survey_id, title=texts(instrument).title(),
                           specs=survey_settings.SPECS, values=values if values is not None else current,
                           **context), status


@bp.get("/s/<survey_id>/settings")
@require("view_dashboard")
def survey_settings_page(survey_id: str) -> ResponseReturnValue:
    return _page(survey_id)


@bp.post("/s/<survey_id>/settings")
@require("manage_settings")
def survey_settings_save(survey_id: str) -> ResponseReturnValue:
    instrument_or_404(survey_id)
    typed = {spec.key: request.form.get(spec.key, "") for spec in survey_settings.SPECS}
    try:
        changed = survey_settings.update(db(), survey_id, typed, current_user.email)
    except survey_settings.SettingError as exc:
        db().rollback()
        return _page(survey_id, 400, values=typed, error=gettext(exc.message, **exc.params), error_key=exc.key)
    return _page(survey_id, saved=gettext("Saved: %(n)d setting(s) changed.", n=len(changed)))
