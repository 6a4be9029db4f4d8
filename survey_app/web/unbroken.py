"""The ``unbroken`` template filter: codes and phone numbers inside running text, kept whole.

A code like K7QF-3MZD-8WXP-R2T8 or a phone number like 011-382-5151 inside a sentence would break at
its hyphens on a narrow phone ("K7QF-3MZD-8WXP-" / "R2T8"), and inside Urdu (right-to-left) text a
run of digit groups can be laid out in the wrong order. The filter escapes the text, then wraps each
code in the same ``<bdi class="code-example" dir="ltr">`` the code hints use, and each phone number
in a ``tel:`` link isolated the same way — so a resident can also tap it to call.
"""
from __future__ import annotations

import re

from flask import Flask
from markupsafe import Markup, escape

CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
PHONE = re.compile(r"(?<![\d-])0\d{1,4}-\d{1,4}-\d{3,4}(?![\d-])")


def unbroken(text: object, links: bool = True) -> Markup:
    """``links=False`` inside a link (the error summary's): the number is kept whole, not made a link."""
    escaped = str(escape(text))  # codes and phone numbers hold no character that escaping changes

    def code(match: re.Match[str]) -> str:
        return f'<bdi class="code-example" dir="ltr">{match.group(0)}</bdi>'

    def phone(match: re.Match[str]) -> str:
        number = match.group(0)
        if not links:
            return f'<bdi class="tel" dir="ltr">{number}</bdi>'
        return f'<a class="tel" href="tel:{number.replace("-", "")}" dir="ltr"><bdi>{number}</bdi></a>'

    return Markup(PHONE.sub(phone, CODE.sub(code, escaped)))


def init_unbroken(app: Flask) -> None:
    app.jinja_env.filters["unbroken"] = unbroken
