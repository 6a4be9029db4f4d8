"""Locale core: catalogs, negotiation, formatting. No Flask here (web and bot both use it)."""


def N_(message: str) -> str:
    """Mark a string for extraction into the ``messages`` domain without translating it now."""
    return message
