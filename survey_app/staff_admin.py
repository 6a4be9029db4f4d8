"""Self-service staff accounts: admins create, disable and re-role accounts and issue one-time passwords;
everyone changes their own password. Passwords are set through ``survey_app.staff.set_password`` (the one
place that hashes them and ends the account's other sessions).

Guards: the last active admin can be neither disabled nor demoted (nobody could manage accounts any
more), and nobody disables their own account. Every change is audited with who did it.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey_app import audit, lockout
from survey_app import staff as staff_core
from survey_app.i18n import N_, locales
from survey_app.models import ROLES, StaffUser, utcnow


def _other_active_admins(session: Session, user: StaffUser) -> int:
    return session.scalar(select(func.count()).select_from(StaffUser).where(
        StaffUser.role == "admin", StaffUser.active.is_(True), StaffUser.id != user.id)) or 0


def get_user(session: Session, user_id: int) -> StaffUser:
    user = session.get(StaffUser, user_id)
    if user is None:
        raise staff_core.StaffError(N_("There is no such staff account."))
    return user


def set_role(session: Session, user: StaffUser, role: str, actor: str) -> bool:
    """Change the role; False when it was already that role."""
    if role not in ROLES:
        raise staff_core.StaffError(N_("Unknown role '%(role)s' (roles: %(roles)s)."), role=role,
                                    roles=", ".join(ROLES))
    if role == user.role:
        return False
    if user.role == "admin" and user.active and not _other_active_admins(session, user):
        raise staff_core.StaffError(N_("%(email)s is the last active administrator; make another account "
                                       "administrator first."), email=user.email)
    staff_core.set_role(session, user, role, actor=actor)  # ends the account's sessions, audited
    return True


def set_active(session: Session, user: StaffUser, active: bool, actor: str) -> bool:
    """Disable (its sessions and API token stop working at once) or enable an account."""
    if bool(user.active) == active:
        return False
    if not active:
        if user.email == actor:
            raise staff_core.StaffError(N_("You cannot disable your own account."))
        if user.role == "admin" and not _other_active_admins(session, user):
            raise staff_core.StaffError(N_("%(email)s is the last active administrator; make another account "
                                           "administrator first."), email=user.email)
    staff_core.set_active(session, user, active, actor=actor)  # disabling ends sessions and the token
    return True


def issue_one_time_password(session: Session, user: StaffUser, actor: str) -> str:
    """A new generated password (shown once to the admin); the account must change it at its next login."""
    password = staff_core.generate_password()
    user.must_change_password = True
    staff_core.set_password(session, user, password, actor=actor)  # audited; every session ends
    return password


def create_with_one_time_password(session: Session, email: str, role: str, actor: str,
                                  locale: str = locales.DEFAULT) -> staff_core.Created:
    created = staff_core.create_user(session, email, role, locale=locale)
    created.user.must_change_password = True
    audit.record(session, actor, "staff_create", created.user.email, {"role": role}, commit=False)
    session.commit()
    return created


def change_own_password(session: Session, user: StaffUser, current: str, new: str, repeated: str, *,
                        secret: str = "", address: str | None = None) -> None:
    """Check the current password, then set the new one (which ends the one-time password).

    A wrong current password counts as a failed login of the account from ``address``
    (:mod:`survey_app.lockout`): a borrowed or stolen session could otherwise try passwords
    without limit and, having found it, keep the account past the session's end."""
    now = utcnow()
    subject, where = lockout.subject_key(secret, user.email), lockout.address_key(secret, address)
    paused = lockout.locked_until(session, subject, where, now)
    if paused is not None:
        raise staff_core.AccountLocked(paused)
    if not staff_core.password_matches(user, current):
        until = lockout.record_failure(session, subject, where, now)
        audit.record(session, user.email, "password_change_failed", detail={})
        if until is not None:
            raise staff_core.AccountLocked(until)
        raise staff_core.StaffError(N_("The current password is not correct."))
    lockout.clear_address(session, subject, where)
    if new != repeated:
        raise staff_core.StaffError(N_("The two new passwords are not the same."))
    if new == current:
        raise staff_core.StaffError(N_("Choose a password different from the current one."))
    user.must_change_password = False
    staff_core.set_password(session, user, new, actor=user.email)  # audited; every other session ends
