"""Hypothesis fuzzing of every resident form (both databases): landing code check, start,
every survey page, review/submit, continue-later and delete. Never a 500 (errors propagate
in TESTING, so one would fail the test), every POST route refuses oversized bodies with
413, injection strings are stored literally and shown escaped, code guessing is throttled."""
from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import select

from survey_app import codes, responses
from survey_app.instrument import bundled_path, load_instrument
from survey_app.models import Answer, Response
from survey_app.web import create_app
from tests.support.fuzzkit import (
    FUZZ,
    HOSTILE,
    form_value,
    fuzz_app,
    hostile_text,
)
from tests.support.staff import log_in, make_staff
from tests.support.survey import SURVEY, SURVEY_URL
from tests.support.web import csrf, web_config

INSTRUMENT = load_instrument(bundled_path())
SECTIONS = [s.id for s in INSTRUMENT.sections]
FIELD_NAMES = [q.id for q in INSTRUMENT.questions] + ["nav", "csrf_token", "code", "confirm", "x"]
OK = (200, 302, 400, 409)


@pytest.fixture
def fuzz_client(db_url, instrument):
    return fuzz_app(db_url).test_client()


def _token(client, path: str) -> str:
    page = client.get(path)
    return csrf(page.get_data(as_text=True)) if page.status_code == 200 else "none"


def _started(client) -> None:
    client.post(f"{SURVEY_URL}/start", data={"csrf_token": _token(client, f"{SURVEY_URL}/"), "nav": "next"})


@FUZZ
@given(section=st.sampled_from(SECTIONS), data=st.dictionaries(st.sampled_from(FIELD_NAMES) | hostile_text,
                                                               form_value, max_size=8))
def test_every_survey_page_takes_any_post(fuzz_client, section, data):
    _started(fuzz_client)
    token = _token(fuzz_client, f"{SURVEY_URL}/q/{section}")
    response = fuzz_client.post(f"{SURVEY_URL}/q/{section}", data={**data, "csrf_token": token})
    assert response.status_code in OK


@FUZZ
@given(code=hostile_text, lang=st.sampled_from(["ja", "en", "vi", "ur", "xx", "<b>"]))
def test_landing_and_start_take_any_code(fuzz_client, code, lang):
    assert fuzz_client.get(f"{SURVEY_URL}/", query_string={"code": code, "lang": lang}).status_code in OK
    started = fuzz_client.post(f"{SURVEY_URL}/start", data={"csrf_token": _token(fuzz_client, f"{SURVEY_URL}/"), "code": code})
    assert started.status_code in OK


@FUZZ
@given(path=st.sampled_from(["review", "delete", "continue", "saved", "thanks", "deleted", "start"]),
       data=st.dictionaries(st.sampled_from(FIELD_NAMES) | hostile_text, form_value, max_size=4),
       with_token=st.booleans())
def test_review_delete_and_the_rest_take_any_post(fuzz_client, path, data, with_token):
    _started(fuzz_client)
    token = _token(fuzz_client, f"{SURVEY_URL}/review") if with_token else "forged"
    response = fuzz_client.post(f"{SURVEY_URL}/{path}", data={**data, "csrf_token": token})
    assert response.status_code in (*OK, 405)
    assert fuzz_client.get(f"{SURVEY_URL}/{path}").status_code in (*OK, 405)


@FUZZ
@given(path=st.text(max_size=40).map(lambda s: s.replace("?", "").replace("#", "")))
def test_odd_paths_are_friendly_pages(fuzz_client, path):
    response = fuzz_client.get(f"{SURVEY_URL}/q/{path}")
    assert response.status_code in (200, 302, 308, 404, 409)


def _post_routes(app) -> list[str]:
    """Every URL of the app that accepts POST, with sample values for its arguments."""
    samples = {"survey_id": SURVEY, "section_id": "living", "fmt": "csv", "user_id": "1"}
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" in (rule.methods or ()):
            urls.append(rule.build({arg: samples.get(arg, "x") for arg in rule.arguments})[1])
    return sorted(set(urls))


def test_every_post_route_refuses_an_oversized_body(db_url, instrument, session):
    """256 KiB for everyone; logged-in staff may upload files up to ``STAFF_MAX_UPLOAD``
    (sampling frames, margins) on their own pages, and not a byte more."""
    app = fuzz_app(db_url, STAFF_MAX_UPLOAD=1024 * 1024)
    client = app.test_client()
    _started(client)
    urls = _post_routes(app)
    assert f"{SURVEY_URL}/start" in urls and "/staff/login" in urls and len(urls) >= 6
    staff = make_staff(session)
    for logged_in in (False, True):
        if logged_in:
            log_in(client, staff)
        for url in urls:
            size = 1100 * 1024 if logged_in and url.startswith("/staff/s/") else 300 * 1024
            # The read-only API refuses any POST before reading its body (401 without a token).
            refused = (401, 405) if url.startswith("/api/") else (413,)
            response = client.post(url, data=b"x=" + b"a" * size, content_type="application/x-www-form-urlencoded")
            assert response.status_code in refused, (url, logged_in)
            upload = client.post(url, data={"file": (io.BytesIO(bytes(size)), "big.csv")},
                                 content_type="multipart/form-data")
            assert upload.status_code in refused, (url, logged_in)


def _walk_to_comment(client) -> None:
    _started(client)
    for section, answers in [("living", {"kurashiyasui": "1"}), ("about_you", {"age_band": "2", "sex": "1",
                                                                                "district": "1"})]:
        client.post(f"{SURVEY_URL}/q/{section}", data={"csrf_token": _token(client, f"{SURVEY_URL}/q/{section}"), **answers})


@pytest.mark.parametrize("payload", [h for h in HOSTILE if len(h) < 2000])
def test_injection_strings_are_stored_literally_and_shown_escaped(db_url, instrument, session, payload):
    client = fuzz_app(db_url).test_client()
    _walk_to_comment(client)
    saved = client.post(f"{SURVEY_URL}/q/comment", data={"csrf_token": _token(client, f"{SURVEY_URL}/q/comment"),
                                                    "comment": payload, "nav": "next"})
    assert saved.status_code in (200, 302)
    stored = session.scalar(select(Answer.text).where(Answer.question_id == "comment"))
    values, errors = responses.validate(instrument, {"comment": payload})
    assert stored == values.get("comment") and not errors  # what the write path keeps, nothing else
    review = client.get(f"{SURVEY_URL}/review").get_data(as_text=True)
    assert "<script>alert" not in review and "<img src=x" not in review and "<svg onload" not in review
    if stored:
        assert str(escape(stored)) in review
    assert session.scalar(select(Response.id).limit(1)) is not None  # tables still there


def test_guessing_invitation_codes_is_throttled(db_url, instrument):
    client = create_app(web_config(db_url)).test_client()  # the real limits
    statuses = []
    for _ in range(31):
        guess = codes.generate()  # well-formed, check character right, unknown
        statuses.append(client.get(f"{SURVEY_URL}/", query_string={"code": guess}).status_code)
    assert statuses[:30] == [200] * 30 and statuses[30] == 429
    token = _token(client, f"{SURVEY_URL}/")
    refused = client.post(f"{SURVEY_URL}/start", data={"csrf_token": token, "code": codes.generate()})
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    # Spreading the guesses over addresses does not help for one code: 10 tries per code.
    target = codes.generate()
    per_code = [client.get(f"{SURVEY_URL}/", query_string={"code": target},
                           environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code for i in range(11)]
    assert per_code == [200] * 10 + [429]
