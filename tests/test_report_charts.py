"""The report's bar charts (analysis/publication/charts.py): labels wrapped to the space beside
the bars, rows that never overlap. The PDF itself is checked in tests/test_report.py."""
from __future__ import annotations

import pytest

from analysis.publication.charts import (
    BAR_LABEL,
    BAR_ROW,
    BAR_VALUE,
    BAR_WIDTH,
    LABEL_COLUMNS,
    NO_LINE_START,
    bar_chart,
    wrap_label,
)
from survey_app.i18n.fmt import display_width

LONG_EN = "Places that look after children, such as daycare centers and kindergartens"
LONG_JA = "保育所や幼稚園など、子どもを預けられる場所（一時預かり・病児保育・放課後児童クラブを含む）を増やしてほしい"


def test_a_short_label_stays_on_one_line():
    assert wrap_label("Agree") == ("Agree",)
    assert wrap_label("  そう思う ") == ("そう思う",)


def test_english_wraps_between_words_and_keeps_every_word():
    lines = wrap_label(LONG_EN)
    assert lines == ("Places that look after children, such as", "daycare centers and kindergartens")
    assert " ".join(lines) == LONG_EN


def test_japanese_wraps_between_characters_never_before_closing_punctuation():
    lines = wrap_label("子育て支援センターや児童館など、親子で気軽に立ち寄れる場所を増やしてほしい")
    assert len(lines) == 2 and "".join(lines) == "子育て支援センターや児童館など、親子で気軽に立ち寄れる場所を増やしてほしい"
    assert all(display_width(line) <= LABEL_COLUMNS for line in lines)
    full = "あ" * (LABEL_COLUMNS // 2)  # a full line: the comma after it may not start the next one
    assert wrap_label(full + "、" + "い" * 10) == (full[:-1], "あ、" + "い" * 10)


@pytest.mark.parametrize("label", [LONG_JA, LONG_EN * 2, "x" * 200])
def test_what_two_lines_cannot_hold_ends_in_an_ellipsis(label):
    lines = wrap_label(label)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(display_width(line) <= LABEL_COLUMNS for line in lines)
    assert not any(line[:1] in NO_LINE_START for line in lines[1:])


def test_rows_grow_with_their_labels_and_never_overlap():
    chart = bar_chart([("Agree", 41.3), (LONG_EN, 38.0), ("Other", 0.0), ("Over", 120.0)])
    heights = [bar.height for bar in chart.bars]
    assert heights[0] == BAR_ROW and heights[1] > BAR_ROW
    for above, below in zip(chart.bars, chart.bars[1:], strict=False):
        assert below.y == above.y + above.height
        assert above.line_ys[-1] < below.y + 1  # the last line's baseline stays in its row
    assert chart.height >= chart.bars[-1].y + chart.bars[-1].height
    assert " ".join(chart.bars[1].lines) == LONG_EN
    assert chart.bars[2].width == 0 and chart.bars[3].width == BAR_WIDTH - BAR_LABEL - BAR_VALUE  # 120 % drawn as 100 %
