"""Staff accounts: roles, argon2 passwords, lockout after failed logins, API tokens.

- Passwords are stored only as argon2id hashes (argon2-cffi defaults); a hash made with
  older parameters is upgraded on the next successful login.
- ``MAX_FAILURES`` wrong passwords in a row lock the account for ``LOCKOUT``; while locked,
  even the right password is refused, so guessing gains at most 5 tries per 15 minutes.
  Unknown e-mail addresses cost the same argon2 work, so timing does not reveal accounts.
- API bearer tokens are shown once; the database keeps only their HMAC
  (``codes.token_hash``) and an expiry. One token per account: issuing a new one revokes
  the old one.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey_app import codes, emails
from survey_app.i18n import N_, locales
from survey_app.models import ROLES, StaffUser, utcnow

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
DEFAULT_TOKEN_DAYS = 90
TOKEN_PREFIX = "mk_"

# What each role may do. A viewer reads aggregates only: no raw responses, no changes.
PERMISSIONS: dict[str, frozenset[str]] = {
    "view_dashboard": frozenset({"admin", "analyst", "viewer"}),
    "view_monitor": frozenset({"admin", "analyst", "viewer"}),
    "view_population": frozenset({"admin", "analyst", "viewer"}),
    "export_indicators": frozenset({"admin", "analyst", "viewer"}),
    "use_api": frozenset({"admin", "analyst", "viewer"}),
    "export_responses": frozenset({"admin", "analyst"}),
    "export_report": frozenset({"admin", "analyst"}),  # it prints every free comment (masked)
    "manage_invitations": frozenset({"admin"}),
    "enter_paper": frozenset({"admin"}),
    "manage_population": frozenset({"admin"}),
    "view_audit": frozenset({"admin"}),
    "manage_staff": frozenset({"admin"}),
}

_hasher = PasswordHasher()
# Verified against unknown accounts so that a miss costs as much as a hit.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class StaffError(ValueError):
    """A refusal staff can act on; ``message`` is a msgid of the ``messages`` domain."""

    def __init__(self, message: str, **params):
        self.message, self.params = message, params
        super().__init__(message % params if params else message)


class LoginFailed(StaffError):
    def __init__(self):
        super().__init__(N_("Wrong e-mail address or password."))


class AccountLocked(StaffError):
    def __init__(self, until: datetime):
        self.until = until
        super().__init__(N_("Too many failed logins. The account is locked until %(time)s UTC."),
                         time=until.strftime("%H:%M"))


class TokenRefused(StaffError):
    """The API token is unknown, revoked or expired (``reason`` says which, for the 401 body)."""

    def __init__(self, reason: str):
        self.reason = reason
        messages = {"missing": N_("An API token is required (Authorization: Bearer …)."),
                    "invalid": N_("The API token is not valid."),
                    "expired": N_("The API token has expired. Ask for a new one (machikoe staff token).")}
        super().__init__(messages[reason])


def can(role: str | None, permission: str) -> bool:
    return role in PERMISSIONS.get(permission, frozenset())


def aware(moment: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes for timezone-aware columns; they are UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def normalise_email(email: str) -> str:
    """The canonical ASCII address (``survey_app.emails``: no look-alikes, no bidi controls)."""
    try:
        return emails.canonical(email)
    except emails.InvalidEmail as exc:
        raise StaffError(exc.message, **exc.params) from None


def generate_password() -> str:
    """16 characters from the code alphabet (no look-alikes), ~79 bits: readable from a terminal."""
    return "".join(secrets.choice(codes.ALPHABET.lower() + codes.ALPHABET) for _ in range(16))


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(N_("A password needs at least %(n)d characters."), n=MIN_PASSWORD_LENGTH)


def find_user(session: Session, email: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(StaffUser.email == emails.lookup_form(email)))


def list_users(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.email)))


@dataclass(frozen=True)
class Created:
    user: StaffUser
    password: str | None  # the generated password, to show once; None when one was given


def create_user(session: Session, email: str, role: str, password: str | None = None,
                locale: str | None = None) -> Created:
    email = normalise_email(email)
    if role not in ROLES:
        raise StaffError(N_("Unknown role '%(role)s' (roles: %(roles)s)."), role=role, roles=", ".join(ROLES))
    if find_user(session, email) is not None:
        raise StaffError(N_("A staff account for %(email)s already exists."), email=email)
    generated = None if password else generate_password()
    password = password or generated
    check_password_strength(password)
    user = StaffUser(email=email, role=role, password_hash=_hasher.hash(password), locale=locale or locales.default(), active=True,
                     failed_logins=0)
    session.add(user)
    session.commit()
    return Created(user, generated)


def set_password(session: Session, user: StaffUser, password: str) -> None:
    check_password_strength(password)
    user.password_hash = _hasher.hash(password)
    user.failed_logins, user.locked_until = 0, None
    session.commit()


def unlock(session: Session, user: StaffUser) -> None:
    user.failed_logins, user.locked_until = 0, None
    session.commit()


def authenticate(session: Session, email: str, password: str, now: datetime | None = None) -> StaffUser:
    """The account for these credentials; raises LoginFailed or AccountLocked (and counts the failure)."""
    now = now or utcnow()
    user = find_user(session, email or "")
    if user is None or not user.active:
        _verify(_DUMMY_HASH, password)
        raise LoginFailed()
    locked_until = aware(user.locked_until)
    if locked_until is not None and locked_until > now:
        raise AccountLocked(locked_until)
    if not _verify(user.password_hash, password):
        _count_failure(session, user, now)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    session.commit()
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _count_failure(session: Session, user: StaffUser, now: datetime) -> None:
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= MAX_FAILURES:
        user.locked_until, user.failed_logins = now + LOCKOUT, 0
        session.commit()
        raise AccountLocked(user.locked_until)
    session.commit()
    raise LoginFailed()


def issue_token(session: Session, secret: str, user: StaffUser, days: int = DEFAULT_TOKEN_DAYS,
                now: datetime | None = None) -> str:
    """A new bearer token for ``user`` (shown once), valid for ``days``; replaces any earlier token."""
    if days < 1:
        raise StaffError(N_("A token must be valid for at least one day."))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    user.api_token_hash = codes.token_hash(secret, token)
    user.api_token_expires = (now or utcnow()) + timedelta(days=days)
    session.commit()
    return token


def revoke_token(session: Session, user: StaffUser) -> None:
    user.api_token_hash, user.api_token_expires = None, None
    session.commit()


def user_for_token(session: Session, secret: str, token: str | None, now: datetime | None = None) -> StaffUser:
    if not token:
        raise TokenRefused("missing")
    user = session.scalar(select(StaffUser).where(StaffUser.api_token_hash == codes.token_hash(secret, token)))
    if user is None or not user.active:
        raise TokenRefused("invalid")
    expires = aware(user.api_token_expires)
    if expires is None or expires <= (now or utcnow()):
        raise TokenRefused("expired")
    return user


def ensure_first_admin(session: Session, email: str) -> Created | None:
    """Create the first admin when no admin exists yet (``machikoe setup``); otherwise None."""
    has_admin = session.scalar(select(func.count()).select_from(StaffUser).where(StaffUser.role == "admin"))
    if has_admin:
        return None
    return create_user(session, email, "admin")
