"""``/healthz``: is this process able to serve? (load balancers and ``machikoe serve`` poll it)."""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .context import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db().execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
        return jsonify(status="error", database="unavailable", detail=reason), 503
    return jsonify(status="ok", database="ok")
