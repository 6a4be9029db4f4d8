"""Streamed CSV/XLSX exports, formula-injection neutralisation, labels; both databases."""
from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from survey_app import exports, responses
from survey_app.models import Response
from tests.support.survey import STAFF_URL

ROW = {"kurashiyasui": 1, "kosodate": 9, "age_band": 2, "sex": 1, "district": 3, "has_children": 1,
       "kosodate_needs": [1, 3], "household_size": 3, "comment": "=HYPERLINK(\"http://evil\")"}


def _csv(chunks) -> list[list[str]]:
    data = b"".join(chunks)
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+81", "'+81"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("ok", "ok"), ("江別", "江別"), (-2, -2), (3.5, 3.5), (None, None)])
def test_neutralise(value, expected):
    assert exports.neutralise(value) == expected


def test_csv_stream_has_bom_crlf_and_chunks():
    chunks = list(exports.csv_stream([["a", "b"]] + [[i, "江別"] for i in range(1200)], rows_per_chunk=500))
    assert len(chunks) == 3
    assert chunks[0].startswith(b"\xef\xbb\xbfa,b\r\n")
    assert chunks[0].count(b"\xef\xbb\xbf") == 1 and not chunks[1].startswith(b"\xef\xbb\xbf")


def test_response_rows_codes_in_pages_and_neutralised(session, instrument):
    responses.bulk_complete(session, instrument, [ROW] * 5, channel="paper")
    responses.start(session, instrument, secret="s", channel="web", locale="ja")  # partial: not exported
    rows = _csv(exports.csv_stream(exports.response_rows(session, instrument, page=2)))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["response", "channel", "locale", "source", "submitted_at (Asia/Tokyo)", "weight (none)"]
    assert "kosodate_needs" in header
    assert len(body) == 5
    first = dict(zip(header, body[0], strict=True))
    assert (first["channel"], first["kurashiyasui"], first["kosodate"]) == ("paper", "1", "9")
    assert first["kosodate_needs"] == "1;3" and first["household_size"] == "3"
    assert first["comment"] == "'=HYPERLINK(\"http://evil\")"
    assert first["kenko"] == ""  # not answered
    assert len({r[0] for r in body}) == 5  # response ids are distinct


def test_times_are_in_the_city_time_zone_and_say_so(session, instrument, monkeypatch):
    utc = datetime(2025, 6, 1, 15, 30)  # stored naive UTC, as the database keeps it
    responses.bulk_complete(session, instrument, [{**ROW, "_submitted_at": utc}], channel="web")
    header, row = list(exports.response_rows(session, instrument))
    assert header[4] == "submitted_at (Asia/Tokyo)" and row[4] == "2025-06-02 00:30:00"  # JST = UTC+9
    monkeypatch.setenv("MACHIKOE_TIMEZONE", "Europe/London")
    header, row = list(exports.response_rows(session, instrument))
    assert header[4] == "submitted_at (Europe/London)" and row[4] == "2025-06-01 16:30:00"  # BST
    monkeypatch.setenv("MACHIKOE_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValueError, match="MACHIKOE_TIMEZONE='Mars/Olympus' is not a time zone"):
        list(exports.response_rows(session, instrument))


def test_weight_column_carries_the_given_weights(session, instrument):
    responses.bulk_complete(session, instrument, [ROW] * 2, channel="web")
    ids = [r.id for r in session.query(Response).order_by(Response.id)]
    weights = exports.ResponseWeights("rake", {ids[0]: 12.5, ids[1]: 40.25})
    header, *body = list(exports.response_rows(session, instrument, weights=weights))
    assert header[5] == "weight (rake)" and [r[5] for r in body] == [12.5, 40.25]


def test_xlsx_has_answers_and_labels_and_never_formulas(session, instrument):
    responses.bulk_complete(session, instrument, [ROW] * 3, channel="web")
    data = b"".join(exports.xlsx_stream([("responses", exports.response_rows(session, instrument)),
                                         ("labels", exports.label_rows(instrument))]))
    book = load_workbook(io.BytesIO(data), read_only=True)
    assert book.sheetnames == ["responses", "labels"]
    rows = list(book["responses"].iter_rows(values_only=True))
    header = rows[0]
    comment = rows[1][header.index("comment")]
    assert comment == "=HYPERLINK(\"http://evil\")"  # kept verbatim, stored as text
    cells = next(load_workbook(io.BytesIO(data))["responses"].iter_rows(min_row=2, max_row=2))
    assert cells[header.index("comment")].data_type == "s"
    labels = list(book["labels"].iter_rows(values_only=True))
    assert ("kosodate", 9) in {(r[0], r[3]) for r in labels}
    assert any(r[0] == "age_band" and r[4] == "18〜29歳" for r in labels)


def test_empty_survey_is_refused_with_a_message(session, instrument):
    with pytest.raises(exports.ExportError, match="no complete responses"):
        exports.check_not_empty(session, instrument)
    responses.bulk_complete(session, instrument, [ROW], channel="web")
    assert exports.check_not_empty(session, instrument) == 1


def test_indicator_rows_from_the_typed_result():
    from analysis import GroupResult, IndicatorResult, SurveyResult, Target, YearValue
    from analysis.report import HEADER, table_rows

    group = GroupResult("age_band", 1, "18〜29歳", None, None, None, None, "suppressed")
    living = IndicatorResult("living", "暮らしやすい", "valid", 78.333333, 1.2, 75.04, 81.26, 95, 74, 80.44, 1.181,
                             YearValue(78.3, 2023), Target(None, 2029), None, (group,))
    result = SurveyResult("s", "rake", "logit", 0.95, 100, (living,), margins=("age_band", "sex"))
    rows = list(table_rows(result, "en"))
    assert rows[0] == list(HEADER)
    top = dict(zip(rows[0], rows[1], strict=True))
    assert (top["Estimate (%)"], top["Interval low (%)"], top["Baseline (%)"], top["Target (%)"]) == \
        (78.3, 75.0, 78.3, "")
    group_row = dict(zip(rows[0], rows[2], strict=True))
    assert (group_row["Breakdown by"], group_row["Estimate (%)"], group_row["Note"]) == \
        ("age_band", "", "suppressed (fewer than 10 respondents, or hidden with such a group)")
    assert rows[3] == [] and ["Weighted by raking to the population margins (age_band, sex); the intervals " \
                              "account for the weighting."] in rows[4:]


def test_the_indicator_tables_notices_name_questions_as_the_dashboard_does(load_demo, login_as, session, instrument):
    """Early in fieldwork the sparse margins' notice quoted 「district」 in the CSV, 「地区」 on the page."""
    load_demo(instrument, 25, seed=9)
    body = login_as("analyst").get(f"{STAFF_URL}/export/indicators.csv").get_data().decode("utf-8-sig")
    assert "「地区」" in body and "「district」" not in body and "「age_band」" not in body
