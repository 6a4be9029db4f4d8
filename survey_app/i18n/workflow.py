"""The translator's workflow: templates (.pot) → catalogs (.po) → compiled (.mo).

``update`` merges without losing anyone's work:

* an entry whose msgid and msgctxt are unchanged keeps its translation and flags;
* ``survey`` (msgctxt is the id path): an entry whose Japanese wording changed keeps
  its old translation marked *fuzzy*, with the old wording as ``#| msgid`` — the
  translator sees what changed, and ``check`` fails until they confirm it;
* ``messages``: a changed English msgid arrives as a new, empty entry (the old one
  stays in the file as obsolete, for reference);
* an entry no longer in the sources is kept as obsolete (``#~``) and comes back
  with its translation if the string returns.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, unescape, write_po

from survey_app.instrument import load_instrument

from . import locales
from .catalogs import SOURCE_LANGUAGE, catalog_path
from .extract import PROJECT, PROJECT_ROOT, instrument_template, messages_template

WIDTH = 76
# Babel's reader turns '#| msgid …' lines (and their continuations) into translator
# comments starting with '|' (or a lone '"'); they are dropped and re-written properly.
_PREVIOUS_RE = re.compile(r'^(\||"\s*$)')


@dataclass(frozen=True)
class Workspace:
    """Where the sources and catalogs are; tests point this at a copy.

    ``instruments``: every instrument YAML whose texts belong in the ``survey`` domain
    (by default all bundled ones, so next year's wave can be translated beside this one).
    """

    translations: Path
    instruments: tuple[Path, ...]
    root: Path = PROJECT_ROOT

    def template_path(self, domain: str) -> Path:
        return self.translations / f"{domain}.pot"

    def po_path(self, locale: str, domain: str) -> Path:
        return catalog_path(locale, domain, self.translations)

    def template(self, domain: str) -> Catalog:
        """The current template, extracted fresh from the sources."""
        if domain == "survey":
            return instrument_template(self.instruments, self.root)
        return messages_template(self.root)

    def languages(self, domain: str) -> tuple[str, ...]:
        """The locales that need a catalog for ``domain``: every declared/supported one but the source."""
        declared = [lang for path in self.instruments for lang in load_instrument(path).languages]
        wanted = declared if domain == "survey" else [*locales.supported(), *declared]
        return tuple(loc for loc in dict.fromkeys(wanted) if loc != SOURCE_LANGUAGE[domain])


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    """Read a .po, keeping the ``#| msgid`` (previous wording) of fuzzy entries, which Babel drops."""
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locales.cldr(locale) if locale else None)
    for message in catalog:  # Babel reads '#| msgid …' as a translator comment '| msgid …'
        message.user_comments = [c for c in message.user_comments if not _PREVIOUS_RE.match(c)]
    for (msgid, context), previous in previous_ids(path.read_text(encoding="utf-8")).items():
        fuzzy = catalog.get(msgid, context)
        if fuzzy is not None and fuzzy.fuzzy:
            fuzzy.previous_id = [previous]
    return catalog


def _field(lines: list[str], keyword: str, prefix: str = "") -> str | None:
    """The value of ``keyword`` ("msgid", "msgctxt") in one entry's lines, continuations joined."""
    parts, inside = [], False
    for line in lines:
        if line.startswith(f"{prefix}{keyword} "):
            inside = True
            parts.append(line[len(prefix) + len(keyword) + 1:].strip())
        elif inside and line.startswith(f'{prefix}"'):
            parts.append(line[len(prefix):].strip())
        elif inside:
            break
    return "".join(unescape(p) for p in parts) if parts else None


def previous_ids(text: str) -> dict[tuple[str, str | None], str]:
    """(msgid, msgctxt) → previous msgid, from the ``#| msgid`` comments of a .po text."""
    found = {}
    for block in text.split("\n\n"):
        lines = [line.rstrip() for line in block.splitlines() if not line.startswith("#~")]
        previous = _field(lines, "msgid", "#| ")
        msgid = _field(lines, "msgid")
        if previous is not None and msgid:
            found[(msgid, _field(lines, "msgctxt"))] = previous
    return found


def write_catalog(path: Path, catalog: Catalog, template: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("wb") as fh:
        write_po(fh, catalog, width=WIDTH, omit_header=False, sort_output=False, include_previous=True,
                 ignore_obsolete=template)
    tmp.replace(path)  # readers (a running web process) never see a half-written file


def extract(ws: Workspace, domain: str) -> tuple[Path, int]:
    template = ws.template(domain)
    path = ws.template_path(domain)
    write_catalog(path, template, template=True)
    return path, sum(1 for m in template if m.id)


def _revive_obsolete(catalog: Catalog) -> None:
    """Put obsolete entries back so that an exact match in the template finds them again."""
    for key, message in list(catalog.obsolete.items()):
        if catalog.get(message.id, message.context) is None:
            catalog[message.id] = message
        del catalog.obsolete[key]


def _carry_by_context(catalog: Catalog, template: Catalog) -> dict:
    """survey domain: a reworded text keeps its old translation under its new msgid, as fuzzy.

    The old entry is moved, unless another instrument in the template still uses that
    wording (then both stay: the confirmed one and a fuzzy copy for the new wording).
    """
    by_context: dict = {}
    for m in catalog:
        if m.id and m.context and m.string and not (m.fuzzy and m.context in by_context):
            by_context[m.context] = m
    previous = {}
    for entry in template:
        if not entry.id or catalog.get(entry.id, entry.context) is not None:
            continue
        old = by_context.get(entry.context)
        if old is None:
            continue
        if template.get(old.id, old.context) is None:
            catalog.delete(old.id, old.context)
        catalog.add(entry.id, old.string, context=entry.context, flags=set(old.flags) | {"fuzzy"},
                    user_comments=old.user_comments)
        previous[(entry.id, entry.context)] = old.id
    return previous


def merge(catalog: Catalog, template: Catalog, domain: str) -> Catalog:
    _revive_obsolete(catalog)
    previous = {(m.id, m.context): m.previous_id[0] for m in catalog if m.id and m.fuzzy and m.previous_id}
    if domain == "survey":
        previous.update(_carry_by_context(catalog, template))
    # No similarity matching: a guessed translation of another string ('Page' for 'Paper') would
    # only be noise for the translator; survey texts are matched by msgctxt above instead.
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
    for (msgid, context), old_id in previous.items():
        message = catalog.get(msgid, context)
        if message is not None:
            message.previous_id = [old_id]
            message.flags.add("fuzzy")
    return catalog


def new_catalog(locale: str, domain: str) -> Catalog:
    return Catalog(locale=locales.cldr(locale), domain=domain, project=PROJECT, version="1", fuzzy=False,
                   msgid_bugs_address="translations@machikoe.invalid", copyright_holder="Ebetsu City",
                   last_translator="Machikoe translators <translations@machikoe.invalid>",
                   language_team=f"{locales.native_name(locale)} <translations@machikoe.invalid>",
                   revision_date=dt.datetime.now(dt.UTC),
                   header_comment=f"# Machikoe — {locales.native_name(locale)} ({locale}), domain '{domain}'.\n"
                                  "# Fill in msgstr; see translations/README.md.")


def update(ws: Workspace, domain: str, only: tuple[str, ...] = ()) -> list[tuple[str, Path, str]]:
    """Merge the fresh template into every language's catalog (creating missing ones)."""
    template = ws.template(domain)
    write_catalog(ws.template_path(domain), template, template=True)
    done = []
    for locale in only or ws.languages(domain):
        path = ws.po_path(locale, domain)
        created = not path.exists()
        catalog = new_catalog(locale, domain) if created else read_catalog(path, locale)
        write_catalog(path, merge(catalog, template, domain))
        done.append((locale, path, "created" if created else "updated"))
    return done


def compile_catalogs(ws: Workspace, domain: str, only: tuple[str, ...] = ()) -> list[tuple[str, Path, int]]:
    """Write .mo files (fuzzy entries left out) next to each .po."""
    done = []
    for locale in only or ws.languages(domain):
        po = ws.po_path(locale, domain)
        if not po.exists():
            continue
        catalog = read_catalog(po, locale)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        done.append((locale, mo, sum(1 for m in catalog if m.id and m.string and not m.fuzzy)))
    return done
