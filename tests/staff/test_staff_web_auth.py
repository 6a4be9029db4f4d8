"""Staff login: argon2 check, lockout, idle timeout, language, logout, safe redirects."""
from __future__ import annotations

import time

from sqlalchemy import select

from survey_app import staff as staff_core
from survey_app.models import AuditEvent, StaffUser
from tests.support.staff import PASSWORD, submit_login
from tests.support.web import csrf


def test_anonymous_is_sent_to_login_in_japanese(client):
    response = client.get("/staff/")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="ja"' in page and "ログイン" in page


def test_login_success_audit_and_english_switch(client, session, staff_users):
    response = submit_login(client, "Analyst@City.example", PASSWORD, next_url="/staff/s/ebetsu-2025/monitor")
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/s/ebetsu-2025/monitor")
    english = client.get("/staff/?lang=en").get_data(as_text=True)
    assert '<html lang="en"' in english and "Surveys" in english
    session.expire_all()
    assert session.get(StaffUser, staff_users["analyst"].id).locale == "en"  # remembered on the account
    assert '<html lang="en"' in client.get("/staff/").get_data(as_text=True)
    actions = session.scalars(select(AuditEvent.action)).all()
    assert actions == ["login"]


def test_wrong_password_then_lockout_message(client, session, staff_users):
    for _ in range(staff_core.MAX_FAILURES - 1):
        wrong = submit_login(client, "admin@city.example", "not it")
        assert wrong.status_code == 401
    locked = submit_login(client, "admin@city.example", "not it")
    assert locked.status_code == 401 and "ロック" in locked.get_data(as_text=True)
    still = submit_login(client, "admin@city.example", PASSWORD)  # right password, but locked
    assert still.status_code == 401
    assert session.scalars(select(AuditEvent.action)).all().count("login_failed") == staff_core.MAX_FAILURES + 1


def test_a_language_link_on_another_site_does_not_switch_the_console(client, session, staff_users):
    submit_login(client, "analyst@city.example", PASSWORD)
    shown = client.get("/staff/?lang=en", headers={"Sec-Fetch-Site": "cross-site"}).get_data(as_text=True)
    assert '<html lang="en"' in shown  # that response is in English …
    session.expire_all()
    assert session.get(StaffUser, staff_users["analyst"].id).locale != "en"  # … but nothing is remembered
    assert '<html lang="ja"' in client.get("/staff/").get_data(as_text=True)
    client.get("/staff/?lang=en", headers={"Sec-Fetch-Site": "same-origin"})  # the console's own switch
    session.expire_all()
    assert session.get(StaffUser, staff_users["analyst"].id).locale == "en"


def test_a_failed_login_records_only_a_known_accounts_address(client, session, staff_users):
    """A password typed into the address field was kept in clear in the audit log."""
    submit_login(client, "Hunter2-MySecretPassw0rd!", "")
    submit_login(client, "Viewer@City.example", "not it")
    failed = session.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed")
                             .order_by(AuditEvent.id)).all()
    assert [(e.actor, e.detail.get("account")) for e in failed] == [(None, "unknown"),
                                                                   ("viewer@city.example", None)]
    assert not any("hunter2" in repr(e.detail).lower() for e in failed)


def test_open_redirect_is_refused(client, staff_users):
    response = submit_login(client, "viewer@city.example", PASSWORD, next_url="https://evil.example/")
    assert response.headers["Location"].endswith("/staff/")
    with client.session_transaction() as sess:
        sess.clear()
    response = submit_login(client, "viewer@city.example", PASSWORD, next_url="//evil.example/staff")
    assert "evil" not in response.headers["Location"]


def test_idle_timeout_logs_out(app, login_as):
    client = login_as("viewer")
    assert client.get("/staff/").status_code == 200
    with client.session_transaction() as sess:
        sess["staff_seen"] = time.time() - 60 * app.config["STAFF_IDLE_MINUTES"] - 5
    response = client.get("/staff/")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "一定時間操作がなかった" in page or "inactivity" in page
    assert client.get("/staff/").status_code == 302


def test_logout_needs_post_with_csrf(login_as):
    client = login_as("admin")
    token = csrf(client.get("/staff/").get_data(as_text=True))
    assert client.post("/staff/logout").status_code == 400  # no CSRF token
    assert client.get("/staff/").status_code == 200
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/staff/").status_code == 302


def test_password_change_ends_other_sessions(login_as, session, staff_users):
    client = login_as("admin")
    assert client.get("/staff/").status_code == 200
    user = session.get(StaffUser, staff_users["admin"].id)
    staff_core.set_password(session, user, "a brand new password")
    assert client.get("/staff/").status_code == 302


def test_login_attempts_are_rate_limited_per_address(app, client, staff_users):
    app.config["STAFF_LOGIN_RATE_LIMIT"] = "3 per minute"
    statuses = [submit_login(client, f"nobody{i}@city.example", "x").status_code for i in range(4)]
    assert statuses == [401, 401, 401, 429]
