"""Staff login with Flask-Login: sessions, idle timeout, roles, staff language.

- The session id stored in the cookie is ``"<user id>:<hash fingerprint>"``: changing a
  password (``machikoe staff password``) ends every other session of that account.
- Idle timeout: each staff request stamps the session; a request after
  ``STAFF_IDLE_MINUTES`` without activity is logged out and sent to the login page.
- Staff pages are Japanese or English: ``?lang=ja|en`` switches and is remembered on
  the account; default Japanese.
"""
from __future__ import annotations

import hashlib
import time
from functools import wraps

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for
from flask_login import LoginManager, current_user, logout_user

from survey_app import staff as staff_core
from survey_app.i18n import N_, locales
from survey_app.models import StaffUser

from ..context import db, gettext

ROLE_LABELS = {"admin": N_("admin"), "analyst": N_("analyst"), "viewer": N_("viewer")}
SEEN_KEY = "staff_seen"
login_manager = LoginManager()


class StaffPrincipal:
    """The logged-in staff member as Flask-Login sees it (a snapshot of the database row)."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, user: StaffUser):
        self.id, self.email, self.role, self.locale = user.id, user.email, user.role, user.locale or locales.default()
        self.is_active = bool(user.active)
        self._fingerprint = fingerprint(user)

    def get_id(self) -> str:
        return f"{self.id}:{self._fingerprint}"

    def can(self, permission: str) -> bool:
        return staff_core.can(self.role, permission)


def fingerprint(user: StaffUser) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


@login_manager.user_loader
def load_user(session_id: str) -> StaffPrincipal | None:
    user_id, _, print_ = (session_id or "").partition(":")
    if not (user_id.isascii() and user_id.isdigit()):
        return None
    user = db().get(StaffUser, int(user_id))
    if user is None or not user.active or fingerprint(user) != print_:
        return None
    return StaffPrincipal(user)


def init_app(app: Flask) -> None:
    """Registered in ``survey_app.web.blueprints.INIT_APP_HOOKS``."""
    app.config.setdefault("STAFF_IDLE_MINUTES", 30)
    app.config.setdefault("STAFF_LOGIN_RATE_LIMIT", "10 per minute;60 per hour")
    login_manager.login_view = "staff.login"
    login_manager.login_message = N_("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = _translate
    login_manager.session_protection = "basic"
    # No app-wide ``current_user`` in templates: it would look up the session's user (and hash
    # the address and browser for session protection) on every resident page too. The staff
    # blueprint gives its own templates ``current_user``.
    login_manager.init_app(app, add_context_processor=False)
    app.config.setdefault("STAFF_MAX_UPLOAD", 20 * 1024 * 1024)
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
        session["staff_lang"] = chosen
        if current_user.is_authenticated and current_user.locale != chosen:
            user = db().get(StaffUser, current_user.id)
            user.locale = chosen
            db().commit()
        return chosen
    if current_user.is_authenticated and current_user.locale in locales.staff_locales():
        return current_user.locale
    remembered = session.get("staff_lang")
    return remembered if remembered in locales.staff_locales() else locales.default()


def before_staff_request():
    """Language first (every page, the login page too), then the idle timeout."""
    g.locale = staff_locale()
    if not current_user.is_authenticated:
        return None
    now = time.time()
    seen = session.get(SEEN_KEY)
    idle_limit = 60 * float(current_app.config["STAFF_IDLE_MINUTES"])
    if seen is not None and now - float(seen) > idle_limit:
        logout_user()
        session.pop(SEEN_KEY, None)
        flash(gettext("You were logged out after a period of inactivity. Please log in again."), "info")
        return redirect(url_for("staff.login", next=request.full_path if request.method == "GET" else None))
    session[SEEN_KEY] = now
    return None


def require(permission: str):
    """Logged in (else to the login page) and allowed (else 403)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                if request.method == "GET":
                    return login_manager.unauthorized()  # back to this page after logging in
                return redirect(url_for("staff.login"))  # a POST cannot be repeated by a redirect
            if not current_user.can(permission):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator
