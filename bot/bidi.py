"""Right-to-left text that reads correctly in chat clients.

Telegram lays a message out with the Unicode bidirectional algorithm and no markup, so in
Urdu a Latin fragment or a number next to punctuation can jump to the wrong side ("1."
before a choice, "/start", "K7QF-3MZD-8WXP-R2TA", "011-382-5151"). Each such run is wrapped
in FIRST STRONG ISOLATE (U+2068) … POP DIRECTIONAL ISOLATE (U+2069), which lays it out
on its own and keeps it in place. Left-to-right locales are returned unchanged.
"""
from __future__ import annotations

import re

from survey_app.i18n.locales import direction

FSI = "\u2068"
PDI = "\u2069"

# A run that starts with a Latin letter, a digit or '/' (commands) and continues through
# letters, digits and the joiners that belong inside codes, numbers and phone numbers.
# Isolates already present are skipped by matching them whole (group 1).
_RUN = re.compile(
    r"(\u2068[^\u2069]*\u2069)"
    r"|((?:/|[A-Za-z0-9])[A-Za-z0-9_./:@+\-–%]*(?<=[A-Za-z0-9%]))"
    r"|(/[a-z]+)"
)


def isolate(text: str) -> str:
    return f"{FSI}{text}{PDI}"


def isolate_ltr_runs(text: str) -> str:
    """Wrap every Latin/number run of ``text`` in FSI … PDI (idempotent)."""

    def wrap(match: re.Match) -> str:
        if match.group(1):
            return match.group(1)
        return isolate(match.group(0))

    return _RUN.sub(wrap, text)


def for_locale(locale: str, text: str) -> str:
    """``text`` ready to send in ``locale``: isolated runs for right-to-left, unchanged otherwise."""
    return isolate_ltr_runs(text) if direction(locale) == "rtl" else text
