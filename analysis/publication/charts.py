"""Trend charts drawn on the server as SVG geometry (the template writes the elements).

One chart per indicator: the published values of earlier waves (``Indicator.history``)
and the current estimate with its confidence interval as a vertical bar, a dashed
baseline line and a dotted target line. The y axis spans the data rounded out to
10-point steps (never beyond 0–100), so small changes stay visible without exaggeration.
The same points are returned as rows for the accessible table under the chart.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

from survey_app.i18n.fmt import cut_to_width, display_width


class Interval(Protocol):
    """What a chart needs of this year's figure (``IndicatorResult`` or the report's ``IndicatorFigure``).

    Read-only properties, so frozen dataclasses match."""

    @property
    def estimate(self) -> float | None: ...
    @property
    def ci_low(self) -> float | None: ...
    @property
    def ci_high(self) -> float | None: ...

WIDTH, HEIGHT = 560, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 48, 16, 36  # room for 「令和7年度」 and the last value label


@dataclass(frozen=True)
class Point:
    year: int
    value: float
    ci_low: float | None = None
    ci_high: float | None = None
    current: bool = False


@dataclass
class TrendChart:
    points: list[Point]
    baseline: float | None
    target: float | None
    y_min: float = 0.0
    y_max: float = 100.0
    ticks: list[float] = field(default_factory=list)
    years: list[int] = field(default_factory=list)

    width: int = WIDTH
    height: int = HEIGHT

    def x(self, year: int) -> float:
        first, last = self.years[0], self.years[-1]
        span = max(last - first, 1)
        inner = self.width - LEFT - RIGHT
        return round(LEFT + inner / 2 if last == first else LEFT + inner * (year - first) / span, 1)

    def y(self, value: float) -> float:
        inner = self.height - TOP - BOTTOM
        return round(TOP + inner * (self.y_max - value) / (self.y_max - self.y_min), 1)

    @property
    def x_start(self) -> int:
        return LEFT

    @property
    def x_end(self) -> int:
        return self.width - RIGHT

    @property
    def y_bottom(self) -> float:
        return self.height - BOTTOM

    def polyline(self) -> str:
        return " ".join(f"{self.x(p.year)},{self.y(p.value)}" for p in self.points)

    def bars(self) -> list[dict]:
        """Interval bars (x, y of the upper and lower end) for points that have an interval."""
        return [{"x": self.x(p.year), "y1": self.y(p.ci_high), "y2": self.y(p.ci_low)}
                for p in self.points if p.ci_low is not None and p.ci_high is not None]


def _axis(values: list[float]) -> tuple[float, float, list[float]]:
    low = max(0.0, math.floor((min(values) - 5) / 10) * 10)
    high = min(100.0, math.ceil((max(values) + 5) / 10) * 10)
    if high - low < 20:
        high = min(100.0, low + 20)
        low = max(0.0, high - 20)
    step = 10 if high - low <= 60 else 20
    ticks = [float(t) for t in range(int(low), int(high) + 1, step)]
    return low, high, ticks


def trend_chart(history: list[tuple[int, float]], current_year: int, current: Interval | None,
                baseline: float | None, target: float | None) -> TrendChart | None:
    """Chart of earlier published values plus the current estimate; None when there is nothing to draw."""
    points = [Point(year, float(value)) for year, value in sorted(history) if value is not None and year != current_year]
    if current is not None and current.estimate is not None:
        points.append(Point(current_year, float(current.estimate), _num(current.ci_low), _num(current.ci_high),
                            current=True))
    if not points:
        return None
    values = [p.value for p in points] + [v for p in points for v in (p.ci_low, p.ci_high) if v is not None]
    values += [v for v in (baseline, target) if v is not None]
    low, high, ticks = _axis(values)
    years = sorted({p.year for p in points})
    return TrendChart(points, baseline, target, low, high, ticks, years)


def _num(value: float | None) -> float | None:
    return None if value is None else float(value)


# ---------------------------------------------------------------- bar charts (単純集計)

BAR_ROW, BAR_LABEL, BAR_WIDTH, BAR_VALUE = 20, 250, 560, 52
BAR_LINE = 11  # px between the lines of a wrapped label (font-size 10)
BAR_THICKNESS = 14
# Label space in display columns (a wide character is two): Noto Sans at 10 px averages under
# 5 px a Latin letter and 10 px a kanji, so 46 columns fit the 250 px less the 6 px gap.
LABEL_COLUMNS, LABEL_LINES = 46, 2
NO_LINE_START = "、。，．・：；？！）」』】〕〉》ー…,.;:!?)"  # 行頭禁則: these stay with the line before


@dataclass(frozen=True)
class Bar:
    lines: tuple[str, ...]  # the answer's label, wrapped to the label space
    value: float  # percent, 0–100
    y: float  # top of the row
    height: float  # of the row
    width: float  # of the bar

    @property
    def line_ys(self) -> list[float]:
        """Baselines of the label's lines, centred on the bar."""
        first = self.y + self.height / 2 + 3.5 - BAR_LINE * (len(self.lines) - 1) / 2
        return [round(first + BAR_LINE * i, 1) for i in range(len(self.lines))]

    @property
    def bar_y(self) -> float:
        return round(self.y + (self.height - BAR_THICKNESS) / 2, 1)


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one per answer, scaled to 0–100 % (never to the largest bar, so charts compare)."""

    bars: tuple[Bar, ...]
    width: int = BAR_WIDTH
    label_width: int = BAR_LABEL

    @property
    def height(self) -> int:
        return round(sum(b.height for b in self.bars)) + 4

    @property
    def thickness(self) -> int:
        return BAR_THICKNESS


def wrap_label(label: str, columns: int = LABEL_COLUMNS, lines: int = LABEL_LINES) -> tuple[str, ...]:
    """``label`` in at most ``lines`` lines of ``columns`` display columns (a wide character is two).

    Breaks after a space where there is one (English, Vietnamese), else between any two
    characters (Japanese), never before closing punctuation; what the last line cannot hold
    ends in "…" (the table beside the chart has the whole label). A chart drawn with the
    whole label on one line ran it off the left edge of the page."""
    out: list[str] = []
    rest = label.strip()
    while rest and len(out) < lines:
        if display_width(rest) <= columns:
            out.append(rest)
            return tuple(out)
        if len(out) == lines - 1:
            out.append(cut_to_width(rest, columns - 1).rstrip() + "…")
            return tuple(out)
        head = cut_to_width(rest, columns)
        space = head.rfind(" ")
        if space > 0:
            head = head[:space]
        while head and rest[len(head):][:1] in tuple(NO_LINE_START) and len(head) > 1:
            head = head[:-1]  # pull a character down with the punctuation rather than start a line with it
        out.append(head.rstrip())
        rest = rest[len(head):].lstrip()
    return tuple(out)


def bar_chart(rows: list[tuple[str, float]]) -> BarChart:
    """``rows`` are (label, percent); the bar length is the percent of the plot width. A row is
    ``BAR_ROW`` high, and ``BAR_LINE`` more for each further line of a wrapped label."""
    plot = BAR_WIDTH - BAR_LABEL - BAR_VALUE
    bars, y = [], 2.0
    for label, value in rows:
        lines = wrap_label(label)
        height = BAR_ROW + BAR_LINE * (len(lines) - 1)
        bars.append(Bar(lines, value, y, height, round(plot * max(0.0, min(value, 100.0)) / 100, 1)))
        y += height
    return BarChart(tuple(bars))
