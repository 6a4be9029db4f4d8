"""The bot's HTTP clients for the Telegram Bot API: python-telegram-bot's ``HTTPXRequest`` with one
TLS context per process.

httpx builds a TLS context for every client it is not given one: it reads and parses the whole CA
bundle, 20-50 ms of CPU each time. A PTB application has two clients (one for ``getUpdates``, one
for everything else) and a process may build several applications (each ``machikoe bot`` restart
in a test, every bot of the suite's harness): 20 requests took 0.41 s of CPU with contexts of
their own, 0.018 s sharing one. A
context holds only settings and the trusted certificates, so one can serve every client; it is
built as httpx builds its own (certifi's bundle, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``).
"""
from __future__ import annotations

import functools
import ssl

import httpx
from telegram.request import HTTPXRequest

# What PTB's ApplicationBuilder gives the bot's own request (not getUpdates') when it builds it.
DEFAULT_POOL_SIZE = 256


@functools.cache
def tls_context() -> ssl.SSLContext:
    """This process's TLS context for the Bot API (built on first use, then shared)."""
    return httpx.create_ssl_context()


def shared_tls_kwargs() -> dict[str, ssl.SSLContext]:
    """``httpx_kwargs`` for an ``HTTPXRequest`` (or a subclass) that reuses :func:`tls_context`."""
    return {"verify": tls_context()}


def bot_request() -> HTTPXRequest:
    """The request for every Bot API call but ``getUpdates``: PTB's default, with the shared context."""
    return HTTPXRequest(connection_pool_size=DEFAULT_POOL_SIZE, httpx_kwargs=shared_tls_kwargs())
