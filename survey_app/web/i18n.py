"""Jinja2 i18n with our gettext catalogs, and what every template gets to know.

Templates use ``{{ _("English msgid %(x)s", x=...) }}`` (new-style gettext: the
value is formatted and escaped by Jinja). The catalog is the resident's language,
resolved once per request by :func:`survey_app.web.context.current_locale`.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from flask import Flask, request

from survey_app.i18n import locales

from .context import LANG_PARAM, current_locale, translations
from .rich import furigana_switch, ruby_html


def _gettext(message: str) -> str:
    return ruby_html(translations().gettext(message), current_locale())


def _ngettext(singular: str, plural: str, n: int) -> str:
    return ruby_html(translations().ngettext(singular, plural, n), current_locale())


def _pgettext(ctx: str, message: str) -> str:
    # Babel types pgettext as object (its lookup sentinel); what it returns is the text
    return ruby_html(str(translations().pgettext(ctx, message)), current_locale())


def language_links(allowed: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """Links to the current page in each language, labelled by the language's own name.

    Every page answers GET at its own path, so a link to the same path (other query
    arguments such as ``code`` kept) also works from a page shown after a POST.
    """
    args = [(k, v) for k, v in request.args.items(multi=True) if k != LANG_PARAM]
    path = same_origin_path(request.path)
    links = []
    for code in allowed or locales.supported():
        href = path + "?" + urlencode([*args, (LANG_PARAM, code)])
        links.append({"code": code, "name": locales.native_name(code), "href": href,
                      "current": code == current_locale(), "dir": locales.direction(code)})
    return links


def same_origin_path(path: str) -> str:
    """``path`` percent-encoded, starting with exactly one ``/``: always a link to this host.

    The 404 page of ``/%5Cevil.example`` has the path ``/\\evil.example``; written back as
    it is, browsers read the backslash as a slash and the link as ``//evil.example``, a
    scheme-relative URL to another host. Encoding everything but RFC 3986 path characters
    (so ``\\`` becomes ``%5C``, control characters ``%0D``…) and collapsing leading slashes
    leaves only a path on this host.
    """
    return "/" + quote(path, safe="/:@!$&'()*+,;=-._~").lstrip("/")


def template_globals() -> dict[str, Any]:
    locale = current_locale()
    return {"locale": locale, "text_direction": locales.direction(locale), "language_links": language_links,
            "furigana": furigana_switch(locale)}


def init_i18n(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext, newstyle=True)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.context_processor(template_globals)
