"""Failed-login lockout, counted atomically in the database, per e-mail AND per address.

- ``MAX_FAILURES`` wrong passwords for one e-mail address from one client address pause
  logins for that pair for ``LOCKOUT``: an attacker locks out only themself, so they cannot
  keep the admin (who logs in from elsewhere) out.
- ``MAX_ACCOUNT_FAILURES`` wrong passwords for one e-mail address from all addresses
  together pause it everywhere for ``LOCKOUT`` (a guessing attack spread over many
  addresses); ``clear_subject`` (``machikoe staff unlock``) lifts every pause at once.
- Each failure is ONE ``INSERT … ON CONFLICT DO UPDATE SET failures = failures + 1
  RETURNING failures``: parallel attempts cannot read the same count and all be let
  through (the count and the decision come from the same atomic statement).
- Unknown e-mail addresses are counted exactly like real ones and keys are HMACs: neither
  the lock answer nor the table says which accounts exist or where people logged in from.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, case, delete, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from survey_app.db import rows_changed
from survey_app.models import LoginThrottle

MAX_FAILURES = 5
MAX_ACCOUNT_FAILURES = 50
LOCKOUT = timedelta(minutes=15)
ALL_ADDRESSES = "*"
_TABLE = LoginThrottle.__table__


def _key(secret: str, domain: str, value: str) -> str:
    return hmac.new(secret.encode(), f"{domain}:{value}".encode(), hashlib.sha256).hexdigest()


def subject_key(secret: str, email: str) -> str:
    return _key(secret, "login-subject", (email or "").strip().lower())


def address_key(secret: str, address: str | None) -> str:
    return _key(secret, "login-address", address or "-")


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:  # SQLite keeps no time zone; it is UTC
        return moment.replace(tzinfo=UTC)
    return moment


def locked_until(session: Session, subject: str, address: str, now: datetime) -> datetime | None:
    """The end of the pause that applies to this e-mail from this address, if one is running."""
    rows = session.scalars(select(LoginThrottle.locked_until).where(
        LoginThrottle.subject == subject, LoginThrottle.address.in_((address, ALL_ADDRESSES))))
    running = [t for t in map(_aware, rows) if t is not None and t > now]
    return max(running, default=None)


def _increment(session: Session, subject: str, address: str, now: datetime) -> int:
    """Add one failure and return the new count, in one statement; a pause that has ended
    starts the count again (both CASEs read the row as it was before this statement)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    ended = and_(_TABLE.c.locked_until.is_not(None), _TABLE.c.locked_until <= now)
    stmt = insert(_TABLE).values(subject=subject, address=address, failures=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[_TABLE.c.subject, _TABLE.c.address],
        set_={"failures": case((ended, 1), else_=_TABLE.c.failures + 1),
              "locked_until": case((ended, null()), else_=_TABLE.c.locked_until)})
    return int(session.execute(stmt.returning(_TABLE.c.failures)).scalar_one())


def record_failure(session: Session, subject: str, address: str, now: datetime) -> datetime | None:
    """Count one failure on both counters (committed); the end of the pause now running, if any.

    Failures beyond the limit during a pause keep it (they do not extend it: an attacker
    cannot push the end further away)."""
    until = None
    for where, limit in ((address, MAX_FAILURES), (ALL_ADDRESSES, MAX_ACCOUNT_FAILURES)):
        if _increment(session, subject, where, now) < limit:
            continue
        row = (LoginThrottle.subject == subject, LoginThrottle.address == where)
        session.execute(update(LoginThrottle).where(*row, or_(
            LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now))
            .values(locked_until=now + LOCKOUT))
        running = _aware(session.scalar(select(LoginThrottle.locked_until).where(*row)))
        until = max(filter(None, (until, running)), default=None)
    session.commit()
    return until


def clear_address(session: Session, subject: str, address: str) -> None:
    """A successful login forgets this address's failures and the all-address count (not committed)."""
    session.execute(delete(LoginThrottle).where(
        LoginThrottle.subject == subject, LoginThrottle.address.in_((address, ALL_ADDRESSES))))


def clear_subject(session: Session, subject: str) -> int:
    """An admin's unlock: every pause and count of this e-mail address (not committed)."""
    return rows_changed(session.execute(delete(LoginThrottle).where(LoginThrottle.subject == subject)))
