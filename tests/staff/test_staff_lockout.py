"""Lockout that counts (issue 14): atomic counting under parallel attempts, the same answer for
unknown accounts, per e-mail AND address so an attacker cannot keep the admin out, unlock by
time and by an admin. SQLite and PostgreSQL.

The admin's password hash is stored with cheap argon2 parameters, as a hash made before the
parameters were raised is (``authenticate`` accepts it, and upgrades it on the next login: checked
here). What these tests prove is how failures are counted, which does not depend on what one
refusal costs; with the current parameters the ~100 wrong passwords below took ~30 s of CPU. A
count made by reading then writing fails the parallel test at least as often this way (the 20
attempts meet in one burst; measured: 11 of 12 runs, against 10 of 12 with the current
parameters). That a refusal costs the same for every account is checked on the real parameters
(tests/test_architecture.py::test_the_dummy_password_hash_costs_what_a_real_one_costs)."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app import lockout
from survey_app import staff as staff_core
from survey_app.models import LoginThrottle, utcnow
from tests.support.staff import make_staff

PASSWORD = "correct horse battery"
OLD_PARAMETERS = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def _admin(session):
    """The admin account (admin@city.example), its hash made with (cheap) older argon2 parameters."""
    user = make_staff(session, "admin")
    user.password_hash = OLD_PARAMETERS.hash(PASSWORD)
    session.commit()
    return user


def test_twenty_parallel_wrong_passwords_lock_the_account(engine, session, secret):
    _admin(session)
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def attempt() -> None:
        with Session(engine, expire_on_commit=False) as own:
            barrier.wait()
            try:
                staff_core.authenticate(own, "admin@city.example", "wrong guess", secret=secret, address="10.0.0.9")
            except staff_core.StaffError as exc:
                outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(outcomes) == 20
    # At most MAX_FAILURES - 1 attempts may be told "wrong password"; the rest meet the lock.
    assert outcomes.count("LoginFailed") <= staff_core.MAX_FAILURES - 1
    with pytest.raises(staff_core.AccountLocked):
        staff_core.authenticate(session, "admin@city.example", PASSWORD, secret=secret, address="10.0.0.9")


def _fail(session, secret, email, address, times):
    for _ in range(times):
        with pytest.raises(staff_core.StaffError):
            staff_core.authenticate(session, email, "wrong guess", secret=secret, address=address)


def test_the_lock_answer_does_not_reveal_whether_an_account_exists(session, secret):
    _admin(session)
    answers = {}
    for email in ("admin@city.example", "nobody@city.example"):
        _fail(session, secret, email, "10.0.0.9", staff_core.MAX_FAILURES - 1)
        with pytest.raises(staff_core.StaffError) as last:
            staff_core.authenticate(session, email, "wrong guess", secret=secret, address="10.0.0.9")
        answers[email] = (type(last.value), last.value.message)
    assert answers["admin@city.example"] == answers["nobody@city.example"]
    assert answers["nobody@city.example"][0] is staff_core.AccountLocked
    stored = " ".join(f"{r.subject} {r.address}" for r in session.scalars(select(LoginThrottle)))
    assert "admin" not in stored and "10.0.0.9" not in stored  # HMACs only


def test_an_attacker_cannot_keep_the_admin_out(session, secret):
    _admin(session)
    _fail(session, secret, "admin@city.example", "203.0.113.66", staff_core.MAX_FAILURES)
    with pytest.raises(staff_core.AccountLocked):
        staff_core.authenticate(session, "admin@city.example", PASSWORD, secret=secret, address="203.0.113.66")
    # The admin, from the office, is not locked out by the attacker's failures.
    assert staff_core.authenticate(session, "admin@city.example", PASSWORD, secret=secret, address="10.1.1.1")


def test_a_spread_attack_pauses_everywhere_until_time_or_an_admin_lifts_it(session, secret):
    admin = _admin(session)
    now = utcnow()
    for n in range(lockout.MAX_ACCOUNT_FAILURES):
        address = f"198.51.100.{n // (lockout.MAX_FAILURES - 1)}"  # never enough from one address
        with pytest.raises(staff_core.StaffError):
            staff_core.authenticate(session, "admin@city.example", "wrong", now, secret=secret, address=address)
    with pytest.raises(staff_core.AccountLocked):
        staff_core.authenticate(session, "admin@city.example", PASSWORD, now, secret=secret, address="10.1.1.1")
    later = now + lockout.LOCKOUT + timedelta(seconds=1)  # unlock by time
    assert staff_core.authenticate(session, "admin@city.example", PASSWORD, later, secret=secret, address="10.1.1.1")
    assert not staff_core.password_hashing().hasher.check_needs_rehash(admin.password_hash)  # the login upgraded the old hash
    admin.password_hash = OLD_PARAMETERS.hash(PASSWORD)  # cheap again for the attempts below
    session.commit()
    _fail(session, secret, "admin@city.example", "203.0.113.66", staff_core.MAX_FAILURES)
    staff_core.unlock(session, secret, "admin@city.example", actor="cli")  # unlock by an admin
    assert staff_core.authenticate(session, "admin@city.example", PASSWORD, secret=secret, address="203.0.113.66")
