"""Staff accounts, lockout, API tokens and the audit log, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from survey_app import audit, staff
from survey_app.models import LoginThrottle, StaffUser, utcnow

PASSWORD = "correct horse battery"


def test_create_hashes_with_argon2_and_generates_password_once(session):
    created = staff.create_user(session, "  Analyst@City.example ", "analyst", PASSWORD)
    assert created.password is None
    assert created.user.email == "analyst@city.example"
    assert created.user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in created.user.password_hash
    generated = staff.create_user(session, "viewer@city.example", "viewer")
    assert generated.password and len(generated.password) == 16
    assert staff.authenticate(session, "viewer@city.example", generated.password).role == "viewer"


@pytest.mark.parametrize(("email", "role", "password", "fragment"), [
    ("not-an-address", "admin", PASSWORD, "not an e-mail"),
    ("a@b.example", "boss", PASSWORD, "Unknown role"),
    ("a@b.example", "admin", "short", "at least 12"),
    ("a@b.example", "admin", "aaaaaaaaaaaaaaaa", "different characters"),  # one key held down
    ("a@b.example", "admin", "abababababababab", "different characters"),  # a short pattern repeated
])
def test_create_refuses_bad_input(session, email, role, password, fragment):
    with pytest.raises(staff.StaffError, match=fragment):
        staff.create_user(session, email, role, password)
    assert session.scalar(select(StaffUser)) is None


def test_duplicate_account_is_refused(session):
    staff.create_user(session, "a@b.example", "admin", PASSWORD)
    with pytest.raises(staff.StaffError, match="already exists"):
        staff.create_user(session, "A@B.example", "viewer", PASSWORD)


def test_wrong_password_and_unknown_account_fail_the_same_way(session):
    staff.create_user(session, "a@b.example", "admin", PASSWORD)
    with pytest.raises(staff.LoginFailed) as wrong:
        staff.authenticate(session, "a@b.example", "nope")
    with pytest.raises(staff.LoginFailed) as unknown:
        staff.authenticate(session, "nobody@b.example", "nope")
    assert str(wrong.value) == str(unknown.value)


def test_lockout_after_repeated_failures_then_expiry(session):
    user = staff.create_user(session, "a@b.example", "admin", PASSWORD).user
    now = utcnow()
    for _ in range(staff.MAX_FAILURES - 1):
        with pytest.raises(staff.LoginFailed):
            staff.authenticate(session, "a@b.example", "wrong", now=now)
    with pytest.raises(staff.AccountLocked):
        staff.authenticate(session, "a@b.example", "wrong", now=now)
    session.expire_all()
    paused = session.scalars(select(LoginThrottle.locked_until).where(LoginThrottle.address != "*")).one()
    assert staff.aware(paused) == now + staff.LOCKOUT
    # Even the right password is refused while locked ...
    with pytest.raises(staff.AccountLocked):
        staff.authenticate(session, "a@b.example", PASSWORD, now=now + timedelta(minutes=1))
    # ... and accepted once the lock has expired; the counters are reset.
    later = now + staff.LOCKOUT + timedelta(seconds=1)
    ok = staff.authenticate(session, "a@b.example", PASSWORD, now=later)
    assert ok.id == user.id and session.scalars(select(LoginThrottle)).all() == []  # counts cleared
    assert staff.aware(ok.last_login_at) == later


def test_inactive_account_cannot_log_in(session):
    user = staff.create_user(session, "a@b.example", "admin", PASSWORD).user
    user.active = False
    session.commit()
    with pytest.raises(staff.LoginFailed):
        staff.authenticate(session, "a@b.example", PASSWORD)


def test_unlock_and_set_password(session, secret):
    user = staff.create_user(session, "a@b.example", "admin", PASSWORD).user
    for _ in range(staff.MAX_FAILURES):
        with pytest.raises(staff.StaffError):
            staff.authenticate(session, "a@b.example", "wrong", secret=secret)
    with pytest.raises(staff.AccountLocked):
        staff.authenticate(session, "a@b.example", PASSWORD, secret=secret)
    assert staff.unlock(session, secret, "A@b.example", actor="admin@b.example") == 2
    staff.set_password(session, user, "another long password")
    assert staff.authenticate(session, "a@b.example", "another long password", secret=secret).id == user.id


def test_api_token_stored_as_hmac_expires_and_revokes(session, secret):
    user = staff.create_user(session, "a@b.example", "analyst", PASSWORD).user
    now = utcnow()
    token = staff.issue_token(session, secret, user, days=30, now=now)
    assert token.startswith(staff.TOKEN_PREFIX)
    stored = session.scalars(select(StaffUser.api_token_hash)).one()
    assert stored != token and token not in stored and len(stored) == 64
    assert staff.user_for_token(session, secret, token, now=now).id == user.id
    with pytest.raises(staff.TokenRefused) as expired:
        staff.user_for_token(session, secret, token, now=now + timedelta(days=30, seconds=1))
    assert expired.value.reason == "expired"
    with pytest.raises(staff.TokenRefused) as wrong:
        staff.user_for_token(session, secret, token + "x", now=now)
    assert wrong.value.reason == "invalid"
    with pytest.raises(staff.TokenRefused) as missing:
        staff.user_for_token(session, secret, "", now=now)
    assert missing.value.reason == "missing"
    newer = staff.issue_token(session, secret, user, days=1)
    with pytest.raises(staff.TokenRefused):  # a new token replaces the old one
        staff.user_for_token(session, secret, token)
    staff.revoke_token(session, user)
    with pytest.raises(staff.TokenRefused):
        staff.user_for_token(session, secret, newer)


def test_permission_table():
    assert staff.can("viewer", "view_dashboard") and staff.can("viewer", "export_indicators")
    assert not staff.can("viewer", "export_responses")
    assert staff.can("analyst", "export_responses") and not staff.can("analyst", "enter_paper")
    assert all(staff.can("admin", p) for p in staff.PERMISSIONS)
    assert not staff.can(None, "view_dashboard") and not staff.can("admin", "no_such_permission")


def test_first_admin_is_created_once(session):
    first = staff.ensure_first_admin(session, "admin@localhost")
    assert first.user.role == "admin" and first.password
    assert staff.ensure_first_admin(session, "admin@localhost") is None


def test_audit_record_and_query_newest_first_with_pages(session):
    for i in range(5):
        audit.record(session, "a@b.example", "export", f"ebetsu-2025#{i}", {"format": "csv"})
    audit.record(session, "Other@b.example", "login")
    page = audit.query(session, limit=4)
    assert [e.action for e in page.events] == ["login", "export", "export", "export"]
    rest = audit.query(session, limit=4, before_id=page.next_before)
    assert len(rest.events) == 2 and rest.next_before is None
    assert [e.target for e in audit.query(session, action="export", limit=2).events] == \
        ["ebetsu-2025#4", "ebetsu-2025#3"]
    assert len(audit.query(session, actor="a@b.example").events) == 5
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(session, "x", "drop_tables")
