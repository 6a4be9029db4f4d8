"""Staff accounts for tests: one per role, a logged-in client without the login form, and the
login form itself (for the tests of logging in).

Passwords are hashed with cheap argon2 parameters in the test process (``TEST_HASHER``,
through ``survey_app.staff.use_password_hasher``): the suite logs in hundreds of times, and
argon2's defaults cost ~60 ms of CPU each time on purpose. Processes the tests start (served
apps, the CLI) hash with the defaults, as every deployment does; tests/test_architecture.py
checks those defaults."""
from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from survey_app import staff as staff_core
from survey_app.models import StaffUser
from tests.support.web import csrf

PASSWORD = "staff password 123"
TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD_HASH = TEST_HASHER.hash(PASSWORD)
ROLES = ("admin", "analyst", "viewer")


def pytest_configure(config: pytest.Config) -> None:
    staff_core.use_password_hasher(TEST_HASHER)


def make_staff(session: Session, role: str = "admin", locale: str = "en") -> StaffUser:
    """One active staff member of ``role`` (``<role>@city.example``, password ``PASSWORD``)."""
    user = StaffUser(email=f"{role}@city.example", role=role, password_hash=PASSWORD_HASH, locale=locale,
                     active=True)
    session.add(user)
    session.commit()
    return user


def log_in(client, user: StaffUser | None) -> None:
    """Give the test client ``user``'s staff session (``None``: anonymous). The login form has
    its own tests (``submit_login``); everything else starts logged in."""
    from survey_app.web.staff.auth import fingerprint

    with client.session_transaction() as sess:
        sess.clear()
        if user is not None:
            sess["_user_id"] = f"{user.id}:{fingerprint(user)}"
            sess["_fresh"] = True
            sess["staff_login_at"] = sess["staff_seen"] = time.time()


def submit_login(client, email: str, password: str = PASSWORD, next_url: str | None = None):
    """Fill in and send the real login form; returns the response to the POST."""
    page = client.get("/staff/login")
    query = f"?next={next_url}" if next_url else ""
    return client.post(f"/staff/login{query}", data={"csrf_token": csrf(page.get_data(as_text=True)),
                                                     "email": email, "password": password})


@pytest.fixture
def staff_users(session: Session, instrument) -> dict[str, StaffUser]:
    """One account per role, Japanese-speaking (the city's staff)."""
    return {role: make_staff(session, role, locale="ja") for role in ROLES}


@pytest.fixture
def login_as(client, staff_users: dict[str, StaffUser]) -> Callable:
    """``login_as("viewer")`` → the client with that staff member's session (``None``: anonymous)."""
    def login(role: str | None):
        log_in(client, staff_users[role] if role else None)
        return client

    return login


@pytest.fixture
def token_for(client) -> Callable[[str], str]:
    """A valid CSRF token for the client's session (from a staff page it may open)."""
    def fetch(path: str = "/staff/login") -> str:
        return csrf(client.get(path).get_data(as_text=True))

    return fetch
