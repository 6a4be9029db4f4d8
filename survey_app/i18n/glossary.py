"""The glossary (``translations/glossary.yaml``): one term per concept per language.

``translations check`` calls :func:`glossary_problems` for each catalog entry. A term
applies to an entry when the entry's source text (survey: Japanese msgid; messages:
English msgid) matches the term's ``source`` pattern; the translation must then contain
one of the language's ``use`` forms. ``avoid`` forms are retired variants, an error in
any entry of that language. Ruby readings are removed before comparing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .ruby import plain

FILE_NAME = "glossary.yaml"
KANJI_OR_KANA_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Term:
    id: str
    ja: str
    sources: dict[str, re.Pattern]
    use: dict[str, tuple[str, ...]]
    avoid: dict[str, tuple[str, ...]]


def _term(node: dict) -> Term:
    sources = {domain: re.compile(pattern, re.IGNORECASE) for domain, pattern in (node.get("source") or {}).items()}
    use = {loc: tuple(forms) for loc, forms in (node.get("use") or {}).items()}
    avoid = {loc: tuple(forms) for loc, forms in (node.get("avoid") or {}).items()}
    return Term(str(node["id"]), str(node["ja"]), sources, use, avoid)


@lru_cache(maxsize=8)
def _load(path: str, _mtime: float) -> tuple[Term, ...]:  # _mtime: in the cache key, so edits are read
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return tuple(_term(node) for node in doc.get("terms") or ())


def load_glossary(directory: Path) -> tuple[Term, ...]:
    """The terms of ``directory/glossary.yaml`` (none when the file is absent)."""
    path = directory / FILE_NAME
    if not path.exists():
        return ()
    return _load(str(path), path.stat().st_mtime)


def _contains(text: str, form: str) -> bool:
    """``form`` in ``text`` (both case-folded), at a word start where the script separates words."""
    form = form.casefold()
    if KANJI_OR_KANA_RE.search(form):
        return form in text
    return re.search(rf"(?<!\w){re.escape(form)}", text) is not None  # word start; endings may inflect


def glossary_problems(terms: tuple[Term, ...], locale: str, domain: str, source: str,
                      forms: list[str]) -> list[str]:
    reasons = []
    for term in terms:
        for form in forms:
            text = plain(form).casefold()
            retired = [word for word in term.avoid.get(locale, ()) if _contains(text, word)]
            if retired:
                reasons.append(f"glossary '{term.id}' ({term.ja}): use "
                               f"{' / '.join(term.use.get(locale, ()) or (term.ja,))}, not {', '.join(retired)}")
            pattern, wanted = term.sources.get(domain), term.use.get(locale)
            if pattern and wanted and pattern.search(source) and not any(_contains(text, w) for w in wanted):
                reasons.append(f"glossary '{term.id}' ({term.ja}): the source says {pattern.pattern!r}; "
                               f"the translation must use {' / '.join(wanted)}")
    return reasons
