"""The console's 報告書 page: role-checked, audited downloads of the same files as ``machikoe report``;
and the raw export's weight column computed from the survey's margins."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from survey_app import responses
from survey_app.models import AuditEvent
from survey_app.population import margins_for
from tests.support.survey import STAFF_URL, SURVEY
from tests.support.web import text_of


def test_page_and_download_are_role_checked_and_audited(load_demo, login_as, session, instrument):
    load_demo(instrument, 120, seed=9)
    assert login_as(None).get(f"{STAFF_URL}/report").status_code == 302  # to the login page
    viewer = login_as("viewer")
    assert viewer.get(f"{STAFF_URL}/report").status_code == 403  # the report prints every free comment
    assert viewer.get(f"{STAFF_URL}/report/download?format=xlsx").status_code == 403
    analyst = login_as("analyst")
    page = text_of(analyst.get(f"{STAFF_URL}/report"))
    assert "報告書" in page and 'name="format" value="pdf"' in page
    response = analyst.get(f"{STAFF_URL}/report/download?format=xlsx&weighting=rake&lang=ja")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{SURVEY}-report-ja.xlsx"'
    book = load_workbook(io.BytesIO(response.get_data()))
    assert "問1" in book.sheetnames and "自由意見" in book.sheetnames
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.actor == "analyst@city.example"
    assert event.detail == {"kind": "report", "format": "xlsx", "weighting": "rake", "lang": "ja"}


def test_html_report_in_english(load_demo, login_as, session, instrument):
    load_demo(instrument, 120, seed=9)
    response = login_as("admin").get(f"{STAFF_URL}/report/download?format=html&weighting=none&lang=en")
    body = text_of(response)
    assert "Simple tabulation" in body and "Cross tabulation" in body and "<svg" in body
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"  # the charset once


def test_bad_choice_or_no_margins_is_a_message_not_an_error(login_as, session, instrument):
    client = login_as("admin")
    response = client.get(f"{STAFF_URL}/report/download?format=docx")
    assert response.status_code == 302
    assert "一覧から" in text_of(client.get(f"{STAFF_URL}/report"))
    responses.bulk_complete(session, instrument, [{"kurashiyasui": 1, "age_band": 2, "sex": 1, "district": 3}],
                            channel="web")
    response = client.get(f"{STAFF_URL}/report/download?format=pdf&weighting=rake&lang=ja")
    assert response.status_code == 302
    assert "has no population margins" in text_of(client.get(f"{STAFF_URL}/report"))
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
