"""The red-team's low findings on the staff side (issue 14), each reproduced and refused.

Digits from other scripts in every number field of the console (uploads, paper entry, audit
page), a CRLF in ``next=``, paper entry over a resident's unfinished answers, full-width
formula starters in CSV exports, look-alike and right-to-left staff e-mail addresses.
Every test runs on SQLite and PostgreSQL.
"""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from survey_app import responses
from survey_app import staff as staff_core
from survey_app.i18n.catalogs import gettext
from survey_app.models import Invitation, PopulationMargin, Response
from tests.support.survey import STAFF_URL, SURVEY
from tests.support.web import csrf, text_of

# The subject is the staff forms' messages, not storage: SQLite alone; every statement sent here reaches
# PostgreSQL in another test (tests/support/db.py, checked by tests/support/sql_reach.py).
pytestmark = pytest.mark.databases("sqlite")

REQUIRED = {"kurashiyasui": "1", "age_band": "2", "sex": "1", "district": "3"}
# Digits str.isdigit() accepts but int() refuses, or that NFKC would turn into other numbers.
FOREIGN_DIGITS = ["፩", "²", "①", "߁", "१"]


def _count(session, model, *where):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _upload(client, path: str, body: str, page: str | None = None):
    token = csrf(text_of(client.get(page or path)))
    return client.post(path, data={"csrf_token": token, "file": (io.BytesIO(body.encode()), "file.csv")},
                       content_type="multipart/form-data")


def _paper(client, code: str, answers: dict):
    token = csrf(text_of(client.get(f"{STAFF_URL}/paper")))
    return client.post(f"{STAFF_URL}/paper", data={"csrf_token": token, "letter_code": code, **answers})


def _invite(session, instrument, secret) -> str:
    from survey_app.invitations import create_invitations

    return create_invitations(session, instrument, secret, [{"age_band": 2}])[0].code


@pytest.mark.parametrize("digit", FOREIGN_DIGITS)
def test_foreign_digits_in_uploads_are_a_line_error_not_a_500(login_as, session, digit):
    client = login_as("admin")
    frame = _upload(client, f"{STAFF_URL}/invitations/generate", f"age_band\n1\n{digit}\n", page=f"{STAFF_URL}/invitations")
    assert frame.status_code == 400 and digit in text_of(frame) and "3" in text_of(frame)
    margins = _upload(client, f"{STAFF_URL}/population", f"dimension,category,count\nage_band,{digit},100\n")
    assert margins.status_code == 400 and digit in text_of(margins)
    count = _upload(client, f"{STAFF_URL}/population", f"dimension,category,count\nage_band,1,{digit}00\n")
    assert count.status_code == 400 and digit in text_of(count)
    assert _count(session, Invitation) == 0 and _count(session, PopulationMargin) == 0


def test_full_width_and_arabic_indic_digits_in_uploads_are_read(login_as, session):
    client = login_as("admin")
    frame = _upload(client, f"{STAFF_URL}/invitations/generate", "age_band,district\n１,٢\n۳,1\n", page=f"{STAFF_URL}/invitations")
    assert frame.status_code == 200
    assert sorted(i.stratum["age_band"] for i in session.scalars(select(Invitation))) == [1, 3]
    margins = "dimension,category,count\nage_band,１,１００\nage_band,۲,۳۰۰\nsex,1,200\nsex,2,200\n"
    assert _upload(client, f"{STAFF_URL}/population", margins).status_code == 200
    stored = {(m.category, m.count) for m in session.scalars(select(PopulationMargin))
              if m.dimension == "age_band"}
    assert stored == {("1", 100.0), ("2", 300.0)}


@pytest.mark.parametrize("digit", FOREIGN_DIGITS)
def test_foreign_digits_in_paper_entry_keep_what_was_typed(login_as, session, instrument, secret, digit):
    code = _invite(session, instrument, secret)
    client = login_as("admin")
    refused = _paper(client, code, {**REQUIRED, "kurashiyasui": digit, "household_size": f"{digit}"})
    page = text_of(refused)
    assert refused.status_code == 400 and 'id="e-kurashiyasui"' in page and 'id="e-household_size"' in page
    assert f'value="{digit}"' in page and _count(session, Response) == 0


def test_paper_entry_reads_full_width_and_urdu_digits(login_as, session, instrument, secret):
    code = _invite(session, instrument, secret)
    saved = _paper(login_as("admin"), code, {**REQUIRED, "kurashiyasui": "２", "household_size": "۴"})
    assert saved.status_code == 302
    answers = responses.current_answers(session, session.scalars(select(Response)).one())
    assert answers["kurashiyasui"] == 2 and answers["household_size"] == 4


@pytest.mark.parametrize("before", ["፩", "١٢", "²", "99999999999999999999999"])
def test_audit_page_with_foreign_digits_shows_the_first_page(login_as, before):
    page = login_as("admin").get(f"/staff/audit?before={before}")
    assert page.status_code == 200


# Raw query strings, as a browser would send them (the test client sends them untouched).
@pytest.mark.parametrize("target", ["next=/staff/%0D%0ASet-Cookie:%20x=1", "next=/staff/%0d%0aX:1",
                                    "next=/staff/%5Cevil", "next=/staff/%5C%5Cevil.example", "next=/staff/%00",
                                    "next=/staff/ok%09x", "next=/staff/%E2%80%AEfdp.exe"])
def test_control_characters_in_next_redirect_to_the_console(client, staff_users, target):
    from tests.support.staff import PASSWORD

    token = csrf(text_of(client.get("/staff/login")))
    response = client.post("/staff/login", query_string=target,
                           data={"csrf_token": token, "email": "admin@city.example", "password": PASSWORD})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/staff/"


def test_a_plain_console_next_still_returns_there(client, staff_users):
    from tests.support.staff import PASSWORD

    token = csrf(text_of(client.get("/staff/login")))
    response = client.post("/staff/login", query_string="next=/staff/audit%3Faction%3Dlogin",
                           data={"csrf_token": token, "email": "admin@city.example", "password": PASSWORD})
    assert response.headers["Location"].endswith("/staff/audit?action=login")


def test_paper_entry_refuses_a_residents_unfinished_web_answers(login_as, session, instrument, secret):
    code = _invite(session, instrument, secret)
    started = responses.start(session, instrument, secret=secret, channel="web", locale="vi", code=code)
    responses.record(session, instrument, started.response, {"kurashiyasui": "4", "comment": "của tôi"})
    client = login_as("admin")
    refused = _paper(client, code, {**REQUIRED, "comment": "paper text"})
    page = text_of(refused)
    assert refused.status_code == 400 and 'id="e-letter_code"' in page
    said = gettext("ja", responses.StartedElsewhere.message)  # the staff member's language
    assert said != responses.StartedElsewhere.message and said in page
    assert re.search(r'<textarea[^>]*name="comment"[^>]*>paper text</textarea>', page)  # what was typed stays
    session.expire_all()
    response = session.scalars(select(Response)).one()
    assert (response.channel, response.status) == ("web", "partial")
    assert responses.current_answers(session, response) == {"kurashiyasui": 4, "comment": "của tôi"}


def test_csv_export_neutralises_full_width_formula_starters(login_as, session, instrument):
    starters = ["＝1+1", "＋1", "－1", "＠SUM(A1)", "﹦1", "−1", "=1", "ok"]
    rows = [{**{k: int(v) for k, v in REQUIRED.items()}, "comment": s} for s in starters]
    responses.bulk_complete(session, instrument, rows, channel="web")
    body = login_as("analyst").get(f"{STAFF_URL}/export/responses.csv").get_data().decode("utf-8-sig")
    comments = sorted(row["comment"] for row in csv.DictReader(io.StringIO(body)))
    assert comments == sorted(["'" + s for s in starters[:-1]] + ["ok"])


@pytest.mark.parametrize("email", [
    "admin@ebеtsu.example",          # Cyrillic е in the domain
    "аdmin@ebetsu.example",          # Cyrillic а in the local part
    "admin@ｅｂｅｔｓｕ.example",      # full-width letters
    "admin\u202e@ebetsu.example",    # right-to-left override
    "ad\u200bmin@ebetsu.example",    # zero-width space
    "admin@ebetsu.example\u2067",    # right-to-left isolate
    "admin@ebetsu..example", "admin@-ebetsu.example", "admin @ebetsu.example",
])
def test_staff_email_refuses_look_alikes_and_bidi_controls(session, email):
    with pytest.raises(staff_core.StaffError) as refused:
        staff_core.create_user(session, email, "viewer", "a long enough password")
    message = refused.value.message % refused.value.params
    assert "\u202e" not in message and "\u2067" not in message and "\u200b" not in message
    assert session.scalars(select(staff_core.StaffUser)).all() == []


def test_staff_email_keeps_ascii_and_stores_a_japanese_domain_as_idna(session):
    assert staff_core.create_user(session, " Admin@Localhost ", "admin", "a long enough password") \
        .user.email == "admin@localhost"
    japanese = staff_core.create_user(session, "soumu@江別市.jp", "viewer", "a long enough password").user
    assert japanese.email == "soumu@xn--gcr020aesl.jp" and japanese.email.isascii()
    assert staff_core.find_user(session, "soumu@江別市.jp").id == japanese.id


def test_cli_refuses_a_look_alike_staff_email_in_one_line(cli, session):
    result = cli("staff", "create", "admin@ebеtsu.example", "--role", "viewer")
    assert result.exit_code != 0 and "Latin" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    session.expire_all()
    assert session.scalars(select(staff_core.StaffUser)).all() == []


@pytest.mark.parametrize("digit", ["፩", "²"])
def test_cli_imports_refuse_foreign_digits_in_one_line(cli, tmp_path, digit):
    cli("setup")
    frame = tmp_path / "frame.csv"
    frame.write_text(f"age_band,sex,district\n1,1,1\n{digit},2,3\n", encoding="utf-8")
    out = tmp_path / "letters.csv"
    result = cli("invitations", "create", "--survey", SURVEY, "--frame", str(frame), "--out", str(out))
    assert result.exit_code != 0 and "3" in result.output and digit in result.output
    assert "Traceback" not in result.output and not out.exists()
    margins = tmp_path / "margins.csv"
    margins.write_text(f"dimension,category,count\nage_band,{digit},10\n", encoding="utf-8")
    refused = cli("population", "import", "--survey", SURVEY, str(margins))
    assert refused.exit_code != 0 and digit in refused.output and "Traceback" not in refused.output
