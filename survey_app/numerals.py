"""Numbers typed by people: the one place that decides which digits count.

Accepted, and read as the same ASCII number:

- ASCII digits ``0-9``;
- full-width digits ``０-９`` (Japanese keyboards type them), with ``－`` ``，`` ``．``;
- Arabic-Indic ``٠-٩`` and Extended Arabic-Indic ``۰-۹`` digits (Urdu keyboards type the
  latter), with the Arabic decimal (``٫``) and thousands (``٬``) separators;
- the minus sign ``−`` (U+2212).

Bidi marks and embeddings (U+200E, U+200F, U+061C, U+202A-202E, U+2066-2069) are dropped: text
copied from an Urdu page or chat carries them around numbers, invisible to the resident.

Everything else is *not a number* — Ethiopic ``፩``, superscripts ``²``, circled ``①``,
Devanagari and the other scripts' digits, exponents, ``inf``/``nan``, underscores. Python's
``str.isdigit()`` is true for ``፩`` and ``²`` while ``int()`` refuses them (a 500 wherever the
two were paired), and ``float()``/``int()`` accept every script's decimal digits, while NFKC
turns ``10²`` into ``102``; so callers never use those on typed text, only the functions here.
"""
from __future__ import annotations

import re

_TRANSLATE = {
    **{0xFF10 + i: str(i) for i in range(10)},  # full-width
    **{0x0660 + i: str(i) for i in range(10)},  # Arabic-Indic
    **{0x06F0 + i: str(i) for i in range(10)},  # Extended Arabic-Indic (Urdu, Persian)
    0xFF0D: "-", 0x2212: "-", 0xFF0B: "+",
    0xFF0C: ",", 0x066C: ",",
    0xFF0E: ".", 0x066B: ".",
    # invisible direction marks, embeddings, overrides and isolates: removed (see the docstring)
    **dict.fromkeys([0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]),
}
_INTEGER = re.compile(r"[-+]?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]*)?", re.ASCII)  # no group starts 0,
_DECIMAL_COMMA = re.compile(r"[-+]?[0-9]+,[0-9]+", re.ASCII)  # tried only where a thousands group did not match
MAX_INTEGER_DIGITS = 9


# What separates the items of a list a person types: ASCII and full-width comma and semicolon, the
# Japanese 、, the Urdu (Arabic) comma ، and semicolon ؛ — on every channel (web paper entry, CSV
# imports, chats): a Japanese IME types 「１，３」 or 「1、3」 where an English keyboard types "1,3".
LIST_SEPARATORS = re.compile(r"\s*[,、，;；\u060c\u061b]\s*")


def split_list(text: str) -> list[str]:
    """The non-empty items of a typed list (``"1、3"`` → ``["1", "3"]``)."""
    return [item for item in LIST_SEPARATORS.split(text.strip()) if item]


def to_ascii(text: object) -> str:
    """``text`` with the accepted digits and signs as ASCII, bidi marks removed, trimmed; nothing else changes."""
    return str(text).translate(_TRANSLATE).strip()


def parse_int(text: object, max_digits: int = MAX_INTEGER_DIGITS) -> int | None:
    """The integer ``text`` spells in accepted digits (at most ``max_digits``), else None."""
    ascii_text = to_ascii(text)
    if not _INTEGER.fullmatch(ascii_text) or len(ascii_text.lstrip("+-")) > max_digits:
        return None
    return int(ascii_text)


def parse_decimal(text: object, grouping: bool = True, decimal_comma: bool = False) -> float | None:
    """The decimal number ``text`` spells (``3``, ``-2.5``, ``.5``; ``1,234.5`` when ``grouping``), else None.

    Thousands separators are accepted only in groups of three, so ``1,5`` is never read as 15.
    With ``decimal_comma`` (what a resident types: Vietnamese, like most of Europe, writes 2,5
    for 2.5) a single comma that cannot be a thousands separator — ``2,5``, ``0,75`` — is the
    decimal point; ``1,500`` stays one thousand five hundred, as everywhere else here.
    """
    ascii_text = to_ascii(text)
    unsigned = ascii_text.lstrip("+-")
    if grouping and "," in unsigned and _GROUPED.fullmatch(unsigned) and len(ascii_text) - len(unsigned) <= 1:
        ascii_text = ascii_text.replace(",", "")
    elif decimal_comma and _DECIMAL_COMMA.fullmatch(ascii_text):
        ascii_text = ascii_text.replace(",", ".")
    if not _DECIMAL.fullmatch(ascii_text):
        return None
    return float(ascii_text)
