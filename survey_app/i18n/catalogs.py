"""Gettext catalogs loaded straight from ``translations/<lang>/LC_MESSAGES/<domain>.po``.

A fresh clone shows every language without a compile step: the ``.po`` is parsed
with Babel (fuzzy and empty entries skipped, so an unconfirmed translation is never
shown) and cached per process. A compiled ``.mo`` is used instead when it is newer
than its ``.po``. The cache is keyed by the files' modification times, so an edited
catalog is picked up without a restart — within :data:`RECHECK_SECONDS`: the files are
looked at again at most once a second per catalog (two ``stat`` calls on every lookup were
a measurable share of each survey page). :func:`clear_cache` makes the next lookup look.

Source languages: the ``messages`` domain has English msgids, the ``survey`` domain
Japanese ones (the instrument's source language). For a domain's source language
:func:`get_translations` returns identity behaviour.
"""
from __future__ import annotations

import copy
import io
import logging
import os
import threading
import time
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from . import locales

log = logging.getLogger(__name__)

DOMAINS = ("messages", "survey")
SOURCE_LANGUAGE = {"messages": "en", "survey": "ja"}
ENV_DIR = "MACHIKOE_TRANSLATIONS_DIR"
_DEFAULT_DIR = Path(__file__).resolve().parents[2] / "translations"

class CatalogTranslations(Translations):
    """Babel translations that can also say whether a message has a translation at all."""

    def find(self, message: str, context: str | None = None) -> str | None:
        key = f"{context}\x04{message}" if context is not None else message
        found = self._catalog.get(key)
        if isinstance(found, str) and found:
            return found
        fallback = getattr(self, "_fallback", None)
        return fallback.find(message, context) if fallback is not None and hasattr(fallback, "find") else None


class IdentityTranslations(NullTranslations):
    """The source language (or a missing catalog): every message is itself."""

    def find(self, message: str, context: str | None = None) -> str | None:
        fallback = getattr(self, "_fallback", None)
        return fallback.find(message, context) if fallback is not None and hasattr(fallback, "find") else None


# What a locale and domain load to: a compiled catalog, or identity for the source language.
Loaded = CatalogTranslations | IdentityTranslations
_SOURCE = IdentityTranslations()  # one object, so what is remembered per catalog is remembered for it too

_CacheKey = tuple[str, str, str, float | None, float | None]  # directory, locale, domain, po and mo times
_cache: dict[_CacheKey, Loaded] = {}
_lock = threading.Lock()
RECHECK_SECONDS = 1.0
_CatalogId = tuple[str, str, str]  # directory, locale, domain
_checked: dict[_CatalogId, tuple[float, Loaded]] = {}  # when the files were last looked at, and what they held
# A locale with fallbacks: its catalog with the fallbacks' chained on, while all of them stay the same objects.
_chained: dict[_CatalogId, tuple[tuple[Loaded, ...], Loaded]] = {}
_generation = [0]  # counts catalogs (re)read: what was made from translations is stale when it moves


def generation() -> int:
    """A number that changes whenever a catalog is read anew (or the cache is cleared)."""
    return _generation[0]


def translations_dir() -> Path:
    """``$MACHIKOE_TRANSLATIONS_DIR`` or the repository's ``translations/``."""
    return Path(os.environ.get(ENV_DIR) or _DEFAULT_DIR)


def catalog_path(locale: str, domain: str, directory: Path | None = None, ext: str = "po") -> Path:
    return (directory or translations_dir()) / locale / "LC_MESSAGES" / f"{domain}.{ext}"


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def _from_po(po: Path, domain: str) -> CatalogTranslations:
    """Parse a .po, drop fuzzy/empty/obsolete entries, and build translations from it in memory."""
    with po.open("rb") as fh:
        catalog = read_po(fh, ignore_obsolete=True)
    for message in list(catalog):
        if message.id and (message.fuzzy or not _complete(message.string)):
            catalog.delete(message.id, context=message.context)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return CatalogTranslations(fp=buffer, domain=domain)


def _complete(string: str | tuple[str, ...] | list[str] | None) -> bool:
    if isinstance(string, (tuple, list)):
        return all(string)
    return bool(string)


def _from_mo(mo: Path, domain: str) -> CatalogTranslations:
    with mo.open("rb") as fh:
        return CatalogTranslations(fp=fh, domain=domain)


def _load(locale: str, domain: str, directory: Path) -> Loaded:
    catalog = (str(directory), locale, domain)
    now = time.monotonic()
    checked = _checked.get(catalog)
    if checked is not None and now - checked[0] < RECHECK_SECONDS:
        return checked[1]
    loaded = _load_files(locale, domain, directory)
    _checked[catalog] = (now, loaded)
    return loaded


def _load_files(locale: str, domain: str, directory: Path) -> Loaded:
    po, mo = catalog_path(locale, domain, directory), catalog_path(locale, domain, directory, "mo")
    po_time, mo_time = _mtime(po), _mtime(mo)
    key = (str(directory), locale, domain, po_time, mo_time)
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            return cached
        loaded: Loaded
        try:
            if mo_time is not None and (po_time is None or mo_time >= po_time):
                loaded = _from_mo(mo, domain)
            elif po_time is not None:
                loaded = _from_po(po, domain)
            else:
                loaded = IdentityTranslations()
        except Exception:
            log.exception("cannot read the %s catalog for %s in %s", domain, locale, directory)
            loaded = IdentityTranslations()
        _drop_stale(key)
        _cache[key] = loaded
        _generation[0] += 1
        return loaded


def _drop_stale(key: _CacheKey) -> None:
    for old in [k for k in _cache if k[:3] == key[:3]]:
        del _cache[old]


def get_translations(locale: str, domain: str = "messages", directory: Path | None = None) -> Loaded:
    """Translations for ``locale`` in ``domain`` (gettext, ngettext, pgettext, npgettext, find).

    The domain's source language, and a locale without a catalog, get identity behaviour.
    """
    if locale == SOURCE_LANGUAGE.get(domain):
        return _SOURCE
    path = Path(directory) if directory else translations_dir()
    loaded = _load(locale, domain, path)
    chain = locales.fallbacks(locale)
    if not chain:
        return loaded
    parts = (loaded, *(get_translations(other, domain, directory) for other in chain))
    catalog = (str(path), locale, domain)
    known = _chained.get(catalog)
    if known is not None and len(known[0]) == len(parts) and all(a is b for a, b in zip(known[0], parts, strict=True)):
        return known[1]
    # A shallow copy shares the parsed catalog; only the fallback differs (the cache stays clean).
    chained = copy.copy(loaded)
    chained._fallback = None
    for other in parts[1:]:
        chained.add_fallback(other)
    _chained[catalog] = (parts, chained)
    return chained


def clear_cache() -> None:
    with _lock:
        _cache.clear()
        _checked.clear()
        _chained.clear()
        _generation[0] += 1


def _format(locale: str, translated: str, original: str, params: dict[str, object]) -> str:
    """``translated % params``; a broken translation falls back to the msgid rather than failing a page."""
    try:
        return translated % params
    except (KeyError, ValueError, TypeError):
        log.warning("translation for %r in %s does not match its placeholders", original, locale)
        return original % params


def gettext(locale: str, msgid: str, /, **params: object) -> str:
    """``msgid`` (English, domain ``messages``) in ``locale``, formatted with ``% params`` if given."""
    text = get_translations(locale).gettext(msgid)
    return _format(locale, text, msgid, params) if params else text


def ngettext(locale: str, singular: str, plural: str, n: int, /, **params: object) -> str:
    """The plural form for ``n`` in ``locale``, formatted with ``% params`` if given (pass ``n=`` too)."""
    text = get_translations(locale).ngettext(singular, plural, n)
    original = singular if n == 1 else plural
    return _format(locale, text, original, params) if params else text
