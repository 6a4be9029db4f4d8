"""``/``: the loaded surveys and the language chooser."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from survey_app.surveys import get_instrument, list_surveys

from .context import current_locale, db
from .rich import WebTexts

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    session = db()
    locale = current_locale()
    surveys = []
    for survey in list_surveys(session):
        instrument = get_instrument(session, survey.id)
        texts = WebTexts(instrument, locale)  # ruby readings in やさしい日本語, isolated numbers in Urdu
        surveys.append({"id": survey.id, "title": texts.title()})
    return render_template("home.html", surveys=surveys)
