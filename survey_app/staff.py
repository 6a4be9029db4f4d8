"""Staff accounts: roles, argon2 passwords, lockout after failed logins, API tokens, sessions.

- Passwords are stored only as argon2id hashes (argon2-cffi defaults); a hash made with
  older parameters is upgraded on the next successful login.
- Failed logins pause logging in per e-mail and address (``survey_app.lockout``); while
  paused, even the right password is refused. Unknown e-mail addresses cost the same argon2
  work and get the same answers, so neither timing nor the lock message reveals accounts.
- ``session_version``: every staff cookie carries the number current at login; logout,
  a password change, disabling and a role change bump it (``revoke_sessions``), so every
  copy of every older cookie is refused on its next request.
- API bearer tokens are shown once; the database keeps only their HMAC
  (``codes.token_hash``) and an expiry. One token per account: issuing a new one revokes
  the old one; a password change or disabling revokes it too.
- Every change here is written to the audit log by the function that makes it, with the
  ``actor`` its caller names, so no caller (CLI, console) can forget it.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey_app import audit, codes, emails, lockout
from survey_app.i18n import N_, locales
from survey_app.models import ROLES, StaffUser, utcnow

MAX_FAILURES = lockout.MAX_FAILURES
LOCKOUT = lockout.LOCKOUT
MIN_PASSWORD_LENGTH = 12
MIN_DISTINCT_CHARACTERS = 5
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
    "manage_settings": frozenset({"admin", "analyst"}),
}

# Verified against unknown accounts so that a miss costs as much as a hit. A fixed hash of a
# random password nobody kept, made with argon2-cffi's default parameters (hashing one at
# import cost every process a second of CPU; tests/test_architecture.py checks it matches).
_DEFAULT_DUMMY_HASH = ("$argon2id$v=19$m=65536,t=3,p=4$OW5JXUnuVizr5W1+NL3p3A$"
                       "hgifASQEw3vunXhrvEwOz96R/kjCzHJFyiBlTXopFrw")


@dataclass(frozen=True)
class PasswordHashing:
    """The hasher every password goes through and the dummy hash a miss is checked against
    (made with the same parameters, so that a miss costs what a hit costs)."""

    hasher: PasswordHasher
    dummy_hash: str


_hashing = PasswordHashing(PasswordHasher(), _DEFAULT_DUMMY_HASH)


def password_hashing() -> PasswordHashing:
    return _hashing


def use_password_hasher(hasher: PasswordHasher) -> None:
    """Hash with other argon2 parameters from now on, in this process only.

    For test suites, as Django's ``PASSWORD_HASHERS`` test setting is: hundreds of logins at
    ~60 ms of CPU each. Deliberately no setting or environment variable: a deployment always
    hashes with argon2-cffi's defaults (RFC 9106's low-memory profile), and a hash with other
    parameters is upgraded at its next login."""
    global _hashing  # one hasher per process, like the argon2 module's own defaults
    same = not hasher.check_needs_rehash(_DEFAULT_DUMMY_HASH)
    _hashing = PasswordHashing(hasher, _DEFAULT_DUMMY_HASH if same else hasher.hash(secrets.token_urlsafe(24)))


class StaffError(ValueError):
    """A refusal staff can act on; ``message`` is a msgid of the ``messages`` domain."""

    def __init__(self, message: str, **params: object) -> None:
        self.message, self.params = message, params
        super().__init__(message % params if params else message)


class LoginFailed(StaffError):
    def __init__(self) -> None:
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
    """Long enough, and not one key held down or a short pattern repeated (``aaaaaaaaaaaa``,
    ``abababababab``, ``123123123123``): the first thing an attacker's list tries (NIST SP 800-63B)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(N_("A password needs at least %(n)d characters."), n=MIN_PASSWORD_LENGTH)
    if len(set(password)) < MIN_DISTINCT_CHARACTERS:
        raise StaffError(N_("A password needs at least %(n)d different characters: one key or a short pattern "
                            "repeated is guessed first."), n=MIN_DISTINCT_CHARACTERS)


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
    generated: str | None = None
    if not password:
        password = generated = generate_password()
    check_password_strength(password)
    user = StaffUser(email=email, role=role, password_hash=_hashing.hasher.hash(password), locale=locale or locales.default(), active=True,
                     session_version=0)
    session.add(user)
    session.commit()
    return Created(user, generated)


def set_password(session: Session, user: StaffUser, password: str, actor: str | None = "cli") -> None:
    """New password; ends every session and revokes the API token (a leaked one dies with it)."""
    check_password_strength(password)
    user.password_hash = _hashing.hasher.hash(password)
    user.api_token_hash, user.api_token_expires = None, None
    _bump(user)
    audit.record(session, actor, "staff_password", user.email, {"sessions_revoked": True, "token_revoked": True},
                 commit=False)
    session.commit()


def revoke_sessions(session: Session, user: StaffUser, actor: str | None = "cli", reason: str = "revoke") -> None:
    """Every cookie of this account stops working on its next request (logout does this)."""
    _bump(user)
    audit.record(session, actor, "staff_sessions_revoked", user.email, {"reason": reason}, commit=False)
    session.commit()


def set_active(session: Session, user: StaffUser, active: bool, actor: str | None = "cli") -> None:
    """Disable (ends sessions, revokes the token) or re-enable an account."""
    user.active = active
    if not active:
        user.api_token_hash, user.api_token_expires = None, None
        _bump(user)
    audit.record(session, actor, "staff_enable" if active else "staff_disable", user.email, commit=False)
    session.commit()


def set_role(session: Session, user: StaffUser, role: str, actor: str | None = "cli") -> None:
    """Change the role; open sessions end so that none keeps the old role's rights."""
    if role not in ROLES:
        raise StaffError(N_("Unknown role '%(role)s' (roles: %(roles)s)."), role=role, roles=", ".join(ROLES))
    before, user.role = user.role, role
    _bump(user)
    audit.record(session, actor, "staff_role", user.email, {"from": before, "to": role}, commit=False)
    session.commit()


def _bump(user: StaffUser) -> None:
    user.session_version = (user.session_version or 0) + 1


def unlock(session: Session, secret: str, email: str, actor: str | None = "cli") -> int:
    """Lift every login pause of this e-mail address (all client addresses); how many were lifted."""
    lifted = lockout.clear_subject(session, lockout.subject_key(secret, email))
    audit.record(session, actor, "staff_unlock", email.strip().lower()[:200], {"cleared": lifted}, commit=False)
    session.commit()
    return lifted


def authenticate(session: Session, email: str, password: str, now: datetime | None = None, *,
                 secret: str = "", address: str | None = None) -> StaffUser:
    """The account for these credentials; raises LoginFailed or AccountLocked (and counts the failure).

    ``address`` is the client's address (after the trusted proxies); ``secret`` keys the
    HMACs of the lockout table. A paused e-mail/address pair is refused before any password
    work, whether or not the account exists.
    """
    now = now or utcnow()
    subject = lockout.subject_key(secret, email)
    where = lockout.address_key(secret, address)
    paused = lockout.locked_until(session, subject, where, now)
    if paused is not None:
        raise AccountLocked(paused)
    user = find_user(session, email or "")
    account = user if user is not None and user.active else None
    # a missing or inactive account still costs one hash check, so timing does not tell it apart
    if not _verify(account.password_hash if account else _hashing.dummy_hash, password) or account is None:
        until = lockout.record_failure(session, subject, where, now)
        raise AccountLocked(until) if until is not None else LoginFailed()
    lockout.clear_address(session, subject, where)
    account.last_login_at = now
    if _hashing.hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hashing.hasher.hash(password)
    session.commit()
    return account


def password_matches(user: StaffUser, password: str) -> bool:
    """Whether ``password`` is the account's current one (for changing it; no failure counting)."""
    return _verify(user.password_hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hashing.hasher.verify(password_hash, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


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


def revoke_token(session: Session, user: StaffUser, actor: str | None = "cli") -> None:
    user.api_token_hash, user.api_token_expires = None, None
    audit.record(session, actor, "token_revoke", user.email, commit=False)
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
