"""Response monitor page: submissions per day, by channel, language, district, age band;
response rate per stratum for invited samples; partial vs complete."""
from __future__ import annotations

from datetime import date

from flask import render_template
from flask.typing import ResponseReturnValue

from survey_app import monitor as monitor_core
from survey_app.bursts import BURST_THRESHOLD
from survey_app.i18n import locales
from survey_app.monitor import CHANNEL_LABELS, SOURCE_LABELS  # shared with the published report

from ..context import db
from . import bp
from .auth import require
from .common import instrument_or_404, texts

DAY_LEFT, DAY_BOTTOM, DAY_TOP = 44, 30, 8  # room for the value axis, the date axis, the top tick label


def _value_ticks(peak: int) -> list[int]:
    """0 and two or three round steps up to at least ``peak`` (1, 2, 5 × 10^k)."""
    step = 1
    while peak / step > 4:
        for factor in (2, 5 / 2, 2):
            step = int(step * factor)
            if peak / step <= 4:
                break
    return list(range(0, peak + step, step))


def day_bars(per_day: list[tuple[date, int]], height: int = 120, bar: int = 14, gap: int = 4) -> dict[str, object]:
    """Geometry of the submissions-per-day bar chart (inline SVG) with a value axis and dated x axis.

    Dates are labelled ``M/D`` at most every 40 px (every k-th day), values at round steps.
    """
    days = monitor_core.fill_days(per_day)
    ticks = _value_ticks(max((n for _, n in days), default=0) or 1)
    top = ticks[-1]
    base = DAY_TOP + height

    def y(n: float) -> int:
        return base - round(height * n / top)

    bars = [{"x": DAY_LEFT + i * (bar + gap), "y": y(n), "h": base - y(n), "day": d, "n": n}
            for i, (d, n) in enumerate(days)]
    every = max(1, -(-40 // (bar + gap)))
    labels = [{"x": DAY_LEFT + i * (bar + gap) + bar / 2, "text": f"{d.month}/{d.day}"}
              for i, (d, _) in list(enumerate(days))[::every]]
    return {"bars": bars, "width": DAY_LEFT + max(len(days) * (bar + gap), bar) + 16, "bar": bar, "peak": top,
            "height": base + DAY_BOTTOM, "base": base, "left": DAY_LEFT, "labels": labels,
            "ticks": [{"y": y(t), "n": t} for t in ticks]}


@bp.get("/s/<survey_id>/monitor")
@require("view_monitor")
def monitor(survey_id: str) -> ResponseReturnValue:
    instrument = instrument_or_404(survey_id)
    report = monitor_core.monitor(db(), instrument)
    words = texts(instrument)

    def code_label(qid: str, code: int | None) -> str | None:
        return words.label(qid, code) if code is not None else None

    return render_template("staff/monitor.html", survey_id=survey_id, title=words.title(), report=report,
                           chart=day_bars(report.per_day), code_label=code_label, channel_labels=CHANNEL_LABELS,
                           source_labels=SOURCE_LABELS, native_name=locales.native_name,
                           question_text=lambda qid: words.question(qid), burst_threshold=BURST_THRESHOLD)
