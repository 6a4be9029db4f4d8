"""Staff accounts without a shell: admins create, disable, re-role accounts and issue one-time passwords
(shown once); everyone changes their own password (``survey_app.staff_admin``)."""
from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from survey_app import staff as staff_core
from survey_app import staff_admin
from survey_app.i18n import locales
from survey_app.models import ROLES

from ..context import db, gettext
from . import bp
from .auth import STAFF_LOCALES, own_account, require, start_session


def _page(status: int = 200, **context: object) -> tuple[str, int]:
    return render_template("staff/accounts.html", users=staff_core.list_users(db()), roles=ROLES,
                           locales=STAFF_LOCALES, **context), status


def _refused(exc: staff_core.StaffError, **context: object) -> tuple[str, int]:
    db().rollback()
    return _page(400, error=gettext(exc.message, **exc.params), **context)


@bp.get("/accounts")
@require("manage_staff")
def accounts() -> ResponseReturnValue:
    return _page()


@bp.post("/accounts")
@require("manage_staff")
def account_create() -> ResponseReturnValue:
    email = request.form.get("email", "").replace("\x00", "").strip()
    role, locale = request.form.get("role", ""), request.form.get("locale", locales.default())
    try:
        created = staff_admin.create_with_one_time_password(
            db(), email, role, current_user.email, locale=locale if locale in STAFF_LOCALES else locales.default())
    except staff_core.StaffError as exc:
        # everything typed comes back: a reset role would quietly make an analyst of a viewer
        return _refused(exc, typed_email=email, typed_role=role, typed_locale=locale)
    return _page(one_time=(created.user.email, created.password))


@bp.post("/accounts/<int:user_id>")
@require("manage_staff")
def account_update(user_id: int) -> ResponseReturnValue:
    action = request.form.get("action", "")
    try:
        user = staff_admin.get_user(db(), user_id)
        if action == "role":
            staff_admin.set_role(db(), user, request.form.get("role", ""), current_user.email)
        elif action in ("disable", "enable"):
            staff_admin.set_active(db(), user, action == "enable", current_user.email)
        elif action == "password":
            password = staff_admin.issue_one_time_password(db(), user, current_user.email)
            return _page(one_time=(user.email, password))
        else:
            return _page(400, error=gettext("Unknown action."))
    except staff_core.StaffError as exc:
        return _refused(exc)
    return _page(saved=gettext("Saved: %(email)s.", email=user.email))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def own_password() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("staff/password.html", min_length=staff_core.MIN_PASSWORD_LENGTH)
    user = own_account()
    try:
        staff_admin.change_own_password(db(), user, request.form.get("current", ""), request.form.get("new", ""),
                                        request.form.get("repeat", ""), secret=current_app.config["SECRET_KEY"],
                                        address=request.remote_addr)
    except staff_core.StaffError as exc:
        db().rollback()
        return render_template("staff/password.html", min_length=staff_core.MIN_PASSWORD_LENGTH,
                               error=gettext(exc.message, **exc.params)), 400
    start_session(user)  # the new password ended every session; this one continues with a fresh cookie
    return redirect(url_for("staff.index"))
