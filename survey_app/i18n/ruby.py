"""Ruby (furigana) markup in catalogs: ``{漢字|かんじ}`` — the base text and its reading.

やさしい日本語 (``ja-x-easy``) writes a reading for every kanji. The markup renders as
``<ruby>漢字<rp>（</rp><rt>かんじ</rt><rp>）</rp></ruby>`` on the web (the ``rp`` parentheses
show only where ruby is not supported) and as ``漢字（かんじ）`` in chat, where there is no
ruby. :func:`plain` drops the readings (for glossaries, searches and lengths).

Checks (``translations check``): :func:`unread_kanji` (a kanji outside any group),
:func:`bad_groups` (a group whose base has no kanji or whose reading is not kana),
:func:`kana_in_groups` (okurigana inside a group: {思う|おもう} for {思|おも}う) and
:func:`long_sentences` (a sentence longer than :data:`MAX_SENTENCE` characters, readings not
counted; the 2020 guideline asks for short sentences with one idea each).
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable

RUBY_RE = re.compile(r"\{([^{}|]+)\|([^{}|]+)\}")
KANJI_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆]")
_KANA_RE = re.compile(r"^[\u3041-\u309f\u30a0-\u30ffー・ ]+$")
_SENTENCE_END_RE = re.compile(r"(?<=[。！？!?])|\n")
MAX_SENTENCE = 50  # characters of one sentence, readings not counted


def plain(text: str) -> str:
    """The text without readings: '{漢字|かんじ}を' → '漢字を'."""
    return RUBY_RE.sub(lambda m: m.group(1), text)


def to_chat(text: str) -> str:
    """Readings in full-width parentheses, for chat: '{漢字|かんじ}を' → '漢字（かんじ）を'."""
    return RUBY_RE.sub(lambda m: f"{m.group(1)}（{m.group(2)}）", text)


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def to_html(text: str, between: Callable[[str], str] = _escape) -> str:
    """HTML with each group as a ``<ruby>`` element (caller marks the result safe).

    ``between`` turns the text between groups into HTML (default: escape it; the web also
    isolates numbers and codes there).
    """
    parts, last = [], 0
    for m in RUBY_RE.finditer(text):
        parts.append(between(text[last:m.start()]))
        parts.append(f"<ruby>{html.escape(m.group(1))}<rp>（</rp><rt>{html.escape(m.group(2))}</rt>"
                     "<rp>）</rp></ruby>")
        last = m.end()
    parts.append(between(text[last:]))
    return "".join(parts)


def has_markup(text: str) -> bool:
    return bool(RUBY_RE.search(text))


def unread_kanji(text: str) -> list[str]:
    """Kanji that have no reading (outside every ``{…|…}`` group)."""
    return KANJI_RE.findall(RUBY_RE.sub("", text))


def bad_groups(text: str) -> list[str]:
    """Groups whose base has no kanji, or whose reading is not kana."""
    return [m.group(0) for m in RUBY_RE.finditer(text)
            if not KANJI_RE.search(m.group(1)) or not _KANA_RE.match(m.group(2))]


def kana_in_groups(text: str) -> list[str]:
    """Groups whose base begins or ends with the kana its reading begins or ends with: the okurigana
    belong outside, so the reading sits over the kanji alone — {思|おも}う, not {思う|おもう} (on a narrow
    phone a wrapped word otherwise carried readings over kana that need none)."""
    return [m.group(0) for m in RUBY_RE.finditer(text)
            if (_KANA_RE.match(m.group(1)[-1]) and m.group(1)[-1] == m.group(2)[-1])
            or (_KANA_RE.match(m.group(1)[0]) and m.group(1)[0] == m.group(2)[0])]


def long_sentences(text: str, limit: int = MAX_SENTENCE) -> list[str]:
    """Sentences of the plain text longer than ``limit`` characters (placeholders count as one)."""
    bare = re.sub(r"%\([a-z_]+\)[sdif]", "X", plain(text))
    return [s.strip() for s in _SENTENCE_END_RE.split(bare) if len(s.strip()) > limit]
