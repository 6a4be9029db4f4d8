"""The red-team's low findings on the resident side and in the core (issue 14).

Digits from other scripts in survey answers, ``/healthz`` during an outage, what the
resident's cookie shows, and the declared dependencies. Database tests run on SQLite and
PostgreSQL.
"""
from __future__ import annotations

import base64
import configparser
import json
import re
import zlib
from datetime import date, timedelta
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version
from sqlalchemy import select

from survey_app import numerals, responses, sealing
from survey_app.models import Response
from survey_app.web import create_app
from tests.support.db import TEST_SECRET
from tests.support.survey import SURVEY_URL
from tests.support.web import PAGES, csrf, post_page, resume_code, start, text_of

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- digits

@pytest.mark.parametrize(("typed", "number"), [
    ("12", 12), ("１２", 12), ("١٢", 12), ("۱۲", 12), (" ４ ", 4), ("－３", -3), ("−3", -3), ("+7", 7),
    # bidi marks copied from Urdu text along with the number: invisible, so not a reason to refuse it
    ("3\u200e", 3), ("٣\u200f", 3), ("\u061c۱۲", 12), ("\u202b12\u202c", 12), ("\u202e12", 12),
    ("\u2067١٢\u2069", 12)])
def test_accepted_digits_read_as_the_same_integer(typed, number):
    assert numerals.parse_int(typed) == number


@pytest.mark.parametrize("typed", ["፩", "²", "10²", "①", "߁", "१", "๑", "1_000", "", "-", "1e3", "1234567890",
                                   "12\u200b", "\u200e", "1\u200e2\u200b"])
def test_other_digits_are_not_an_integer(typed):
    assert numerals.parse_int(typed) is None


@pytest.mark.parametrize(("typed", "number"), [
    ("3.5", 3.5), ("３．５", 3.5), ("٣٫٥", 3.5), ("1,234", 1234.0), ("１，２３４", 1234.0), ("٬١٢", None),
    (".5", 0.5), ("1,5", None), ("10²", None), ("፩", None), ("inf", None), ("nan", None), ("1e400", None),
    ("१२", None), ("٣٫٥\u200f", 3.5), ("\u200e-2.5", -2.5)])
def test_decimals_read_only_accepted_digits(typed, number):
    assert numerals.parse_decimal(typed) == number


@pytest.mark.parametrize("digit", ["፩", "²", "①", "߁"])
def test_survey_number_and_choice_fields_refuse_other_digits_in_the_residents_language(client, session, digit):
    start(client, lang="vi")
    shown = post_page(client, "about_you", dict(PAGES[5][1], household_size=f"1{digit}", age_band=digit))
    page = text_of(shown)
    assert shown.status_code == 200 and 'aria-invalid="true"' in page
    assert "Vui lòng nhập một con số" in page  # "Enter a number, for example 3." in Vietnamese
    assert f'value="1{digit}"' in page  # what was typed is shown again
    stored = responses.current_answers(session, session.scalars(select(Response)).one())
    assert "household_size" not in stored and "age_band" not in stored and stored["sex"] == 2


def test_survey_fields_read_full_width_and_urdu_digits(client, session):
    start(client, lang="ur")
    post_page(client, "about_you", dict(PAGES[5][1], household_size="۱۲", age_band="３"))
    stored = responses.current_answers(session, session.scalars(select(Response)).one())
    assert stored["household_size"] == 12 and stored["age_band"] == 3


def test_a_number_copied_with_bidi_marks_is_read(client, session):
    """Text copied from an Urdu message carries invisible direction marks around its digits."""
    start(client, lang="ur")
    post_page(client, "about_you", dict(PAGES[5][1], household_size="٣\u200f", age_band="\u200e3"))
    stored = responses.current_answers(session, session.scalars(select(Response)).one())
    assert stored["household_size"] == 3 and stored["age_band"] == 3


# ---------------------------------------------------------------- /healthz

def test_healthz_during_an_outage_names_no_host_or_port(caplog):
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET,
                      "DATABASE_URL": "postgresql+psycopg://machikoe@127.0.0.1:9/nowhere?connect_timeout=2"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unavailable"}
    assert "127.0.0.1" not in response.get_data(as_text=True)
    assert any("127.0.0.1" in record.getMessage() for record in caplog.records)  # the operator's log has it


# ---------------------------------------------------------------- the resident's cookie

def _cookie_payload(client) -> str:
    """What anyone holding the cookie can read: Flask's session payload, decoded."""
    cookie = client.get_cookie("machikoe")
    assert cookie is not None
    value = cookie.value
    compressed = value.startswith(".")
    data = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    return (zlib.decompress(raw) if compressed else raw).decode()


def test_the_cookie_shows_neither_the_response_nor_the_resume_code(app, client, session):
    start(client)
    post_page(client, "living", {"kurashiyasui": "1"})
    saved = post_page(client, "childcare", {"has_children": "2"}, nav="later", follow=True)
    token = resume_code(text_of(saved))
    response = session.scalars(select(Response)).one()
    payload = _cookie_payload(client)
    json.loads(payload)  # really the whole session
    compact = token.replace("-", "")
    for secret_value in (response.uuid, response.uuid.replace("-", ""), token, compact):
        assert secret_value not in payload
    # the same phone still continues, and the resume code still works on another one
    assert client.get(f"{SURVEY_URL}/continue").headers["Location"].endswith("/q/childcare")
    other = app.test_client()
    link = other.get(f"{SURVEY_URL}/?code={token}")
    resumed = other.post(f"{SURVEY_URL}/start", data={"csrf_token": csrf(text_of(link)), "code": token})
    assert resumed.headers["Location"].endswith("/q/childcare")


def test_the_cookie_lasts_thirty_days_and_a_value_from_another_key_is_no_response(app, client):
    start(client)
    cookie = client.get_cookie("machikoe")
    assert cookie.expires is not None
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(days=30)
    with client.session_transaction() as sess:
        sealed = sess["r"]["ebetsu-2025"]
        sess["r"] = {"ebetsu-2025": sealing.seal("another key", "response-uuid", "x" * 36)}
    assert sealing.unseal(TEST_SECRET, "response-uuid", sealed) is not None
    assert client.get(f"{SURVEY_URL}/continue").headers["Location"].endswith(f"{SURVEY_URL}/")


def test_an_unchanged_cookie_is_renewed_on_the_first_save_of_a_day_only(client):
    """Its 30 days start again when the resident saves, once a day: not re-signed on every save."""
    start(client)
    first = post_page(client, "living", {"kurashiyasui": "1"})
    assert "machikoe=" in first.headers.get("Set-Cookie", "")            # the day's first save renews it
    day = date.today()
    again = post_page(client, "living", {"kurashiyasui": "2"})
    if date.today() == day:                                               # (not across midnight)
        assert "Set-Cookie" not in again.headers                          # later saves that day do not
    with client.session_transaction() as sess:
        sess["d"] = sess["d"] - 1                                          # as if last renewed yesterday
    renewed = post_page(client, "living", {"kurashiyasui": "3"})
    assert "machikoe=" in renewed.headers.get("Set-Cookie", "")
    assert "Set-Cookie" not in client.get(f"{SURVEY_URL}/q/living").headers  # a view never renews it


def test_a_cookie_from_before_sealing_still_continues_and_is_sealed(client, session):
    start(client)
    post_page(client, "living", {"kurashiyasui": "1"})
    uuid = session.scalars(select(Response)).one().uuid
    with client.session_transaction() as sess:
        sess["r"] = {"ebetsu-2025": uuid}  # what the cookie held before this change
    assert client.get(f"{SURVEY_URL}/continue").headers["Location"].endswith("/q/childcare")
    assert uuid not in _cookie_payload(client)


def test_sealed_values_differ_each_time_and_refuse_another_purpose():
    one, two = sealing.seal("k", "a", "value"), sealing.seal("k", "a", "value")
    assert one != two and sealing.unseal("k", "a", one) == sealing.unseal("k", "a", two) == "value"
    assert sealing.unseal("k", "b", one) is None and sealing.unseal("other", "a", one) is None
    for junk in (None, 3, "", "!!!", "a" * 600, one[:-2] + "AA", "é"):
        assert sealing.unseal("k", "a", junk) is None


# ---------------------------------------------------------------- dependencies

# The first release past each published advisory (GHSA / CVE) that affects what we use.
ADVISORY_FLOORS = {
    "gunicorn": "23.0.0",     # request smuggling (CVE-2024-6827)
    "jinja2": "3.1.6",        # sandbox escape via |attr (CVE-2025-27516)
    "werkzeug": "3.1.4",      # debugger / safe_join / multipart advisories of 3.0.x and 3.1.0-3.1.3
    "flask": "3.1.1",         # fallback signing key order (CVE-2025-47278)
    "tornado": "6.5.3",       # multipart / header parsing DoS advisories of 6.4-6.5.2
    "h11": "0.16.0",          # chunked-encoding smuggling (CVE-2025-43859), under httpx in the bot
    "cryptography": "44.0.1",  # bundled OpenSSL advisories
}


def _install_requires() -> dict[str, Requirement]:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    lines = [line.strip() for line in config["options"]["install_requires"].splitlines() if line.strip()]
    return {Requirement(line).name.lower(): Requirement(line) for line in lines}


@pytest.mark.parametrize(("name", "floor"), sorted(ADVISORY_FLOORS.items()))
def test_dependency_floors_are_past_known_advisories(name, floor):
    requirement = _install_requires().get(name)
    assert requirement is not None, f"{name} is not declared in setup.cfg"
    lowest = [Version(s.version) for s in requirement.specifier if s.operator in (">=", ">", "==", "~=")]
    assert lowest and min(lowest) >= Version(floor), f"{requirement} allows versions before {floor}"


def test_every_third_party_module_the_code_imports_is_declared():
    from importlib.metadata import packages_distributions

    distributions = packages_distributions()
    declared = set(_install_requires()) | {"machikoe"}  # our own packages
    imported = set()
    for folder in ("survey_app", "bot", "analysis"):
        for path in (ROOT / folder).rglob("*.py"):
            for match in re.finditer(r"^\s*(?:from|import)\s+([a-zA-Z_][\w]*)", path.read_text(), re.M):
                imported.add(match.group(1))
    undeclared = set()
    for module in sorted(imported):
        dists = {d.lower().replace("_", "-") for d in distributions.get(module, [])}
        if dists and not dists & {d.replace("_", "-") for d in declared} and module != "__future__":
            undeclared.add(f"{module} ({', '.join(sorted(dists))})")
    assert not undeclared, f"imported but not in install_requires: {undeclared}"
