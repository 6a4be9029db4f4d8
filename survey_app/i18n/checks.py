"""``machikoe translations check``: is every language complete and faithful to the source?

The check compares each catalog with a template extracted *fresh* from the sources
(not with the last .pot), so a reworded question fails the check at once, before
anyone remembers to run ``update``. Problems reported per entry:

* missing from the catalog, untranslated (empty msgstr), or fuzzy (not confirmed: a changed
  source text, or readings proposed by ``propose-readings`` for やさしい日本語);
* python-format placeholders that differ from the msgid's;
* Japanese text outside parentheses in en, vi or ur (a leaked source text; place
  names may follow in parentheses, e.g. "Nopporo (野幌)");
* vi: not NFC; ur: no Arabic-script letters, or Latin words that are not in the msgid;
* messages domain, ja/vi/ur: a phrase left identical to the English msgid;
* a language the instrument declares (or the interface supports) without a catalog;
* the glossary (``translations/glossary.yaml``): a key term rendered otherwise, or a retired variant.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from babel.messages.catalog import Catalog, Message

from . import locales, ruby
from .catalogs import SOURCE_LANGUAGE
from .glossary import Term, glossary_problems, load_glossary
from .placeholders import PLACEHOLDER_RE, placeholder_problem
from .workflow import Workspace, read_catalog

_JAPANESE_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
_ARABIC_LETTER_RE = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN_WORD_RE = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]+")
_PARENTHESISED_RE = re.compile(r"[(（][^()（）]*[)）]")


@dataclass(frozen=True)
class Problem:
    locale: str
    domain: str
    entry: str
    reason: str

    def __str__(self) -> str:
        return f"{self.locale} {self.domain}.po: {self.entry}: {self.reason}"


def outside_parentheses(text: str) -> str:
    """``text`` with every (…) / （…） group removed — where place names in kanji may stand."""
    previous = None
    while previous != text:
        previous, text = text, _PARENTHESISED_RE.sub(" ", text)
    return text


def japanese_outside_parentheses(text: str) -> list[str]:
    return _JAPANESE_RE.findall(outside_parentheses(text))


def is_arabic_script(text: str) -> bool:
    """Urdu text: has Arabic-script letters (digits, punctuation and (漢字) aside)."""
    return bool(_ARABIC_LETTER_RE.search(text))


def stray_latin_words(text: str, msgid: str) -> list[str]:
    """Latin words in an Urdu translation that are not quoted from the msgid (CSV, Telegram …)."""
    bare = PLACEHOLDER_RE.sub(" ", outside_parentheses(text))
    allowed = {w.lower() for w in _LATIN_WORD_RE.findall(msgid)}
    return [w for w in _LATIN_WORD_RE.findall(bare) if w.lower() not in allowed]


def _script(locale: str) -> str:
    found = locales.info(locale)
    return found.script if found else ""


def _japanese_script(locale: str) -> bool:
    return _script(locale) == "Jpan"


def _entry_name(message: Message, domain: str) -> str:
    if domain == "survey" and message.context:
        return message.context
    msgid = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
    short = msgid if len(msgid) <= 60 else msgid[:57] + "…"
    where = f" ({message.locations[0][0]}:{message.locations[0][1]})" if message.locations else ""
    return f"{short!r}{where}"


def _forms(message: Message) -> list[str]:
    if isinstance(message.string, (tuple, list)):
        return list(message.string)
    return [message.string or ""]


def _script_problems(locale: str, domain: str, message: Message, forms: list[str]) -> list[str]:
    reasons = []
    msgid = " ".join(message.id) if isinstance(message.id, (tuple, list)) else message.id
    for form in forms:
        if not _japanese_script(locale) and japanese_outside_parentheses(form):
            reasons.append("contains Japanese outside parentheses (untranslated source text?)")
        if _script(locale) == "Latn" and not unicodedata.is_normalized("NFC", form):
            reasons.append("not in Unicode NFC (compose the diacritics, e.g. Vietnamese ế as one character)")
        if _script(locale) == "Arab":  # by the registry's script, so a new Arabic-script language is checked too
            if not is_arabic_script(form):
                known = locales.info(locale)
                reasons.append(f"not in {known.english_name if known else locale} (Arabic) script")
            stray = stray_latin_words(form, msgid)
            if stray:
                reasons.append(f"Latin-script words not in the source: {', '.join(sorted(set(stray)))}")
        if domain == "messages" and locale != SOURCE_LANGUAGE["messages"] and " " in msgid.strip() \
                and form.strip() == (message.id[0] if isinstance(message.id, (tuple, list)) else message.id).strip():
            reasons.append("identical to the English msgid")
    return list(dict.fromkeys(reasons))


def entry_problems(locale: str, domain: str, wanted: Message, found: Message | None,
                   terms: tuple[Term, ...] = ()) -> list[str]:
    """Why ``found`` (the catalog entry for the template entry ``wanted``) is not good enough."""
    if found is None:
        return ["missing from the catalog (run: machikoe translations update)"]
    forms = _forms(found)
    if not any(forms) or not all(forms):
        return ["untranslated"]
    if found.fuzzy:
        return [_fuzzy_reason(locale, forms)]
    reasons = []
    placeholder = placeholder_problem(wanted.id, found.string)
    if placeholder:
        reasons.append(placeholder)
    source = " ".join(wanted.id) if isinstance(wanted.id, (tuple, list)) else wanted.id
    return reasons + _script_problems(locale, domain, wanted, forms) + _ruby_problems(locale, forms) + \
        glossary_problems(terms, locale, domain, source, forms)


def _fuzzy_reason(locale: str, forms: list[str]) -> str:
    # やさしい日本語 entries are made fuzzy by ``propose-readings`` too: a dictionary's reading needs a person.
    if locales.uses_ruby(locale) and any(ruby.has_markup(form) for form in forms):
        return ("fuzzy: check the proposed readings ({漢字|かんじ}) and that the translation matches the current "
                "source text, then remove the fuzzy flag")
    return "fuzzy: confirm the translation matches the current source text, then remove the fuzzy flag"


def _ruby_problems(locale: str, forms: list[str]) -> list[str]:
    """やさしい日本語: every kanji has a reading, readings are kana, sentences are short."""
    if not locales.uses_ruby(locale):
        return []
    reasons = []
    for form in forms:
        unread = ruby.unread_kanji(form)
        if unread:
            reasons.append(f"kanji without a reading: {''.join(dict.fromkeys(unread))} (write {{漢字|かんじ}})")
        bad = ruby.bad_groups(form)
        if bad:
            reasons.append(f"ruby group without kanji or with a reading not in kana: {', '.join(bad)}")
        kana = ruby.kana_in_groups(form)
        if kana:
            reasons.append(f"kana inside a ruby group (the reading goes over the kanji alone, e.g. {{思|おも}}う): "
                           f"{', '.join(kana)}")
        for sentence in ruby.long_sentences(form):
            reasons.append(f"sentence longer than {ruby.MAX_SENTENCE} characters (one idea per sentence): "
                           f"{sentence[:30]}…")
    return reasons


# What a resident reads: the survey's texts except the staff-only indicator titles, and the
# interface strings of the resident web pages. A locale whose registry scope is "resident"
# (やさしい日本語) must translate these; every other string falls back to its fallback locale
# (Japanese), which the check accepts. The bot's strings (Telegram and LINE) are in scope.
RESIDENT_SOURCES = (
    "survey_app/web/templates/survey/", "survey_app/web/templates/base.html",
    "survey_app/web/templates/home.html", "survey_app/web/templates/error.html",
    "survey_app/web/templates/macros.html", "survey_app/web/errors.py", "survey_app/response_errors.py",
    "survey_app/instrument/types.py", "survey_app/web/outage.py", "survey_app/web/survey/", "bot/",
    "survey_app/letter_languages.py",
)
STAFF_ONLY_CONTEXTS = ("indicator:",)


def in_scope(locale: str, domain: str, message: Message) -> bool:
    """Whether ``locale`` must translate ``message`` (scope "all": everything)."""
    found = locales.info(locale)
    if found is None or found.scope == "all":
        return True
    if domain == "survey":
        return not (message.context or "").startswith(STAFF_ONLY_CONTEXTS)
    return any(path.startswith(RESIDENT_SOURCES) for path, _line in message.locations)


def check_catalog(locale: str, domain: str, template: Catalog, catalog: Catalog,
                  terms: tuple[Term, ...] = ()) -> list[Problem]:
    problems = []
    for wanted in template:
        if not wanted.id or not in_scope(locale, domain, wanted):
            continue
        found = catalog.get(wanted.id, wanted.context)
        for reason in entry_problems(locale, domain, wanted, found, terms):
            problems.append(Problem(locale, domain, _entry_name(wanted, domain), reason))
    for message, errors in catalog.check():
        if message.id and not message.fuzzy and template.get(message.id, message.context) is not None:
            for error in errors:
                problems.append(Problem(locale, domain, _entry_name(message, domain), str(error)))
    return problems


def check(ws: Workspace, domains: tuple[str, ...], only: tuple[str, ...] = ()) -> tuple[list[Problem], dict]:
    """All problems, and per domain the languages checked and the number of entries."""
    problems: list[Problem] = []
    summary = {}
    for domain in domains:
        template = ws.template(domain)
        languages = only or ws.languages(domain)
        summary[domain] = (languages, sum(1 for m in template if m.id))
        for locale in languages:
            path = ws.po_path(locale, domain)
            if not path.exists():
                problems.append(Problem(locale, domain, str(path), "no catalog for this language "
                                        "(run: machikoe translations update)"))
                continue
            try:
                catalog = read_catalog(path, locale)
            except Exception as exc:  # noqa: BLE001 - a malformed .po is a finding, not a crash
                problems.append(Problem(locale, domain, str(path), f"cannot be read: {exc}"))
                continue
            problems.extend(check_catalog(locale, domain, template, catalog, load_glossary(ws.translations)))
    return problems, summary
