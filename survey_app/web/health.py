"""``/healthz``: is this process able to serve? (load balancers and ``machikoe serve`` poll it)."""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .context import db

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    try:
        db().execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        # Anyone can call this: the driver's reason names the database host and port, so it
        # goes to the operator's log only.
        reason = (str(getattr(exc, "orig", exc)).strip().splitlines() or [""])[0][:200]
        log.warning("healthz: database unavailable: %s", reason)
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")
