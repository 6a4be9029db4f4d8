"""Hypothesis fuzzing of the staff console (both databases): every staff form and page takes
any input without a 500; script payloads typed by residents or staff are shown escaped on
staff pages; CSV exports prefix cells starting with = + - @ (tab, CR) with ' and XLSX
exports type every text cell as a string, so nothing is run as a formula; text is kept."""
from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey_app import responses
from survey_app.exports import FORMULA_TRIGGERS
from survey_app.instrument import bundled_path, load_instrument
from survey_app.models import Invitation, Response
from tests.support.fuzzkit import (
    FUZZ,
    HOSTILE,
    form_value,
    fuzz_app,
    hostile_text,
)
from tests.support.staff import log_in, make_staff
from tests.support.survey import STAFF_URL
from tests.support.web import csrf

QIDS = [q.id for q in load_instrument(bundled_path()).questions]
SCRIPT = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"


@pytest.fixture
def admin_client(db_url, instrument, session):
    client = fuzz_app(db_url).test_client()
    log_in(client, make_staff(session, "admin"))
    return client


def _token(client) -> str:
    return csrf(client.get(f"{STAFF_URL}/paper").get_data(as_text=True))


@FUZZ
@given(fields=st.dictionaries(st.sampled_from([*QIDS, "letter_code"]) | hostile_text, hostile_text, max_size=10))
def test_paper_entry_takes_anything(admin_client, session, fields):
    before = session.scalar(select(func.count()).select_from(Response))
    response = admin_client.post(f"{STAFF_URL}/paper", data={**fields, "csrf_token": _token(admin_client)})
    assert response.status_code in (200, 302, 400)
    if response.status_code == 400:  # refused: nothing stored
        session.expire_all()
        assert session.scalar(select(func.count()).select_from(Response)) == before


@FUZZ
@given(path=st.sampled_from(["invitations/generate", "invitations/letters", "population"]),
       body=st.one_of(st.binary(max_size=300), st.sampled_from(HOSTILE).map(str.encode),
                      st.text(max_size=200).map(lambda t: t.encode("utf-8"))),
       name=st.sampled_from(["frame.csv", "x.txt", "x.xlsx", "<b>.csv", ""]))
def test_uploads_take_any_bytes(admin_client, session, path, body, name):
    invitations = session.scalar(select(func.count()).select_from(Invitation))
    response = admin_client.post(f"{STAFF_URL}/{path}", content_type="multipart/form-data",
                                 data={"csrf_token": _token(admin_client), "file": (io.BytesIO(body), name)})
    assert response.status_code in (200, 400)
    session.expire_all()
    if response.status_code == 400:
        assert session.scalar(select(func.count()).select_from(Invitation)) == invitations


@FUZZ
@given(codes=hostile_text, extra=st.dictionaries(hostile_text, form_value, max_size=3))
def test_undeliverable_codes_take_anything(admin_client, codes, extra):
    response = admin_client.post(f"{STAFF_URL}/invitations/undeliverable",
                                 data={**extra, "codes": codes, "csrf_token": _token(admin_client)})
    assert response.status_code in (200, 302, 400)


@FUZZ
@given(page=st.sampled_from(["/staff/audit", f"{STAFF_URL}/", f"{STAFF_URL}/monitor", f"{STAFF_URL}/exports",
                             f"{STAFF_URL}/export/indicators.csv", f"{STAFF_URL}/export/responses.csv",
                             f"{STAFF_URL}/export/indicators.xlsx", "/staff/", f"{STAFF_URL}/population"]),
       args=st.dictionaries(st.sampled_from(["action", "before", "by", "weighting", "ci", "level", "year",
                                             "lang", "district"]) | hostile_text, hostile_text, max_size=4))
def test_staff_pages_take_any_query(admin_client, page, args):
    assert admin_client.get(page, query_string=args).status_code in (200, 302, 400, 404)


@settings(FUZZ, max_examples=10)  # argon2 makes every login attempt slow, on purpose
@given(email=hostile_text, password=hostile_text, next_url=hostile_text)
def test_login_takes_anything(db_url, instrument, email, password, next_url):
    client = fuzz_app(db_url).test_client()
    token = csrf(client.get("/staff/login").get_data(as_text=True))
    response = client.post("/staff/login", query_string={"next": next_url},
                           data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code in (200, 400, 401, 429)


def test_script_payloads_are_escaped_on_staff_pages(db_url, instrument, session, admin_client):
    # Typed into the paper-entry form (re-shown after a refusal)…
    shown = admin_client.post(f"{STAFF_URL}/paper", data={"letter_code": SCRIPT, "comment": SCRIPT,
                                                       "csrf_token": _token(admin_client)})
    assert shown.status_code == 400
    assert SCRIPT not in shown.get_data(as_text=True) and ESCAPED in shown.get_data(as_text=True)
    # …as a login name (shown in the audit log)…
    anonymous = fuzz_app(db_url).test_client()
    token = csrf(anonymous.get("/staff/login").get_data(as_text=True))
    anonymous.post("/staff/login", data={"email": SCRIPT + "@x.example", "password": "x", "csrf_token": token})
    audit = admin_client.get("/staff/audit").get_data(as_text=True)
    assert SCRIPT not in audit
    # …and as an uploaded file's content and name (quoted in the error).
    refused = admin_client.post(f"{STAFF_URL}/population", content_type="multipart/form-data", data={
        "csrf_token": _token(admin_client), "file": (io.BytesIO(f"dimension,category,count\n{SCRIPT},1,2\n".encode()),
                                                     "<img src=x onerror=alert(1)>.csv")})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and SCRIPT not in page and "<img src=x" not in page


formula_text = st.builds(lambda head, tail: head + tail, st.sampled_from(FORMULA_TRIGGERS),
                         st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30))


@FUZZ
@given(comments=st.lists(st.one_of(formula_text, st.sampled_from(HOSTILE[:12])), min_size=1, max_size=5))
def test_exports_neutralise_formulas_and_keep_text(admin_client, session, instrument, comments):
    session.query(Response).delete()  # one example's rows at a time (answers cascade)
    session.commit()
    rows = [{"kurashiyasui": 1, "age_band": 2, "sex": 1, "district": 3, "comment": c} for c in comments]
    responses.bulk_complete(session, instrument, rows, channel="paper")
    session.expire_all()
    from survey_app.models import Answer

    stored = sorted(session.scalars(select(Answer.text).where(Answer.question_id == "comment")))
    body = admin_client.get(f"{STAFF_URL}/export/responses.csv").get_data()
    cells = sorted(r["comment"] for r in csv.DictReader(io.StringIO(body.decode("utf-8-sig"))) if r["comment"])
    assert cells == sorted(_neutralised(s) for s in stored)
    # XLSX: every text cell is typed as a string (never a formula) and keeps the text as stored.
    book = load_workbook(io.BytesIO(admin_client.get(f"{STAFF_URL}/export/responses.xlsx").get_data()), read_only=True)
    sheet = book["responses"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    column = header.index("comment")
    xlsx_cells = [row[column] for row in sheet.iter_rows(min_row=2) if row[column].value is not None]
    assert sorted(str(c.value) for c in xlsx_cells) == sorted(s for s in stored if s)
    assert all(c.data_type == "s" for c in xlsx_cells)
    assert all(not cell.startswith(FORMULA_TRIGGERS) for cell in cells)


def _neutralised(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text
