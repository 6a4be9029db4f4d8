"""Staff sessions that end (issue 14): server-side revocation by ``session_version``, idle and
absolute timeouts on every request, a new session and CSRF token at login, API tokens revoked
with the password, every security event audited. Both databases; real Flask test clients."""
from __future__ import annotations

import time

from sqlalchemy import select

from survey_app import responses
from survey_app import staff as staff_core
from survey_app.models import AuditEvent, StaffUser
from tests.support.staff import PASSWORD, submit_login
from tests.support.survey import SURVEY
from tests.support.web import csrf

EXPORT = f"/staff/s/{SURVEY}/export/responses.csv"


def _cookie(client) -> str:
    return client.get_cookie("machikoe").value


def _with_cookie(app, value: str):
    other = app.test_client()
    other.set_cookie("machikoe", value)
    return other


def test_a_cookie_copied_before_logout_is_refused_after_it(app, client, session, instrument, staff_users):
    responses.bulk_complete(session, instrument, [{"kurashiyasui": 1, "age_band": 2, "sex": 1, "district": 3}],
                            channel="web")
    assert submit_login(client, "analyst@city.example").status_code == 302
    assert client.get(EXPORT).status_code == 200
    stolen = _cookie(client)
    client.post("/staff/logout", data={"csrf_token": csrf(client.get("/staff/").get_data(as_text=True))})
    copy = _with_cookie(app, stolen)
    refused = copy.get(EXPORT)
    assert refused.status_code == 302 and "/staff/login" in refused.headers["Location"]


def test_password_role_change_and_disable_end_every_session(app, session, staff_users):
    for change in (lambda u: staff_core.set_password(session, u, "a brand new password", actor="t"),
                   lambda u: staff_core.set_role(session, u, "viewer", actor="t"),
                   lambda u: staff_core.set_active(session, u, False, actor="t")):
        user = session.get(StaffUser, staff_users["analyst"].id)
        staff_core.set_active(session, user, True, actor="t")
        staff_core.set_role(session, user, "analyst", actor="t")
        staff_core.set_password(session, user, PASSWORD, actor="t")
        browser = app.test_client()
        assert submit_login(browser, "analyst@city.example").status_code == 302
        copy = _with_cookie(app, _cookie(browser))
        assert copy.get("/staff/").status_code == 200
        change(user)
        assert browser.get("/staff/").status_code == 302
        assert copy.get("/staff/").status_code == 302


def test_idle_and_absolute_timeouts_hold_for_every_copy(app, client, staff_users):
    assert submit_login(client, "viewer@city.example").status_code == 302
    app.config["STAFF_IDLE_MINUTES"] = 1 / 60  # one second
    copy = _with_cookie(app, _cookie(client))
    time.sleep(1.2)  # longer than the idle limit: the invariant, not luck
    assert copy.get("/staff/").status_code == 302
    assert client.get("/staff/").status_code == 302
    app.config["STAFF_IDLE_MINUTES"] = 30
    assert submit_login(client, "viewer@city.example").status_code == 302
    app.config["STAFF_SESSION_HOURS"] = 1 / 3600  # one second after login, however active
    for _ in range(3):
        client.get("/staff/")
        time.sleep(0.45)
    assert client.get("/staff/").status_code == 302


def test_login_gives_a_new_session_and_csrf_token(app, client, staff_users):
    before = csrf(client.get("/staff/login").get_data(as_text=True))
    anonymous = _cookie(client)
    assert submit_login(client, "viewer@city.example").status_code == 302
    after = csrf(client.get("/staff/").get_data(as_text=True))
    assert after != before
    assert _cookie(client) != anonymous
    # The pre-login token is not accepted in the logged-in session.
    assert client.post("/staff/logout", data={"csrf_token": before}).status_code == 400


def test_password_change_revokes_the_api_token_and_everything_is_audited(session, secret, staff_users):
    user = session.get(StaffUser, staff_users["analyst"].id)
    token = staff_core.issue_token(session, secret, user)
    staff_core.set_password(session, user, "another long password", actor="admin@city.example")
    try:
        staff_core.user_for_token(session, secret, token)
        raise AssertionError("the token outlived the password")
    except staff_core.TokenRefused as refused:
        assert refused.reason == "invalid"
    staff_core.revoke_token(session, user, actor="admin@city.example")
    staff_core.revoke_sessions(session, user, actor="admin@city.example")
    staff_core.set_role(session, user, "viewer", actor="admin@city.example")
    staff_core.set_active(session, user, False, actor="admin@city.example")
    staff_core.unlock(session, secret, user.email, actor="admin@city.example")
    # in the order written (without ORDER BY, PostgreSQL returns rows in whatever order its pages hold them)
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.target == user.email)
                              .order_by(AuditEvent.id)).all()
    assert actions == ["staff_password", "token_revoke", "staff_sessions_revoked", "staff_role",
                       "staff_disable", "staff_unlock"]
