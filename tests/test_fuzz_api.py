"""Hypothesis fuzzing of every JSON API endpoint listed in the OpenAPI document (both
databases): any path value, any query (valid and invalid values of the documented
parameters, unknown ones), any Authorization header. Never a 500, always a JSON body with
the documented error shape, 401 without a valid token, every non-GET method refused."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey_app import responses, staff
from survey_app.web.api.openapi import openapi_document
from tests.support.db import TEST_SECRET
from tests.support.fuzzkit import FUZZ, fuzz_app, hostile_text
from tests.support.staff import make_staff
from tests.support.survey import SURVEY

DOCUMENT = openapi_document()
OPERATIONS = [(path, method, op) for path, item in DOCUMENT["paths"].items() for method, op in item.items()]
PREFIX = "/api/v1"


def _values_for(parameter: dict):
    schema = parameter.get("schema", {})
    documented = st.sampled_from(schema["enum"]) if "enum" in schema else st.nothing()
    numbers = st.floats(allow_nan=True, allow_infinity=True).map(str) if schema.get("type") == "number" else st.nothing()
    return st.one_of(documented, numbers, hostile_text, st.sampled_from(["age_band", "district", "sex", ""]))


@st.composite
def requests_for(draw, path: str, operation: dict):
    url = PREFIX + path
    query = []
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            value = draw(st.one_of(st.just(SURVEY), hostile_text.filter(lambda v: v and "/" not in v and "?" not in v)))
            url = url.replace("{" + parameter["name"] + "}", value)
        elif draw(st.booleans()):
            query += [(parameter["name"], draw(_values_for(parameter)))
                      for _ in range(draw(st.integers(1, 2 if parameter.get("schema", {}).get("type") == "array" else 1)))]
    query += draw(st.lists(st.tuples(hostile_text, hostile_text), max_size=2))
    return url, query


@pytest.fixture
def api(db_url, session, instrument):
    responses.bulk_complete(session, instrument, [
        {"kurashiyasui": 1 + i % 4, "age_band": 1 + i % 6, "sex": 1 + i % 2, "district": 1 + i % 3}
        for i in range(60)], channel="web")
    user = make_staff(session, "analyst")
    token = staff.issue_token(session, TEST_SECRET, user)
    return fuzz_app(db_url).test_client(), token


@pytest.mark.parametrize(("path", "method", "operation"), OPERATIONS, ids=[f"{m} {p}" for p, m, _ in OPERATIONS])
@FUZZ
@given(data=st.data())
def test_every_api_operation_takes_any_request(api, path, method, operation, data):
    client, token = api
    url, query = data.draw(requests_for(path, operation))
    header = data.draw(st.sampled_from([f"Bearer {token}", f"Bearer {token}x", "Bearer", "", "Basic eDp5"]))
    response = client.open(url, method=method.upper(), query_string=query,
                           headers={"Authorization": header} if header else {})
    assert response.status_code in (200, 400, 401, 403, 404, 422), (url, query, response.status_code)
    body = response.get_json()
    assert body is not None
    if response.status_code != 200:
        assert set(body["error"]) >= {"code", "message"}
    if header != f"Bearer {token}":
        assert response.status_code in (401, 404)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_the_api_is_read_only(api, method):
    client, token = api
    for path, _, _ in OPERATIONS:
        response = client.open(PREFIX + path.replace("{survey_id}", SURVEY), method=method,
                               headers={"Authorization": f"Bearer {token}"}, data=b"{}")
        assert response.status_code == 405 and response.get_json()["error"]["code"]
