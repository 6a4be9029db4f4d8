"""Numbers, percentages, dates and Japanese fiscal-year labels, per locale (Babel/CLDR).

Percentages are given in percentage points (78.3 means 78.3 %), as everywhere in
Machikoe; rounding happens only here, for display, and half up (四捨五入, as Japanese
statistics publish: 56.25 → 56.3), not to even as Python and Babel round (56.2).

Fiscal years (年度) run April–March and are named by the year they start in:
FY2025 = 令和7年度 (April 2025 – March 2026). Era years: 令和 n = 2018 + n
(令和元年度 = FY2019), 平成 n = 1988 + n (平成30年度 = FY2018; 平成31年度 is also
FY2019, as Reiwa began on 1 May 2019), 昭和 n = 1925 + n.
"""
from __future__ import annotations

import copy
import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import NumberPattern, format_decimal, parse_pattern

from . import N_, locales
from .catalogs import gettext

# (name, letter, first Gregorian year) — newest first.
ERAS = (("令和", "R", 2019), ("平成", "H", 1989), ("昭和", "S", 1926))
FISCAL_YEAR_MSGID = N_("FY%(year)d")


def half_up(value: float, digits: int = 1) -> Decimal:
    """``value`` rounded half up (四捨五入) to ``digits`` decimals, on the number as written
    (``repr``): 56.25 → 56.3, and 56.35 → 56.4 although its binary double lies a hair below."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def one_decimal(value: float | None, missing: str = "–", signed: bool = False) -> str:
    """Percentage points for a table: '56.3' (``signed``: '+5.0'); None → ``missing``."""
    if value is None:
        return missing
    rounded = half_up(value, 1)
    return f"{rounded:+}" if signed else f"{rounded}"


@lru_cache(maxsize=64)
def _pattern(locale: str, kind: str, digits: int) -> NumberPattern:
    """The locale's own decimal or percent pattern with exactly ``digits`` fraction digits."""
    loc = Locale.parse(locales.cldr(locale))
    formats = loc.percent_formats if kind == "percent" else loc.decimal_formats
    pattern = copy.copy(parse_pattern(formats[None].pattern))
    pattern.frac_prec = (digits, digits)
    return pattern


def format_number(value: float | int, locale: str, digits: int | None = None) -> str:
    """12345.678 → '12,345.678' (ja/en/ur), '12.345,678' (vi); ``digits`` fixes the decimals."""
    if digits is None:
        return format_decimal(value, locale=locales.cldr(locale))
    return _pattern(locale, "decimal", digits).apply(half_up(value, digits), Locale.parse(locales.cldr(locale)))


def format_percent(points: float | None, locale: str, digits: int = 1, missing: str = "–") -> str:
    """78.34 (percentage points) → '78.3%' (ja/en/ur), '78,3%' (vi); None → ``missing``."""
    if points is None:
        return missing
    return _pattern(locale, "percent", digits).apply(half_up(points, digits) / 100, Locale.parse(locales.cldr(locale)))


def format_date(value: dt.date, locale: str, style: str = "medium") -> str:
    """A date in the locale's own form: 2025/04/01 (ja), Apr 1, 2025 (en), 1 thg 4, 2025 (vi)."""
    return _babel_date(value, format=style, locale=locales.cldr(locale))


def format_datetime(value: dt.datetime, locale: str, style: str = "medium", tzinfo: dt.tzinfo | None = None) -> str:
    return _babel_datetime(value, format=style, tzinfo=tzinfo, locale=locales.cldr(locale))


def era_year(year: int) -> tuple[str, int]:
    """(era name, year of the era) of a Gregorian fiscal year: 2025 → ('令和', 7)."""
    for name, _letter, first in ERAS:
        if year >= first:
            return name, year - first + 1
    raise ValueError(f"fiscal year {year} is before the Showa era")


def fiscal_year_label(year: int, locale: str) -> str:
    """2025 → '令和7年度' (ja), 'FY2025' (en); other locales via the ``messages`` catalog."""
    if locales.cldr(locale) == "ja":  # ja and やさしい日本語 (ja-x-easy)
        era, n = era_year(year)
        return f"{era}{'元' if n == 1 else n}年度"
    return gettext(locale, FISCAL_YEAR_MSGID, year=year)


_ERA_RE = re.compile(r"^(令和|平成|昭和|[RHS])\.?\s*(元|\d{1,2})\s*(?:年度?)?$", re.IGNORECASE)
_GREGORIAN_RE = re.compile(r"^(?:FY\s*)?(\d{4})\s*(?:年度)?$", re.IGNORECASE)


def parse_fiscal_year(label: str) -> int:
    """'令和7年度' / 'R7' / '令和元年度' / '平成31年度' / 'FY2025' / '2025年度' → the Gregorian year.

    Full-width digits are accepted. Raises ValueError for anything else.
    """
    text = unicodedata.normalize("NFKC", str(label)).strip()
    gregorian = _GREGORIAN_RE.match(text)
    if gregorian:
        return int(gregorian.group(1))
    era = _ERA_RE.match(text)
    if not era:
        raise ValueError(f"not a fiscal year: {label!r} (use e.g. 令和7年度 or FY2025)")
    name, number = era.group(1).upper(), era.group(2)
    n = 1 if number == "元" else int(number)
    for era_name, letter, first in ERAS:
        if name in (era_name, letter):
            if n < 1:
                break
            return first + n - 1
    raise ValueError(f"not a fiscal year: {label!r} (use e.g. 令和7年度 or FY2025)")


def display_width(text: str) -> int:
    """Columns ``text`` takes where East Asian wide and full-width characters take two: a terminal
    table, a spreadsheet column, the label space of a chart. 「江別市」 is 6, "Ebetsu" 6."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def cut_to_width(text: str, columns: int) -> str:
    """The longest start of ``text`` that fits in ``columns`` display columns (:func:`display_width`)."""
    used = 0
    for index, char in enumerate(text):
        used += display_width(char)
        if used > columns:
            return text[:index]
    return text
