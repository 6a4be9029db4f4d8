"""Response monitor page: submissions per day, by channel, language, district, age band;
response rate per stratum for invited samples; partial vs complete."""
from __future__ import annotations

from flask import render_template

from survey_app import monitor as monitor_core
from survey_app.i18n import locales
from survey_app.monitor import CHANNEL_LABELS, SOURCE_LABELS  # shared with the published report

from ..context import db
from . import bp
from .auth import require
from .common import instrument_or_404, texts


def day_bars(per_day, height: int = 120, bar: int = 14, gap: int = 4) -> dict:
    """Geometry of a small bar chart of submissions per day (drawn as inline SVG)."""
    days = monitor_core.fill_days(per_day)
    peak = max((n for _, n in days), default=0) or 1
    bars = [{"x": i * (bar + gap), "y": height - round(height * n / peak), "h": round(height * n / peak),
             "day": d, "n": n} for i, (d, n) in enumerate(days)]
    return {"bars": bars, "width": max(len(days) * (bar + gap), bar), "height": height, "bar": bar, "peak": peak}


@bp.get("/s/<survey_id>/monitor")
@require("view_monitor")
def monitor(survey_id: str):
    instrument = instrument_or_404(survey_id)
    report = monitor_core.monitor(db(), instrument)
    words = texts(instrument)

    def code_label(qid: str, code):
        return words.choice(instrument.question(qid).choice_list, code) if code is not None else None

    return render_template("staff/monitor.html", survey_id=survey_id, title=words.title(), report=report,
                           chart=day_bars(report.per_day), code_label=code_label, channel_labels=CHANNEL_LABELS,
                           source_labels=SOURCE_LABELS, native_name=locales.native_name,
                           question_text=lambda qid: words.question(qid))
