"""JSON API ``/api/v1`` for staff scripts: indicators in the issue-6 schema, bearer tokens.

``Authorization: Bearer <token>`` (``machikoe staff token EMAIL``); a missing, wrong,
revoked or expired token gets 401 with a JSON body saying which, never a login page.
Errors are JSON too: ``{"error": {"code": ..., "message": ..., "parameter"?: ...}}``.
The API is read-only (GET), so CSRF does not apply; the OpenAPI document at
``/api/v1/openapi.json`` describes it.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from analysis.report import document
from survey_app import indicator_values
from survey_app import staff as staff_core
from survey_app.i18n import locales
from survey_app.surveys import UnknownSurvey, get_instrument

from ..context import db, requested_locale
from ..extensions import csrf
from ..staff.indicators import IndicatorProblem, OptionError, compute, parse_options
from .openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def error(status: int, code: str, message: str, **extra: object) -> Response:
    body = {"error": {"code": code, "message": message, **extra}}
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = f'Bearer realm="machikoe", error="{_bearer_error(code)}"'
    return response


def _bearer_error(code: str) -> str:
    return "invalid_request" if code == "token_missing" else "invalid_token"


def _token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


@bp.before_request
def authenticate() -> Response | None:
    if request.endpoint == "api.openapi":
        return None
    try:
        user = staff_core.user_for_token(db(), current_app.config["SECRET_KEY"], _token())
    except staff_core.TokenRefused as exc:
        return error(401, f"token_{exc.reason}", str(exc))
    if not staff_core.can(user.role, "use_api"):
        return error(403, "forbidden", "This account may not use the API.")
    return None


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> ResponseReturnValue:
    return error(exc.code or 500, "http_error", exc.description or exc.name)


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(openapi_document())


@bp.get("/surveys/<survey_id>/indicators")
def indicators(survey_id: str) -> ResponseReturnValue:
    try:
        instrument = indicator_values.apply(db(), get_instrument(db(), survey_id))
    except UnknownSurvey:
        return error(404, "unknown_survey", f"There is no survey '{survey_id}'.")
    try:
        options = parse_options(request.args, instrument, multi_by=request.args.getlist("by"))
    except OptionError as exc:
        return error(400, "invalid_parameter", str(exc), parameter=exc.parameter)
    if "lang" in request.args and requested_locale() is None:  # was silently ignored
        return error(400, "invalid_parameter", f"lang must be one of {', '.join(locales.supported())}.",
                     parameter="lang")
    try:
        result = compute(db(), instrument, options)
    except IndicatorProblem as exc:  # errors are English, as every API error; their codes are the contract
        return error(422, "not_computable", str(exc))
    # Titles and labels are Japanese (the source, as ever); notice messages follow ?lang= /
    # Accept-Language so a script can show them, and match on their stable codes.
    return jsonify(document(result, _message_locale()))


def _message_locale() -> str:
    """``?lang=``, else Accept-Language, else Japanese — without the pages' session cookie."""
    try:
        negotiated = locales.negotiate(request.headers.get("Accept-Language", ""))
    except Exception:  # noqa: BLE001 - a garbled header must never break a response
        negotiated = None
    return requested_locale() or negotiated or locales.DEFAULT


@bp.get("/<path:unknown>")
def not_found(unknown: str) -> ResponseReturnValue:
    """Anything else under /api/v1 answers in JSON too (after authentication)."""
    return error(404, "not_found", "There is no such API endpoint; see /api/v1/openapi.json.")


# The API is read-only. Without this rule a POST/PUT/PATCH/DELETE failed in routing, before
# the blueprint was known, and got the HTML 405 page; now it is a JSON 405 like every
# other API error (found by tests/test_fuzz_api.py).
@bp.route("/", methods=["POST", "PUT", "PATCH", "DELETE"], defaults={"anything": ""})
@bp.route("/<path:anything>", methods=["POST", "PUT", "PATCH", "DELETE"])
def read_only(anything: str) -> ResponseReturnValue:
    response = error(405, "method_not_allowed", "The API is read-only: use GET.")
    response.headers["Allow"] = "GET, HEAD, OPTIONS"
    return response
