"""The audit log, newest first, for admins."""
from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from survey_app import audit as audit_core

from ..context import db
from . import bp
from .auth import require

PAGE_SIZE = 100


@bp.get("/audit")
@require("view_audit")
def audit_log() -> ResponseReturnValue:
    action = request.args.get("action") or None
    if action not in audit_core.ACTIONS:
        action = None
    # An id is ASCII digits only (a link this page made); anything else shows the first page.
    before = request.args.get("before", "")
    before_id = int(before) if before.isascii() and before.isdigit() and len(before) <= 18 else None
    page = audit_core.query(db(), action=action, before_id=before_id,
                            limit=PAGE_SIZE)
    return render_template("staff/audit.html", page=page, actions=audit_core.ACTIONS, action=action)
