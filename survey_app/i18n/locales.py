"""Supported locales, their own names, text direction and negotiation.

Direction comes from the locale, never from the text (Urdu is right-to-left even
when a sentence starts with a Latin place name or a number).
"""
from __future__ import annotations

SUPPORTED: tuple[str, ...] = ("ja", "en", "vi", "ur")
DEFAULT = "ja"

_NATIVE_NAMES = {"ja": "日本語", "en": "English", "vi": "Tiếng Việt", "ur": "اردو"}
_RTL_LANGUAGES = frozenset({"ur", "ar", "fa", "he", "ps", "sd", "ug", "yi"})
_MAX_HEADER_LENGTH = 1000  # a longer Accept-Language is garbage or an attack; ignore the rest


def primary(tag: str | None) -> str:
    """The primary language subtag, lower case: 'vi-VN' → 'vi', 'ur_PK' → 'ur', None → ''."""
    return (tag or "").strip().replace("_", "-").split("-", 1)[0].lower()


def native_name(locale: str) -> str:
    """The language's name in itself (what a speaker looks for in a language menu)."""
    return _NATIVE_NAMES.get(primary(locale), locale)


def direction(locale: str) -> str:
    """'rtl' or 'ltr', decided by the locale alone."""
    return "rtl" if primary(locale) in _RTL_LANGUAGES else "ltr"


def _fallback(supported: tuple[str, ...] | list[str]) -> str:
    return DEFAULT if DEFAULT in supported or not supported else supported[0]


def match(tag: str | None, supported=SUPPORTED) -> str | None:
    """The supported locale for one language tag (exact, then primary subtag), or None."""
    cleaned = (tag or "").strip().replace("_", "-").lower()
    if not cleaned:
        return None
    for candidate in (cleaned, primary(cleaned)):
        for loc in supported:
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


def negotiate(accept_language: str | None, supported=SUPPORTED) -> str:
    """The best supported locale for an Accept-Language header; Japanese when nothing fits.

    'vi-VN,vi;q=0.9,en;q=0.5' → 'vi'; 'ur-PK' → 'ur'; 'de' → 'ja'; '*' → 'ja'.
    """
    for tag, _q in parse_accept_language(accept_language):
        if tag == "*":
            return _fallback(supported)
        found = match(tag, supported)
        if found:
            return found
    return _fallback(supported)


def from_telegram(language_code: str | None, supported=SUPPORTED) -> str:
    """Telegram's ``language_code`` (an IETF tag such as 'vi' or 'pt-br', or None) → our locale."""
    return match(language_code, supported) or _fallback(supported)
