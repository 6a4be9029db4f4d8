"""Locale core: catalogs, negotiation, formatting. No Flask here (web and bot both use it).

- ``locales``: SUPPORTED, DEFAULT, native_name, direction, negotiate, from_telegram
- ``catalogs``: get_translations(locale, domain), gettext(locale, msgid, **params), ngettext(…)
- ``texts``: InstrumentTexts(instrument, locale) — the instrument's wording in one language
- ``fmt``: numbers, percentages, dates, fiscal-year labels (令和7年度 ↔ FY2025)
- ``extract``/``workflow``/``checks``: what ``machikoe translations …`` runs
"""


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional marker name
    """Mark a string for extraction into the ``messages`` domain without translating it now."""
    return message
