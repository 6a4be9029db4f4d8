"""The indicator dashboard and indicator exports with real analysis results (demo data, raked)."""
from __future__ import annotations

import csv
import html as html_lib
import io
import re

import pytest

from analysis import IndicatorResult
from analysis.publication.charts import trend_chart
from survey_app.demo import create_demo_responses
from survey_app.instrument import bundled_path
from survey_app.population import read_population_csv
from tests.support.survey import STAFF_URL, SURVEY
from tests.support.web import text_of

# The subject is the dashboard's tables, charts and footnotes, not storage: SQLite alone; every statement sent here reaches
# PostgreSQL in another test (tests/support/db.py, checked by tests/support/sql_reach.py).
pytestmark = pytest.mark.databases("sqlite")


@pytest.fixture
def demo(load_demo, instrument):
    load_demo(instrument, 400, seed=7)


def _estimates(page: str) -> list[str]:
    table = page.split('<table class="data indicators">')[1].split("</table>")[0]
    return re.findall(r'<td class="num">(\d+\.\d)%</td>', table)


def test_weighted_and_unweighted_tables_with_charts_and_footnotes(login_as, demo):
    client = login_as("viewer")
    weighted = text_of(client.get(f"{STAFF_URL}/"))
    unweighted = text_of(client.get(f"{STAFF_URL}/?weighting=none"))
    assert weighted.count('<section class="indicator"') == 5
    assert weighted.count('<svg class="trend-chart"') == 5 and weighted.count('<g class="ci-bar">') == 5
    assert weighted.count('class="data trend-table"') == 5  # the same data as a table
    assert 'class="baseline"' in weighted
    assert 'aria-current="page">重み付けあり（レイキング）' in weighted
    assert 'aria-current="page">重み付けなし' in unweighted
    assert _estimates(weighted) != _estimates(unweighted)  # weighting changes the numbers
    assert "母数：" in weighted and "レイキング" in weighted and "ロジット法" in weighted
    assert "人口の周辺分布（年齢、地区、性別）" in weighted  # the margins actually loaded, named for people
    assert "age_band" not in unweighted.split('<ol class="footnotes"')[1]
    assert "令和7年度" in weighted and "平成30年度" in weighted  # fiscal-year labels on the axis


def test_breakdown_shows_flags(login_as, demo):
    page = text_of(login_as("analyst").get(f"{STAFF_URL}/?weighting=none&by=nationality"))
    assert page.count('<table class="data breakdown">') == 5
    assert "flag-suppressed" in page or "flag-caution" in page
    assert "解釈に注意" in page or "非表示" in page


def test_english_page_has_japanese_and_english_footnotes(login_as, demo):
    page = text_of(login_as("viewer").get(f"{STAFF_URL}/?lang=en"))
    assert '<html lang="en"' in page and "Interval: 95% confidence interval by the logit method" in page
    assert "ロジット法" in page  # the Japanese footnotes for the yearly review stay
    weighted = text_of(login_as("viewer").get(f"{STAFF_URL}/?lang=en&weighting=rake"))
    # each set of notes names the margins in its own language (the Japanese read 「Age group、District、Sex」)
    assert "人口の周辺分布（年齢、地区、性別）" in weighted and "Age group, District, Sex" in weighted


def test_dashboard_without_margins_shows_design_weighted_figures_and_says_so(login_as, session, instrument):
    """Never a dead dashboard (issue 11): raking without margins falls back to the design weights, named."""
    create_demo_responses(session, instrument, read_population_csv(
        bundled_path().with_name("ebetsu-2025-population.csv"), instrument), 50, seed=1)
    page = text_of(login_as("viewer").get(f"{STAFF_URL}/"))
    assert "設計ウェイトのみで集計しています" in page and 'role="alert"' not in page
    assert page.count('<svg class="trend-chart"') == 5
    assert text_of(login_as("viewer").get(f"{STAFF_URL}/?weighting=none")).count('<svg class="trend-chart"') == 5


def test_dashboard_of_an_empty_survey_says_so(login_as, instrument):
    page = login_as("viewer").get(f"{STAFF_URL}/?weighting=none")
    assert page.status_code == 200 and "完了した回答がない" in text_of(page)


def test_indicator_csv_is_excel_ready_with_footnotes(login_as, demo):
    response = login_as("viewer").get(f"{STAFF_URL}/export/indicators.csv?weighting=rake&by=age_band")
    body = response.get_data()
    assert response.status_code == 200 and body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:2] == ["指標ID", "指標"] and len([r for r in rows if len(r) > 2 and r[2] == ""]) == 5
    assert any("レイキング" in r[0] for r in rows if len(r) == 1)
    empty_export = login_as("viewer").get(f"{STAFF_URL}/export/indicators.xlsx?weighting=none")
    assert empty_export.status_code == 200


def test_download_links_give_the_table_on_the_screen(login_as, demo):
    """The interval method, its level and the sample chosen on the page go with the download (they were
    dropped: the page showed a 90 % beta interval, the CSV a 95 % logit one)."""
    client = login_as("viewer")
    page = text_of(client.get(f"{STAFF_URL}/?weighting=rake&ci=beta&level=0.9&sample=combined"))
    links = [html_lib.unescape(href) for href in re.findall(r'href="([^"]*/export/indicators\.(?:csv|xlsx)[^"]*)"', page)]
    assert len(links) == 2
    for link in links:
        assert all(part in link for part in ("weighting=rake", "ci=beta", "level=0.9", "sample=combined")), link
    rows = list(csv.reader(io.StringIO(client.get(links[0]).get_data().decode("utf-8-sig"))))
    footnotes = " ".join(r[0] for r in rows if len(r) == 1)
    assert "90%" in footnotes and "ベータ" in footnotes, footnotes


def test_trend_chart_geometry():
    current = IndicatorResult("living", "t", "valid", 60.0, 2.5, 55.0, 65.0, 100, 60, 100.0, 1.0, None, None, None)
    chart = trend_chart([(2018, 50.0), (2023, 55.0)], 2025, current, 55.0, None)
    assert [p.year for p in chart.points] == [2018, 2023, 2025] and chart.points[-1].current
    assert chart.y_min <= 45 and chart.y_max >= 70 and chart.ticks[0] == chart.y_min
    assert chart.x(2018) == chart.x_start and chart.x(2025) == chart.x_end
    bar = chart.bars()[0]
    assert bar["y1"] < bar["y2"]  # the upper end is drawn higher
    assert trend_chart([], 2025, None, None, None) is None
    high = IndicatorResult("living", "t", "valid", 99.0, 0.5, 97.0, 100.0, 100, 99, 100.0, 1.0, None, None, None)
    single = trend_chart([], 2025, high, None, None)
    assert single.y_max == 100 and single.x(2025) == (single.x_start + single.x_end) / 2


def test_cli_and_staff_export_write_the_same_indicator_csv(login_as, demo, cli):
    """One indicator table (analysis.report.table_rows): the CLI's CSV is the staff export's, byte for byte."""
    web = login_as("viewer").get(f"{STAFF_URL}/export/indicators.csv?weighting=rake&by=age_band").get_data()
    printed = cli("indicators", "--survey", SURVEY, "--weighting", "rake", "--by", "age_band", "--format", "csv",
                  "--lang", "ja")
    assert printed.exit_code == 0, printed.output
    assert web.decode("utf-8-sig") == printed.stdout_bytes.decode("utf-8")  # (.output turns CRLF into LF)
    assert printed.output.splitlines()[0].startswith("指標ID,指標,区分,区分コード,区分,推定値（%）")


def test_breakdown_by_the_language_answered_in_on_page_export_and_api(login_as, demo, session, staff_users, secret,
                                                                      client):
    from survey_app import staff as staff_core

    page = text_of(login_as("analyst").get(f"{STAFF_URL}/?weighting=none&by=locale"))
    assert '<option value="locale" selected>回答した言語</option>' in page
    assert page.count('<table class="data breakdown">') == 5
    assert '<th scope="row" lang="ja" dir="auto">日本語</th>' in page
    assert '<th scope="row" lang="ur" dir="auto">اردو</th>' in page  # own names, on a Japanese page
    exported = login_as("viewer").get(f"{STAFF_URL}/export/indicators.csv?weighting=none&by=locale")
    rows = list(csv.reader(io.StringIO(exported.get_data().decode("utf-8-sig"))))
    vietnamese = [r for r in rows if r[2:5] == ["locale", "vi", "Tiếng Việt"]]
    assert len(vietnamese) == 5 and all(r[5] == "" and r[-1] for r in vietnamese)  # a few: suppressed, said so
    token = staff_core.issue_token(session, secret, staff_users["viewer"])
    document = client.get(f"/api/v1/surveys/{SURVEY}/indicators?weighting=none&by=locale&lang=en",
                          headers={"Authorization": f"Bearer {token}"}).get_json()
    groups = document["indicators"][0]["groups"]
    assert [(g["category"], g["label"]) for g in groups][:3] == [("ja", "日本語"), ("ja-x-easy", "やさしい にほんご"),
                                                              ("en", "English")]
    # A dozen foreign respondents in 400: the overall line minus 日本語 would give their share back,
    # so 日本語 is hidden with them (complementary suppression), in the API as on the page.
    assert groups[-1]["label"] == "اردو" and all(g["estimate"] is None and g["n"] is None for g in groups)
