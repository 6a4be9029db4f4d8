"""Code-entry rate limits shared through the real Redis on 127.0.0.1:6379.

Each gunicorn worker is a separate process with its own memory: only a shared store makes
"30 attempts per minute" mean 30 for the whole site rather than 30 per worker. Two app
instances stand in for two workers. Redis missing is a skip locally and a failure under
``CI=true`` (the machine and CI both run it). Each test counts for an address and a code
of its own (the Redis may be shared, and test runs follow each other within the minute).
"""
from __future__ import annotations

import os
import random

import pytest

from survey_app import codes
from survey_app.web import create_app
from tests.support.survey import SURVEY_URL
from tests.support.web import web_config

REDIS_URL = os.environ.get("MACHIKOE_TEST_REDIS", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required under CI=true: {exc}", pytrace=False)
        pytest.skip(f"Redis not available: {exc}")
    yield client
    client.close()


@pytest.fixture
def visitor(redis_client):
    """(address, code) of this test's own; their counters are removed afterwards."""
    address = "10." + ".".join(str(random.randrange(1, 255)) for _ in range(3))
    code = codes.generate()
    yield address, code
    for pattern in (f"*{address}*", f"*{codes.normalise(code)}*"):
        for key in redis_client.scan_iter(pattern):
            redis_client.delete(key)


def worker(db_url: str, address: str, **limits):
    """One web worker's app (its own process in production), seen from ``address``."""
    app = create_app(web_config(db_url, REDIS_URL=REDIS_URL, **limits))
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_two_workers_share_one_count_per_address(db_url, instrument, redis_client, visitor):
    address, _ = visitor
    # Both apps exist before the first request, as forked workers do.
    first, second = (worker(db_url, address, RATE_LIMIT_CODE_PER_IP="4 per minute") for _ in range(2))
    guesses = [codes.generate() for _ in range(6)]
    statuses = [client.get(f"{SURVEY_URL}/?code={code}").status_code
                for client, code in zip((first, second, first, second), guesses[:4], strict=True)]
    assert statuses == [200] * 4
    refused = first.get(f"{SURVEY_URL}/?code={guesses[4]}&lang=en")
    assert refused.status_code == 429 and "Too many attempts" in refused.get_data(as_text=True)
    assert second.get(f"{SURVEY_URL}/?code={guesses[5]}").status_code == 429
    assert any(redis_client.scan_iter(f"*{address}*")), "the count was not kept in Redis"


def test_two_workers_share_one_count_per_code(db_url, instrument, redis_client, visitor):
    address, code = visitor
    first, second = (worker(db_url, address, RATE_LIMIT_PER_CODE="3 per minute") for _ in range(2))
    for client in (first, second, first):
        assert client.get(f"{SURVEY_URL}/?code={code}").status_code == 200
    typed_otherwise = codes.normalise(code).lower()
    assert second.get(f"{SURVEY_URL}/?code={typed_otherwise}").status_code == 429  # the same code
    other = codes.generate()
    assert second.get(f"{SURVEY_URL}/?code={other}").status_code == 200  # another code counts apart
    for key in redis_client.scan_iter(f"*{codes.normalise(other)}*"):
        redis_client.delete(key)


def test_pages_without_a_code_are_not_counted(db_url, instrument, redis_client, visitor):
    address, _ = visitor
    client = worker(db_url, address, RATE_LIMIT_CODE_PER_IP="2 per minute")
    assert [client.get(f"{SURVEY_URL}/").status_code for _ in range(5)] == [200] * 5
    assert not any(redis_client.scan_iter(f"*{address}*"))
