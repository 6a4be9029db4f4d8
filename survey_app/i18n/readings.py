"""``machikoe translations propose-readings``: readings proposed for a person to confirm.

やさしい日本語 (the registry's ruby locales) writes a reading for every kanji as ``{漢字|かんじ}``.
A translator who wrote a sentence with kanji can ask for proposals: pykakasi reads each kanji
run the markup does not cover yet, the entry gets the groups and the *fuzzy* flag, and the
proposals are listed (file:line, before → after). A dictionary reads 今日は as こんにちは and
3月 as がつ, so nothing proposed is ever published as it is: fuzzy entries are left out of the
loaded and compiled catalogs (``catalogs.py``, ``workflow.compile_catalogs``) and
``translations check`` lists them until a person corrects the reading and removes the flag.

Readings already written are kept as they are; placeholders (``%(count)d``) are never read.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Message

from . import locales, ruby
from .placeholders import PLACEHOLDER_RE
from .workflow import Workspace, read_catalog, write_catalog

# A kanji run with the kana that follow it inside one dictionary word (読んで, 取り扱い).
_KANJI_RUN_RE = re.compile(f"(?:{ruby.KANJI_RE.pattern})+")
# Text the proposer must not touch: existing groups and placeholders.
_KEEP_RE = re.compile(f"{ruby.RUBY_RE.pattern}|{PLACEHOLDER_RE.pattern}")
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}

Reader = Callable[[str], list[tuple[str, str]]]  # text → (written, reading in hiragana) per word


@dataclass(frozen=True)
class Proposal:
    path: Path
    line: int
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.before} → {self.after}"


class ReaderMissing(RuntimeError):
    """pykakasi is missing from this installation (it is only needed to propose readings)."""


@lru_cache(maxsize=1)
def pykakasi_reader() -> Reader:
    try:
        import pykakasi
    except ImportError:
        raise ReaderMissing("proposing readings needs pykakasi, which Machikoe declares: reinstall it (pip install -e .)") from None
    kakasi = pykakasi.kakasi()
    return lambda text: [(word["orig"], word["hira"]) for word in kakasi.convert(text)]


def _hiragana(text: str) -> str:
    return text.translate(_KATAKANA_TO_HIRAGANA)


def _word_markup(written: str, reading: str) -> str:
    """One dictionary word with its kanji runs in groups: 読んで/よんで → {読|よ}んで.

    The kana of the word anchor the split (取り扱い/とりあつかい → {取|と}り{扱|あつか}い); a word whose
    reading does not line up with its kana gets one group for the whole word."""
    pieces = re.split(f"({_KANJI_RUN_RE.pattern})", written)
    pattern = "".join("(.+?)" if i % 2 else re.escape(_hiragana(p)) for i, p in enumerate(pieces))
    aligned = re.fullmatch(pattern, reading)
    if aligned is None:
        return f"{{{written}|{reading}}}"
    readings = iter(aligned.groups())
    return "".join(f"{{{p}|{next(readings)}}}" if i % 2 else p for i, p in enumerate(pieces))


def _propose_plain(text: str, reader: Reader) -> str:
    """Readings for the kanji of ``text`` (no markup, no placeholders in it)."""
    if not ruby.KANJI_RE.search(text):
        return text
    return "".join(_word_markup(written, reading) if _readable(written, reading) else written
                   for written, reading in reader(text))


def _readable(written: str, reading: str) -> bool:
    # A kanji the dictionary does not know comes back as itself: no proposal rather than a wrong group.
    return bool(ruby.KANJI_RE.search(written)) and bool(reading) and not ruby.KANJI_RE.search(reading)


def propose(text: str, reader: Reader) -> str:
    """``text`` with a proposed reading for every kanji not yet in a ``{…|…}`` group."""
    out, last = [], 0
    for kept in _KEEP_RE.finditer(text):
        out.append(_propose_plain(text[last:kept.start()], reader))
        out.append(kept.group(0))
        last = kept.end()
    out.append(_propose_plain(text[last:], reader))
    return "".join(out)


def _forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, (tuple, list)) else [message.string or ""]


def _propose_entry(message: Message, reader: Reader) -> str | None:
    """The entry's proposed msgstr (plural forms joined for the report), or None when nothing is unread."""
    forms = _forms(message)
    if not any(ruby.unread_kanji(form) for form in forms):
        return None
    proposed = [propose(form, reader) for form in forms]
    if proposed == forms:
        return None
    message.string = tuple(proposed) if isinstance(message.string, (tuple, list)) else proposed[0]
    message.flags.add("fuzzy")
    return " | ".join(proposed)


def _catalogs(ws: Workspace, domains: tuple[str, ...]) -> Iterator[tuple[str, Path]]:
    for domain in domains:
        for locale in ws.languages(domain):
            path = ws.po_path(locale, domain)
            if locales.uses_ruby(locale) and path.exists():
                yield locale, path


def propose_readings(ws: Workspace, domains: tuple[str, ...], reader: Reader | None = None,
                     write: bool = True) -> list[Proposal]:
    """Propose readings in every ruby locale's catalog of ``domains``; the entries become fuzzy.

    Returns the proposals with the line of each entry in the file as written (as read, with
    ``write=False``)."""
    reader = reader or pykakasi_reader()
    proposals: list[Proposal] = []
    for locale, path in _catalogs(ws, domains):
        catalog = read_catalog(path, locale)
        changed = []
        for message in catalog:
            before = " | ".join(_forms(message))
            after = _propose_entry(message, reader) if message.id else None
            if after is not None:
                changed.append((message.id, message.context, before, after, message.lineno or 0))
        if changed and write:
            write_catalog(path, catalog)
            lines = {(m.id, m.context): m.lineno or 0 for m in read_catalog(path, locale)}
            changed = [(i, c, b, a, lines.get((i, c), n)) for i, c, b, a, n in changed]
        proposals.extend(Proposal(path, line, before, after) for _i, _c, before, after, line in changed)
    return proposals
