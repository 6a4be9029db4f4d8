"""Staff fixtures: one account per role (hash computed once), logging a test client in."""
from __future__ import annotations

import time

import pytest
from stafftools import PASSWORD_HASH, ROLES, csrf_of

from survey_app.models import StaffUser


@pytest.fixture
def staff_users(session, instrument):
    users = {role: StaffUser(email=f"{role}@city.example", role=role, password_hash=PASSWORD_HASH, locale="ja",
                             active=True) for role in ROLES}
    session.add_all(users.values())
    session.commit()
    return users


@pytest.fixture
def login_as(client, staff_users):
    """``login_as("viewer")`` → the client with that staff member's session (``None``: anonymous)."""
    from survey_app.web.staff.auth import fingerprint

    def login(role: str | None):
        with client.session_transaction() as sess:
            sess.clear()
            if role:
                user = staff_users[role]
                sess["_user_id"] = f"{user.id}:{fingerprint(user)}"
                sess["_fresh"] = True
                sess["staff_login_at"] = sess["staff_seen"] = time.time()
        return client

    return login


@pytest.fixture
def token_for(client):
    """A valid CSRF token for the client's session (from a staff page it may open)."""
    def fetch(path: str = "/staff/login") -> str:
        return csrf_of(client.get(path).get_data(as_text=True))

    return fetch
