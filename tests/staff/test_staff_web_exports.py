"""Response exports through the console: streamed, Excel-ready, role-checked, empty survey."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from survey_app import responses
from survey_app.models import AuditEvent
from tests.support.survey import STAFF_URL, SURVEY
from tests.support.web import text_of

ROW = {"kurashiyasui": 1, "age_band": 2, "sex": 1, "district": 3, "comment": "=cmd|' /C calc'!A0"}


def test_responses_csv_is_streamed_with_bom_and_neutralised(login_as, session, instrument):
    responses.bulk_complete(session, instrument, [ROW] * 1200, channel="web")
    client = login_as("analyst")
    response = client.get(f"{STAFF_URL}/export/responses.csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Disposition"] == f'attachment; filename="{SURVEY}-responses.csv"'
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 1200 and rows[0]["comment"].startswith("'=")
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.actor == "analyst@city.example" and event.detail["rows"] == 1200


def test_responses_xlsx_has_labels_sheet(login_as, session, instrument):
    responses.bulk_complete(session, instrument, [ROW] * 3, channel="paper")
    response = login_as("admin").get(f"{STAFF_URL}/export/responses.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    assert book.sheetnames == ["responses", "labels"]
    labels = text_of(login_as("admin").get(f"{STAFF_URL}/export/labels.csv"))
    assert "age_band" in labels and "18〜29歳" in labels


def test_viewer_cannot_export_responses(login_as, session, instrument):
    responses.bulk_complete(session, instrument, [ROW], channel="web")
    client = login_as("viewer")
    assert client.get(f"{STAFF_URL}/export/responses.csv").status_code == 403
    assert client.get(f"{STAFF_URL}/export/labels.csv").status_code == 403
    page = text_of(client.get(f"{STAFF_URL}/exports"))
    assert "export/responses" not in page


def test_empty_survey_export_says_so(login_as, session):
    client = login_as("analyst")
    response = client.get(f"{STAFF_URL}/export/responses.csv")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{STAFF_URL}/exports")
    page = text_of(client.get(response.headers["Location"]))
    assert SURVEY in page and 'class="notice notice-error"' in page
    indicators = client.get(f"{STAFF_URL}/export/indicators.csv?weighting=none")
    assert indicators.status_code == 302
    assert "推定できません" in text_of(client.get(indicators.headers["Location"]))
    assert not session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()


def test_unknown_format_and_survey_are_404(login_as):
    client = login_as("admin")
    assert client.get(f"{STAFF_URL}/export/responses.pdf").status_code == 404
    assert client.get("/staff/s/no-such-survey/export/responses.csv").status_code == 404
