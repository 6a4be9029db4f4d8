"""Every role against every staff route and the API: allowed, forbidden (403), or sent to login."""
from __future__ import annotations

import pytest

from survey_app import responses
from survey_app import staff as staff_core
from tests.support.survey import SURVEY
from tests.support.web import csrf, text_of

# The subject is who may open which staff page, not storage: SQLite alone; every statement sent here reaches
# PostgreSQL in another test (tests/support/db.py, checked by tests/support/sql_reach.py).
pytestmark = pytest.mark.databases("sqlite")

S = f"/staff/s/{SURVEY}"
ALL, WRITERS, ADMIN = ("admin", "analyst", "viewer"), ("admin", "analyst"), ("admin",)
ROW = {"kurashiyasui": 1, "kosodate": 2, "hatarakiyasui": 3, "kyosei": 1, "kenko": 1, "age_band": 2, "sex": 1,
       "district": 3}

# method, path, roles allowed, status for an allowed role (POSTs carry a valid CSRF token but no data)
ROUTES = [
    ("GET", "/staff/", ALL, 200),
    ("GET", f"{S}/", ALL, 200),
    ("GET", f"{S}/?weighting=none&by=age_band", ALL, 200),
    ("GET", f"{S}/monitor", ALL, 200),
    ("GET", f"{S}/population", ALL, 200),
    ("GET", f"{S}/exports", ALL, 200),
    ("GET", f"{S}/export/indicators.csv?weighting=none", ALL, 200),
    ("GET", f"{S}/export/indicators.xlsx?weighting=none", ALL, 200),
    ("GET", f"{S}/export/responses.csv", WRITERS, 200),
    ("GET", f"{S}/export/responses.xlsx", WRITERS, 200),
    ("GET", f"{S}/export/labels.csv", WRITERS, 200),
    ("GET", f"{S}/invitations", ADMIN, 200),
    ("GET", f"{S}/paper", ADMIN, 200),
    ("GET", "/staff/audit", ADMIN, 200),
    ("POST", f"{S}/invitations/generate", ADMIN, 400),
    ("POST", f"{S}/invitations/letters", ADMIN, 400),
    ("POST", f"{S}/invitations/undeliverable", ADMIN, 400),
    ("POST", f"{S}/paper", ADMIN, 400),
    ("POST", f"{S}/population", ADMIN, 400),
    ("POST", "/staff/logout", ALL, 302),
]
POST_PATHS = [path for method, path, _, _ in ROUTES if method == "POST"]


@pytest.fixture
def with_responses(session, instrument):
    responses.bulk_complete(session, instrument, [ROW] * 12, channel="web")


def _call(client, method, path, token):
    if method == "GET":
        return client.get(path)
    return client.post(path, data={"csrf_token": token})


@pytest.mark.parametrize("role", [None, *ALL])
def test_role_matrix(login_as, with_responses, role):
    client = login_as(role)
    failures = []
    for method, path, allowed, ok_status in ROUTES:
        login_as(role)
        token = csrf(text_of(client.get("/staff/" if role else "/staff/login")))
        response = _call(client, method, path, token)
        expected = 302 if role is None else (ok_status if role in allowed else 403)
        if response.status_code != expected:
            failures.append(f"{role} {method} {path}: {response.status_code} != {expected}")
        if role is None and "/staff/login" not in response.headers.get("Location", ""):
            failures.append(f"anonymous {method} {path} not sent to the login page")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ALL)
def test_every_role_may_use_the_api(client, session, secret, staff_users, with_responses, role):
    token = staff_core.issue_token(session, secret, staff_users[role])
    response = client.get(f"/api/v1/surveys/{SURVEY}/indicators?weighting=none",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["survey"] == SURVEY


@pytest.mark.parametrize("path", POST_PATHS)
def test_every_post_needs_a_csrf_token(login_as, session, path):
    from sqlalchemy import func, select

    from survey_app.models import AuditEvent, Invitation, PopulationMargin, Response

    def snapshot():
        session.expire_all()
        return [session.scalar(select(func.count()).select_from(m)) for m in
                (AuditEvent, Invitation, PopulationMargin, Response)]

    client = login_as("admin")
    before = snapshot()
    for data in ({}, {"csrf_token": "forged"}):
        response = client.post(path, data={**data, "codes": "X", "letter_code": "Y"})
        assert response.status_code == 400, path
        assert "csrf" in text_of(response).lower() or "期限" in text_of(response)
    assert snapshot() == before
    assert client.get("/staff/").status_code == 200  # still logged in: the refused POST did nothing


def test_login_post_needs_a_csrf_token(client, staff_users):
    from tests.support.staff import PASSWORD

    response = client.post("/staff/login", data={"email": "admin@city.example", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/staff/").status_code == 302


def test_staff_errors_keep_the_console_around_them(login_as, session):
    """A viewer refused an admin page, and an expired form, stay in the staff console (its menu and a way
    back), not on the residents' error page with its language menu and a link to the residents' home."""
    client = login_as("viewer")
    refused = client.get("/staff/accounts")
    page = text_of(refused)
    assert refused.status_code == 403 and 'class="staff-nav"' in page and "職員用画面に戻る" in page
    assert 'href="/"' not in page.split("<main", 1)[1]  # no way out to the residents' home in the page body
    expired = text_of(login_as("admin").post("/staff/accounts", data={"csrf_token": "forged"}))
    assert 'class="staff-nav"' in expired and "職員用画面に戻る" in expired
