"""The resident survey under ``/s/<survey_id>/``: landing, one section per page, review,
thank-you, continue later, delete my answers. Everything works without JavaScript."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("survey", __name__, url_prefix="/s/<survey_id>")

from . import entry, pages, recovery  # noqa: E402,F401  (routes register on bp)
