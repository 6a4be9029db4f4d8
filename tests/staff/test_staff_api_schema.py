"""The API checked against its own OpenAPI document with schemathesis (bounded examples),
plus the exact issue-6 document for a known request."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from survey_app import staff as staff_core
from tests.support.survey import SURVEY

ISSUE6_KEYS = {"survey", "sample", "weighting", "weighting_applied", "ci_method", "level", "n_respondents",
               "indicators", "open", "notices", "warnings"}
INDICATOR_KEYS = {"id", "title", "base", "estimate", "se", "ci_low", "ci_high", "n", "n_positive", "n_eff",
                  "n_eff_basis", "kish_n_eff", "on_baseline_base",
                  "deff", "baseline", "target", "change_vs_baseline", "groups"}


@pytest.fixture
def api_token(session, instrument, secret, staff_users, load_demo):
    load_demo(instrument, 300, seed=3)
    return staff_core.issue_token(session, secret, staff_users["analyst"])


def test_api_conforms_to_its_openapi_document(app, api_token):
    """Generated requests (bounded) must get responses the document allows: status, content type, body."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema["/surveys/{survey_id}/indicators"]["GET"]
    headers = {"Authorization": f"Bearer {api_token}"}
    seen = set()

    @given(case=operation.as_strategy())
    @settings(max_examples=30, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def check(case):
        response = case.call_and_validate(headers=headers)
        seen.add(response.status_code)

    check()
    assert 200 in seen or 404 in seen  # real requests were answered, not only refused

    known = schema["/surveys/{survey_id}/indicators"]["GET"]
    for weighting in ("none", "rake", "poststratify"):
        case = known.Case(path_parameters={"survey_id": SURVEY}, query={"weighting": weighting, "by": ["sex"]})
        assert case.call_and_validate(headers=headers).status_code in (200, 422)


def test_indicator_document_is_issue6_schema(client, api_token):
    response = client.get(f"/api/v1/surveys/{SURVEY}/indicators?weighting=rake&by=age_band&ci=beta&level=0.9",
                          headers={"Authorization": f"Bearer {api_token}"})
    document = response.get_json()
    assert response.status_code == 200 and set(document) == ISSUE6_KEYS
    assert (document["weighting"], document["ci_method"], document["level"]) == ("rake", "beta", 0.9)
    assert document["n_respondents"] == 300 and len(document["indicators"]) == 5
    first = document["indicators"][0]
    assert set(first) == INDICATOR_KEYS
    assert 0 <= first["ci_low"] < first["estimate"] < first["ci_high"] <= 100
    assert {g["by"] for g in first["groups"]} == {"age_band"} and len(first["groups"]) == 6
    assert first["change_vs_baseline"]["verdict"] == "indicative"  # the strategy publishes no baseline SE
    assert "baseline_without_se" in {n["code"] for n in document["notices"]}
    assert document["warnings"] == [n["message"] for n in document["notices"]]
    english = client.get(f"/api/v1/surveys/{SURVEY}/indicators?weighting=rake&lang=en",
                         headers={"Authorization": f"Bearer {api_token}"}).get_json()
    japanese = client.get(f"/api/v1/surveys/{SURVEY}/indicators?weighting=rake",
                          headers={"Authorization": f"Bearer {api_token}", "Accept-Language": "ja"}).get_json()
    assert [n["code"] for n in english["notices"]] == [n["code"] for n in japanese["notices"]]
    assert all(e["message"] != j["message"] for e, j in zip(english["notices"], japanese["notices"], strict=True))
