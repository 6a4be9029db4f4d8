"""The bot's HTTP clients share one TLS context per process (``bot/transport.py``).

Building a TLS context reads and parses the whole CA bundle (20-50 ms of CPU); httpx builds one per
client unless it is given one (measured: 20 requests with their own contexts 0.41 s of CPU, with the
shared one 0.018 s), and a PTB application has two clients. Reaching the context needs
private attributes of PTB (``Bot._request``), httpx and httpcore: a version that moves them fails
here, which is the moment to look again.
"""
from __future__ import annotations

import ssl

from bot.telegram import build_application
from bot.transport import bot_request, tls_context
from bot.updates import TolerantUpdatesRequest
from tests.support.bot_harness import settings_for


def context_of(request) -> ssl.SSLContext:
    return request._client._transport._pool._ssl_context


def test_both_clients_of_every_application_share_the_process_context(telegram_api, sqlite_with_survey):
    applications = [build_application(settings_for(telegram_api, sqlite_with_survey)) for _ in range(2)]
    contexts = {id(context_of(request)) for app in applications for request in app.bot._request}
    assert contexts == {id(tls_context())}
    assert tls_context().verify_mode == ssl.CERT_REQUIRED and tls_context().check_hostname  # still verifying


def test_every_request_built_later_reuses_it():
    requests = [bot_request() if i % 2 else TolerantUpdatesRequest() for i in range(6)]
    assert {id(context_of(r)) for r in requests} == {id(tls_context())}
