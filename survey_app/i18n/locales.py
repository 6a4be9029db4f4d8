"""The language registry: which locales exist, and everything the code needs to know about each.

One entry per locale (:class:`LocaleInfo`); the instrument loader, the web's language menu
and negotiation, the bot's language choice, the staff console, the analysis labels,
``machikoe translations check`` and the README's language table all read it. Adding a
language is one entry here plus its catalogs (see ``translations/README.md``).

Direction comes from the locale, never from the text (Urdu is right-to-left even when a
sentence starts with a Latin place name or a number).

``ja-x-easy`` is やさしい日本語 (a BCP 47 private-use subtag of Japanese): its catalogs hold
ruby markup ``{漢字|かんじ}``; any message it lacks falls back to ``ja`` (staff-only strings
are never written in it — see ``scope``).
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class LocaleInfo:
    """One locale.

    ``tag``: BCP 47 tag, also the catalog directory and the ``lang`` attribute.
    ``babel``: the CLDR locale used for numbers and dates and plural rules.
    ``script``: ISO 15924 code of the script residents read it in.
    ``fonts``: CSS font-family stack (bundled or Debian fonts only; no remote fonts).
    ``fallbacks``: locales whose catalog answers a message this one lacks, in order.
    ``scope``: ``"all"`` = every interface string must be translated; ``"resident"`` = only
    what a resident reads (staff console, CLI and analysis strings fall back).
    ``staff``: offered as a staff console language.
    ``ruby``: the catalogs carry ``{漢字|かんじ}`` readings.
    """

    tag: str
    native_name: str
    english_name: str
    script: str
    direction: str = "ltr"
    babel: str = ""
    fonts: tuple[str, ...] = ()
    fallbacks: tuple[str, ...] = ()
    scope: str = "all"
    staff: bool = False
    ruby: bool = False

    @property
    def cldr(self) -> str:
        return self.babel or self.tag


_JAPANESE_FONTS = ("Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "sans-serif")
_REGISTRY: list[LocaleInfo] = [
    LocaleInfo("ja", "日本語", "Japanese", "Jpan", fonts=_JAPANESE_FONTS, staff=True),
    LocaleInfo("ja-x-easy", "やさしい にほんご", "Easy Japanese", "Jpan", babel="ja", fonts=_JAPANESE_FONTS,
               fallbacks=("ja",), scope="resident", ruby=True),
    LocaleInfo("en", "English", "English", "Latn", fonts=("Noto Sans", "DejaVu Sans", "sans-serif"), staff=True),
    LocaleInfo("vi", "Tiếng Việt", "Vietnamese", "Latn", fonts=("Noto Sans", "DejaVu Sans", "sans-serif")),
    LocaleInfo("ur", "اردو", "Urdu", "Arab", direction="rtl",
               fonts=("Noto Nastaliq Urdu", "Noto Naskh Arabic", "serif")),
]
_MAX_HEADER_LENGTH = 1000  # a longer Accept-Language is garbage or an attack; ignore the rest


def registry() -> tuple[LocaleInfo, ...]:
    return tuple(_REGISTRY)


def supported() -> tuple[str, ...]:
    """Every locale's tag, in menu order (the default first)."""
    return tuple(info.tag for info in _REGISTRY)


def _all_tags() -> tuple[str, ...]:
    return supported()


def default() -> str:
    """The city's own language: the first entry (Japanese)."""
    return _REGISTRY[0].tag


def offered(declared: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The locales a survey offers: those it declares that the registry knows, in menu order."""
    return tuple(tag for tag in supported() if tag in declared)


def staff_locales() -> tuple[str, ...]:
    return tuple(info.tag for info in _REGISTRY if info.staff)


def info(locale: str) -> LocaleInfo | None:
    for entry in _REGISTRY:
        if entry.tag == locale:
            return entry
    return None


@contextlib.contextmanager
def registered(entry: LocaleInfo) -> Iterator[LocaleInfo]:
    """Add a locale for the duration of a ``with`` block (tests: a new language shows up everywhere)."""
    _REGISTRY.append(entry)
    try:
        yield entry
    finally:
        _REGISTRY.remove(entry)


# Module-level names kept for callers that read them once; both are the registry's values at import.
SUPPORTED: tuple[str, ...] = supported()
DEFAULT = default()


def primary(tag: str | None) -> str:
    """The primary language subtag, lower case: 'vi-VN' → 'vi', 'ur_PK' → 'ur', None → ''."""
    return (tag or "").strip().replace("_", "-").split("-", 1)[0].lower()


def _lookup(locale: str) -> LocaleInfo | None:
    return info(locale) or info(primary(locale))


def native_name(locale: str) -> str:
    """The language's name in itself (what a speaker looks for in a language menu)."""
    found = _lookup(locale)
    return found.native_name if found else locale


def direction(locale: str) -> str:
    """'rtl' or 'ltr', decided by the locale alone."""
    found = _lookup(locale)
    return found.direction if found else "ltr"


def cldr(locale: str) -> str:
    """The Babel/CLDR locale for numbers, dates and plural rules ('ja-x-easy' → 'ja')."""
    found = _lookup(locale)
    return found.cldr if found else locale


def fallbacks(locale: str) -> tuple[str, ...]:
    found = info(locale)
    return found.fallbacks if found else ()


def list_separator(locale: str) -> str:
    """What joins the items of a list in running text: 「、」 in Japanese, 「، 」 in Arabic script, else ', '."""
    found = _lookup(locale)
    script = found.script if found else "Latn"
    return {"Jpan": "、", "Arab": "، "}.get(script, ", ")


def report_languages() -> tuple[str, ...]:
    """The languages of staff-facing publications (the report): the staff console's, fully translated."""
    return staff_locales()


def uses_ruby(locale: str) -> bool:
    found = info(locale)
    return bool(found and found.ruby)


def _fallback(supported_: tuple[str, ...] | list[str]) -> str:
    return default() if default() in supported_ or not supported_ else supported_[0]


def match(tag: str | None, supported: tuple[str, ...] | None = None) -> str | None:
    """The supported locale for one language tag (exact, then primary subtag), or None."""
    supported_ = _all_tags() if supported is None else supported
    cleaned = (tag or "").strip().replace("_", "-").lower()
    if not cleaned:
        return None
    for candidate in (cleaned, primary(cleaned)):
        for loc in supported_:
            if loc.lower() == candidate:
                return loc
    return None


def _parse_q(params: list[str]) -> float:
    """The q-value of one Accept-Language item; malformed means 0 (not acceptable)."""
    for param in params:
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return 0.0
            return q if 0.0 <= q <= 1.0 else 0.0
    return 1.0


def parse_accept_language(header: str | None) -> list[tuple[str, float]]:
    """Accept-Language items as (tag, q), best first; equal q keeps header order (RFC 9110 §12.5.4)."""
    items = []
    for position, part in enumerate((header or "")[:_MAX_HEADER_LENGTH].split(",")):
        tag, *params = part.split(";")
        tag = tag.strip()
        if tag:
            items.append((position, tag, _parse_q(params)))
    items.sort(key=lambda item: (-item[2], item[0]))
    return [(tag, q) for _, tag, q in items if q > 0]


def negotiate(accept_language: str | None, supported: tuple[str, ...] | None = None) -> str:
    """The best supported locale for an Accept-Language header; the default (Japanese) when nothing fits.

    'vi-VN,vi;q=0.9,en;q=0.5' → 'vi'; 'ur-PK' → 'ur'; 'de' → 'ja'; '*' → 'ja'.
    """
    supported_ = _all_tags() if supported is None else supported
    for tag, _q in parse_accept_language(accept_language):
        if tag == "*":
            return _fallback(supported_)
        found = match(tag, supported_)
        if found:
            return found
    return _fallback(supported_)


def from_telegram(language_code: str | None, supported: tuple[str, ...] | None = None) -> str:
    """Telegram's ``language_code`` (an IETF tag such as 'vi' or 'pt-br', or None) → our locale."""
    supported_ = _all_tags() if supported is None else supported
    return match(language_code, supported_) or _fallback(supported_)


def markdown_table() -> str:
    """The README's language table, generated from the registry (a test keeps README in step)."""
    rows = ["| tag | language | English name | script | direction | interface scope | staff console |",
            "|---|---|---|---|---|---|---|"]
    for entry in _REGISTRY:
        scope = "resident texts (others fall back to " + ", ".join(entry.fallbacks) + ")" \
            if entry.scope == "resident" else "all"
        rows.append(f"| `{entry.tag}` | {entry.native_name} | {entry.english_name} | {entry.script} | "
                    f"{entry.direction} | {scope} | {'yes' if entry.staff else 'no'} |")
    return "\n".join(rows)
