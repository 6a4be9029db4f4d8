"""The console's 報告書 page: role-checked, audited downloads of the same files as ``machikoe report``;
and the raw export's weight column computed from the survey's margins."""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app import responses
from survey_app.models import AuditEvent
from survey_app.population import margins_for
from tests.support.survey import STAFF_URL, SURVEY
from tests.support.web import text_of

# The subject is the report page and download, not storage: SQLite alone; every statement sent here reaches
# PostgreSQL in another test (tests/support/db.py, checked by tests/support/sql_reach.py).
pytestmark = pytest.mark.databases("sqlite")


def test_page_and_download_are_role_checked_and_audited(load_demo, login_as, session, instrument):
    load_demo(instrument, 120, seed=9)
    assert login_as(None).get(f"{STAFF_URL}/report").status_code == 302  # to the login page
    viewer = login_as("viewer")
    assert viewer.get(f"{STAFF_URL}/report").status_code == 403  # the report prints every free comment
    assert viewer.get(f"{STAFF_URL}/report/download?format=xlsx").status_code == 403
    analyst = login_as("analyst")
    page = text_of(analyst.get(f"{STAFF_URL}/report"))
    assert "報告書" in page and 'name="format" value="pdf"' in page
    response = analyst.get(f"{STAFF_URL}/report/download?format=xlsx&weighting=rake&language=ja")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{SURVEY}-report-ja.xlsx"'
    book = load_workbook(io.BytesIO(response.get_data()))
    assert "問1" in book.sheetnames and "自由意見" in book.sheetnames
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.actor == "analyst@city.example"
    assert event.detail == {"kind": "report", "format": "xlsx", "weighting": "rake", "lang": "ja"}


def test_html_report_in_english(load_demo, login_as, session, instrument):
    load_demo(instrument, 120, seed=9)
    response = login_as("admin").get(f"{STAFF_URL}/report/download?format=html&weighting=none&language=en")
    body = text_of(response)
    assert "Simple tabulation" in body and "Cross tabulation" in body and "<svg" in body
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"  # the charset once


def _form_choices(page: str) -> tuple[str, dict[str, list[tuple[str, bool]]]]:
    """The report form's action and, per radio group, its (value, checked) options."""
    form = re.search(r'<form method="get" action="([^"]+)" class="report-form">(.*?)</form>', page, re.S)
    assert form, "no report form"
    groups: dict[str, list[tuple[str, bool]]] = {}
    for tag in re.findall(r'<input type="radio"[^>]*>', form.group(2)):
        name, value = re.search(r'name="([^"]+)"', tag).group(1), re.search(r'value="([^"]+)"', tag).group(1)
        groups.setdefault(name, []).append((value, " checked" in tag))
    return form.group(1), groups


def test_the_form_offers_each_report_language_and_leaves_the_console_language_alone(load_demo, login_as, session,
                                                                                     instrument):
    """The page's language choices are the report languages (the console's own language list once
    replaced them: 'j'/'a'); choosing English makes an English report and the console stays Japanese."""
    load_demo(instrument, 120, seed=9)
    client = login_as("analyst")
    action, groups = _form_choices(text_of(client.get(f"{STAFF_URL}/report")))
    assert [value for value, _ in groups["language"]] == ["ja", "en"]
    assert [value for value, checked in groups["language"] if checked] == ["ja"]  # the console's language
    assert all(sum(checked for _, checked in options) == 1 for options in groups.values())
    response = client.get(f"{action}?{urlencode({'format': 'html', 'weighting': 'rake', 'language': 'en'})}")
    assert response.status_code == 200 and "Simple tabulation" in text_of(response)
    assert response.headers["Content-Disposition"].endswith(f'filename="{SURVEY}-report-en.html"')
    assert 'lang="ja"' in text_of(client.get(f"{STAFF_URL}/report"))  # the console did not turn English


def test_bad_choice_or_no_margins_is_a_message_not_an_error(login_as, session, instrument):
    client = login_as("admin")
    response = client.get(f"{STAFF_URL}/report/download?format=docx")
    assert response.status_code == 302
    assert "一覧から" in text_of(client.get(f"{STAFF_URL}/report"))
    reply = {"kurashiyasui": 1, "age_band": 2, "sex": 1, "district": 3}
    responses.bulk_complete(session, instrument, [reply] * 9, channel="web")
    response = client.get(f"{STAFF_URL}/report/download?format=pdf&weighting=rake&language=ja")
    assert response.status_code == 302  # nine residents: each table would print a handful of answers
    assert "公表する報告書には 10 件以上が必要です" in text_of(client.get(f"{STAFF_URL}/report"))
    responses.bulk_complete(session, instrument, [reply], channel="web")
    response = client.get(f"{STAFF_URL}/report/download?format=pdf&weighting=rake&language=ja")
    assert response.status_code == 302
    assert "母集団の周辺度数がありません" in text_of(client.get(f"{STAFF_URL}/report"))  # in the console's language
    assert not session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()


def test_raw_export_weight_column_is_the_raking_weight(load_demo, login_as, session, instrument):
    load_demo(instrument, 80, seed=9)
    body = login_as("analyst").get(f"{STAFF_URL}/export/responses.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    header = rows[0]
    assert header[4] == "submitted_at (Asia/Tokyo)" and header[5] == "weight (rake)"
    weights = [float(r[5]) for r in rows[1:]]
    population = sum(m.count for m in margins_for(session, instrument.id) if m.dimension == "age_band")
    assert abs(sum(weights) - population) < 1e-6 * population  # raked weights add up to the population
    assert len(set(weights)) > 1
