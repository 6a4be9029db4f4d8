"""The staff console at ``/staff``: login, dashboard, monitor, invitations, paper entry,
margins, exports, audit log. Every page needs a logged-in staff member with the right role
(``survey_app.staff.PERMISSIONS``); every POST carries a CSRF token (Flask-WTF CSRFProtect).
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, logout_user

from survey_app import audit
from survey_app import staff as staff_core
from survey_app.i18n import locales
from survey_app.surveys import list_surveys

from ..context import db, gettext
from ..extensions import limiter
from .auth import before_staff_request, login_manager, own_account, require, start_session

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.before_request(before_staff_request)

NAV = (  # endpoint, label msgid, permission
    ("staff.index", "Surveys", "view_dashboard"),
    ("staff.audit_log", "Audit log", "view_audit"),
    ("staff.accounts", "Staff accounts", "manage_staff"),
    ("staff.own_password", "Change password", "view_dashboard"),
)


@bp.app_context_processor
def staff_globals() -> dict[str, object]:
    return {"staff_locales": locales.staff_locales(), "staff_nav": NAV}


@bp.context_processor
def staff_user() -> dict[str, object]:
    return {"current_user": current_user}


def safe_next(target: str | None) -> str:
    """Only a path inside the staff console (no other host: an open redirect helps phishing).

    Printable ASCII only, no spaces or backslashes: a CR/LF cannot go into a ``Location``
    header (Werkzeug raised: a 500), browsers read a backslash as a slash, and a header is
    not the place for other scripts. Console paths are ASCII and the query a browser sends
    is percent-encoded, so every link ``require`` puts here passes.
    """
    target = target or ""
    printable = target.isascii() and target.isprintable() and "\\" not in target and " " not in target
    parts = urlsplit(target) if printable else None
    if parts is None or parts.scheme or parts.netloc or not parts.path.startswith("/staff") \
            or target.startswith("//"):
        return url_for("staff.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: _login_limit(), methods=["POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("staff.index"))
    error = None
    # NUL characters are dropped: no e-mail address has one, and PostgreSQL refuses them in
    # text parameters (a typed NUL was a 500 on PostgreSQL; found by tests/test_fuzz_staff.py).
    email = request.form.get("email", "").replace("\x00", "").strip()
    if request.method == "POST":
        try:
            user = staff_core.authenticate(db(), email, request.form.get("password", ""),
                                           secret=current_app.config["SECRET_KEY"], address=request.remote_addr)
        except staff_core.StaffError as exc:
            db().rollback()
            # The account's address only: what was typed for an unknown one may be anything — a
            # password typed into the wrong field was kept in clear for every admin to read.
            known = staff_core.find_user(db(), email) if email else None
            audit.record(db(), known.email if known else None, "login_failed",
                         detail={"reason": type(exc).__name__, **({} if known else {"account": "unknown"})})
            error = gettext(exc.message, **exc.params)
        else:
            start_session(user)
            audit.record(db(), user.email, "login")
            if user.must_change_password:
                return redirect(url_for("staff.own_password"))
            return redirect(safe_next(request.args.get("next")))
    status = 200 if error is None else 401
    return render_template("staff/login.html", error=error, email=email), status


def _login_limit() -> str:
    return current_app.config["STAFF_LOGIN_RATE_LIMIT"]


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    """Ends every session of the account: a copy of this cookie made earlier dies too."""
    user = own_account()
    audit.record(db(), current_user.email, "logout", commit=False)
    staff_core.revoke_sessions(db(), user, actor=user.email, reason="logout")
    logout_user()
    flash(gettext("You are logged out."), "info")
    return redirect(url_for("staff.login"))


@bp.get("/")
@require("view_dashboard")
def index() -> ResponseReturnValue:
    return render_template("staff/index.html", surveys=list_surveys(db()))


# Views register themselves on ``bp`` when imported.
from . import (  # noqa: E402,F401
    accounts_views,
    audit_views,
    dashboard,
    exports_views,
    invitations_views,
    monitor_views,
    paper,
    population_views,
    report_views,
    settings_views,
    targets_views,
)

__all__ = ["bp", "login_manager"]
