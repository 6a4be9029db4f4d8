"""Staff login with Flask-Login: sessions, idle timeout, roles, staff language.

- The session id stored in the cookie is ``"<user id>:<fingerprint>"``, the fingerprint a
  hash of the password hash and the account's ``session_version``: logout, a password change,
  disabling and a role change (``survey_app.staff``) bump the version, so every copy of
  every earlier cookie is refused on its next request — checked on every request that
  looks at the staff member, on every blueprint.
- Timeouts, checked in the same place: ``STAFF_IDLE_MINUTES`` without a request, or
  ``STAFF_SESSION_HOURS`` after login whatever the activity, and the cookie no longer logs
  anyone in. Both instants are in the signed cookie; a copy cannot outlive them.
- Login starts a fresh session (``start_session``): nothing of the anonymous session,
  CSRF token included, survives into the logged-in one.
- Staff pages are Japanese or English: ``?lang=ja|en`` switches and is remembered on
  the account; default Japanese.
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeAlias

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, current_user, login_user

from survey_app import staff as staff_core
from survey_app.i18n import N_, locales
from survey_app.models import StaffUser

from ..context import db, gettext

View: TypeAlias = Callable[..., ResponseReturnValue]

STAFF_LOCALES = locales.staff_locales()  # from the language registry
ROLE_LABELS = {"admin": N_("admin"), "analyst": N_("analyst"), "viewer": N_("viewer")}
SEEN_KEY = "staff_seen"
LOGIN_AT_KEY = "staff_login_at"
_LOGIN_KEYS = ("_user_id", "_fresh", "_id", SEEN_KEY, LOGIN_AT_KEY)
login_manager = LoginManager()


class StaffPrincipal:
    """The logged-in staff member as Flask-Login sees it (a snapshot of the database row)."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, user: StaffUser) -> None:
        self.id, self.email, self.role, self.locale = user.id, user.email, user.role, user.locale or locales.default()
        self.is_active = bool(user.active)
        self.must_change_password = bool(user.must_change_password)
        self._fingerprint = fingerprint(user)

    def get_id(self) -> str:
        return f"{self.id}:{self._fingerprint}"

    def can(self, permission: str) -> bool:
        return staff_core.can(self.role, permission)


def fingerprint(user: StaffUser) -> str:
    material = f"{user.password_hash}:{user.session_version or 0}"
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def own_account() -> StaffUser:
    """The logged-in member's database row (``current_user`` is a snapshot); 403 if it was deleted since."""
    user = db().get(StaffUser, current_user.id)
    if user is None:
        abort(403)
    return user


def start_session(user: StaffUser) -> None:
    """Log in with a new session: the anonymous one (and its CSRF token) is dropped first."""
    keep = {key: session[key] for key in ("staff_lang", "lang") if key in session}
    session.clear()
    session.update(keep)
    now = time.time()
    session[LOGIN_AT_KEY] = session[SEEN_KEY] = now
    login_user(StaffPrincipal(user))


def _expired(now: float) -> bool:
    login_at, seen = session.get(LOGIN_AT_KEY), session.get(SEEN_KEY)
    if not isinstance(login_at, (int, float)) or not isinstance(seen, (int, float)):
        return True  # a cookie from before these stamps existed
    idle = 60 * float(current_app.config["STAFF_IDLE_MINUTES"])
    absolute = 3600 * float(current_app.config["STAFF_SESSION_HOURS"])
    return now - seen > idle or now - login_at > absolute


def _forget_login() -> None:
    for key in _LOGIN_KEYS:
        session.pop(key, None)


@login_manager.user_loader
def load_user(session_id: str) -> StaffPrincipal | None:
    """The staff member of this cookie, or None when revoked, disabled or timed out."""
    user_id, _, print_ = (session_id or "").partition(":")
    if not (user_id.isascii() and user_id.isdigit()):
        return None
    now = time.time()
    if _expired(now):
        g.staff_expired = True
        _forget_login()
        return None
    user = db().get(StaffUser, int(user_id))
    if user is None or not user.active or fingerprint(user) != print_:
        _forget_login()
        return None
    session[SEEN_KEY] = now
    return StaffPrincipal(user)


def init_app(app: Flask) -> None:
    """Registered in ``survey_app.web.blueprints.INIT_APP_HOOKS``."""
    login_manager.login_view = "staff.login"
    login_manager.login_message = N_("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = _translate
    login_manager.session_protection = "basic"
    # No app-wide ``current_user`` in templates: it would look up the session's user (and hash
    # the address and browser for session protection) on every resident page too. The staff
    # blueprint gives its own templates ``current_user``.
    login_manager.init_app(app, add_context_processor=False)
    # Runs before the CSRF check reads the body: staff uploads (sampling frames, margins,
    # letters files) may exceed the resident pages' 256 KB limit, for logged-in staff only.
    app.before_request_funcs.setdefault(None, []).insert(0, _staff_upload_limit)


def _staff_upload_limit() -> None:
    if request.method == "POST" and request.path.startswith("/staff/s/") and current_user.is_authenticated:
        limit = int(current_app.config["STAFF_MAX_UPLOAD"])
        request.max_content_length = limit
        request.max_form_memory_size = limit


def _translate(message: str) -> str:
    return gettext(message)


def staff_locale() -> str:
    """?lang= (ja|en, remembered on the account), else the account's language, else Japanese."""
    chosen = request.args.get("lang")
    if chosen in locales.staff_locales():
        # Shown in that language always; remembered only when the member asked for it here: an
        # image on another site (Sec-Fetch-Site: cross-site) must not switch their console.
        if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            return chosen
        session["staff_lang"] = chosen
        if current_user.is_authenticated and current_user.locale != chosen:
            own_account().locale = chosen
            db().commit()
        return chosen
    if current_user.is_authenticated and current_user.locale in locales.staff_locales():
        return current_user.locale
    remembered = session.get("staff_lang")
    return remembered if remembered in locales.staff_locales() else locales.default()


def before_staff_request() -> ResponseReturnValue | None:
    """Language first (every page, the login page too), then tell a timed-out member why."""
    g.locale = staff_locale()
    if not current_user.is_authenticated and g.get("staff_expired"):
        flash(gettext("You were logged out after a period of inactivity. Please log in again."), "info")
        return redirect(url_for("staff.login", next=request.full_path if request.method == "GET" else None))
    return None


def require(permission: str) -> Callable[[View], View]:
    """Logged in (else to the login page) and allowed (else 403)."""
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            if not current_user.is_authenticated:
                if request.method == "GET":
                    return login_manager.unauthorized()  # back to this page after logging in
                return redirect(url_for("staff.login"))  # a POST cannot be repeated by a redirect
            if current_user.must_change_password:  # a one-time password opens only the password page
                flash(gettext("Please choose your own password first."), "info")
                return redirect(url_for("staff.own_password"))
            if not current_user.can(permission):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator
