"""API authentication and errors: JSON 401 for every token problem, never a login page."""
from __future__ import annotations

from datetime import timedelta

import pytest

from analysis import CI_METHODS, WEIGHTING_METHODS
from survey_app import staff as staff_core
from survey_app.models import utcnow
from tests.support.survey import SURVEY

URL = f"/api/v1/surveys/{SURVEY}/indicators"


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(("headers", "code"), [
    ({}, "token_missing"),
    ({"Authorization": "Basic YWRtaW46YWRtaW4="}, "token_missing"),
    (_bearer("mk_not-a-real-token"), "token_invalid"),
])
def test_missing_or_wrong_token_is_401_json(client, staff_users, headers, code):
    response = client.get(URL, headers=headers)
    assert response.status_code == 401 and response.is_json
    assert response.get_json()["error"]["code"] == code
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_and_revoked_tokens(client, session, staff_users, secret):
    user = staff_users["viewer"]
    token = staff_core.issue_token(session, secret, user, days=1, now=utcnow() - timedelta(days=2))
    expired = client.get(URL, headers=_bearer(token))
    assert expired.status_code == 401 and expired.get_json()["error"]["code"] == "token_expired"
    assert "machikoe staff token" in expired.get_json()["error"]["message"]
    fresh = staff_core.issue_token(session, secret, user)
    staff_core.revoke_token(session, user)
    assert client.get(URL, headers=_bearer(fresh)).get_json()["error"]["code"] == "token_invalid"


def test_bad_parameters_and_unknown_survey(client, session, staff_users, secret):
    token = staff_core.issue_token(session, secret, staff_users["analyst"])
    for query, parameter in [("weighting=magic", "weighting"), ("ci=bootstrap", "ci"), ("level=2", "level"),
                             ("level=abc", "level"), ("by=comment", "by"), ("lang=xx", "lang"), ("lang=", "lang")]:
        response = client.get(f"{URL}?{query}", headers=_bearer(token))
        assert response.status_code == 400, query
        assert response.get_json()["error"]["parameter"] == parameter
    # "%00…": PostgreSQL refuses a NUL in a text parameter — an id no survey can have is unknown
    # without asking the database (a 500 on PostgreSQL before; found by tests/test_fuzz_api.py)
    for survey_id in ("nope", "%00%01x", "Ebetsu 2025", "x" * 200):
        missing = client.get(f"/api/v1/surveys/{survey_id}/indicators", headers=_bearer(token))
        assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "unknown_survey", survey_id
    assert client.get("/api/v1/nothing-here", headers=_bearer(token)).is_json


def test_openapi_document_is_public_and_describes_the_endpoint(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    operation = document["paths"]["/surveys/{survey_id}/indicators"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"survey_id", "weighting", "sample", "by", "ci", "level",
                                                           "lang"}
    enums = {p["name"]: p["schema"].get("enum") for p in operation["parameters"]}
    assert enums["weighting"] == list(WEIGHTING_METHODS) and enums["ci"] == list(CI_METHODS)  # the one list
    assert set(operation["responses"]) >= {"200", "400", "401", "404"}
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    required = set(document["components"]["schemas"]["Indicator"]["required"])
    assert {"estimate", "ci_low", "ci_high", "n", "n_eff", "deff", "change_vs_baseline", "groups"} <= required
