"""httpx for the suite's own HTTP calls, with one TLS context per process (not named ``http``: a
script run from this folder, tests/support/importkit.py, would import it instead of the standard library).

httpx builds a TLS context for every client it is not given one — reading and parsing the whole CA
bundle, 20-50 ms of CPU — and ``httpx.get``/``httpx.post`` build a client per call. The servers
under test speak plain HTTP on loopback, but the load tests open a client per resident and the
start-up waits poll ten times a second: that CPU was taken from the server being measured.
"""
from __future__ import annotations

import httpx

TLS = httpx.create_ssl_context()


def client(**kwargs) -> httpx.Client:
    """``httpx.Client(**kwargs)`` sharing this process's TLS context."""
    return httpx.Client(verify=TLS, **kwargs)


def get(url: str, **kwargs) -> httpx.Response:
    with client() as c:
        return c.get(url, **kwargs)


def post(url: str, **kwargs) -> httpx.Response:
    with client() as c:
        return c.post(url, **kwargs)
