"""Shared pieces of the hypothesis fuzzers: hostile strings, a fuzzing app, the fuzzing app."""
from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from survey_app.web import create_app
from tests.support.web import web_config

# What an attacker (or an unlucky paste) puts into a field.
HOSTILE = [
    "'; DROP TABLE answers; --", "1 OR 1=1", "Robert'); DELETE FROM responses;--", "\" onmouseover=\"alert(1)",
    "<script>alert('x')</script>", "<img src=x onerror=alert(1)>", "</textarea><svg onload=alert(1)>",
    "=HYPERLINK(\"http://evil.example\",\"x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
    "\u202eevil\u202c", "\x00\x01\x1b[31m", "{{ 7*7 }}", "%(x)s %s %d", "../../etc/passwd", "𠮷野家🍜",
    "ｋｏｄｅ１２３", "٣", "9" * 400, "a" * 5000,
]
hostile_text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=60))
form_value = st.one_of(hostile_text, st.lists(hostile_text, max_size=3))

# Function-scoped fixtures (client, database) are shared by a test's examples on purpose:
# the state an attacker builds up over many requests is part of what is being tested.
FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])


def fuzz_app(db_url: str, **overrides):
    """The real app (CSRF on, errors propagate in TESTING so a 500 fails the test loudly),
    with the code-entry rate limits lifted so fuzzing is not cut short by 429s."""
    return create_app(web_config(db_url, RATE_LIMIT_CODE_PER_IP="100000 per minute",
                                 RATE_LIMIT_PER_CODE="100000 per minute", **overrides))


