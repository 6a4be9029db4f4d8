"""Numbers, codes, phone numbers and URLs that read left to right inside right-to-left text.

In an Urdu sentence the bidirectional algorithm may reorder a Latin or digit run against
its neighbours (「5151-382-011」 instead of 011-382-5151 once punctuation or a place name
is next to it). Each such run is laid out on its own:

* chat and letters (plain text): wrapped in FIRST STRONG ISOLATE U+2068 … POP DIRECTIONAL
  ISOLATE U+2069 (:func:`isolate_ltr_runs`; U+2066–2069 are the isolates of UAX #9);
* web pages (HTML): :func:`isolated_html` wraps it in ``<bdi dir="ltr" class="ltr">`` (shown
  in a Latin monospace font by the stylesheet), and a short Japanese name such as
  「江別市役所」 in ``<span class="keep" lang="ja">`` so it never breaks inside the word.
"""
from __future__ import annotations

import html
import re

FSI = "\u2068"
PDI = "\u2069"

# A run that starts with a Latin letter, a digit or '/' (commands) and continues through
# letters, digits and the joiners that belong inside codes, numbers and phone numbers.
# Isolates already present are skipped by matching them whole (group 1).
# Latin letters with Vietnamese and other accents (precomposed and combining): 「Tiếng Việt」 was cut
# into six isolates at its accented letters, and words isolated one by one read in reverse order in
# a right-to-left line — so a run spans the spaces between its words.
_LATIN = "A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff\u0300-\u036f"
_WORD = rf"(?:/|[{_LATIN}])[{_LATIN}_./:@+\-–%]*(?<=[{_LATIN}%])"
_RUN = re.compile(
    r"(\u2068[^\u2069]*\u2069)"
    rf"|({_WORD}(?: +{_WORD})*)"
    r"|(/[a-z]+)"
)
# A run that reads left to right on a web page: digits (with the joiners of phone numbers,
# dates and decimals) or a code/URL (Latin letters and digits with - . / : @).
_HTML_RUN = re.compile(r"(?:https?://\S+[A-Za-z0-9/])|(?:[A-Za-z0-9]+(?:[-./:@][A-Za-z0-9]+)+)|(?:\d+)")
_JAPANESE_NAME = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u30a0-\u30ff々]{2,12}")


def isolate(text: str) -> str:
    return f"{FSI}{text}{PDI}"


def isolate_ltr_runs(text: str) -> str:
    """Wrap every Latin/number run of ``text`` in FSI … PDI (idempotent)."""

    def wrap(match: re.Match) -> str:
        if match.group(1):
            return match.group(1)
        return isolate(match.group(0))

    return _RUN.sub(wrap, text)


def isolated_html(text: str, rtl: bool) -> str:
    """Escaped HTML of ``text`` with left-to-right runs isolated (always: a phone number is
    a code in every language) and, on right-to-left pages, Japanese names kept whole."""
    pattern = re.compile(f"({_HTML_RUN.pattern})" + (f"|({_JAPANESE_NAME.pattern})" if rtl else ""))
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(html.escape(text[last:match.start()], quote=False))
        escaped = html.escape(match.group(0), quote=False)
        if match.group(1):
            parts.append(f'<bdi dir="ltr" class="ltr">{escaped}</bdi>')
        else:
            parts.append(f'<span class="keep" lang="ja">{escaped}</span>')
        last = match.end()
    parts.append(html.escape(text[last:], quote=False))
    return "".join(parts)
