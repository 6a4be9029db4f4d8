"""Jinja2 i18n with our gettext catalogs, and what every template gets to know.

Templates use ``{{ _("English msgid %(x)s", x=...) }}`` (new-style gettext: the
value is formatted and escaped by Jinja). The catalog is the resident's language,
resolved once per request by :func:`survey_app.web.context.current_locale`.
"""
from __future__ import annotations

import weakref
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlencode

from flask import Flask, request
from jinja2.runtime import Context
from jinja2.utils import pass_context
from markupsafe import Markup

from survey_app.i18n import locales
from survey_app.i18n.catalogs import Loaded
from survey_app.i18n.fmt import one_decimal

from .context import LANG_PARAM, current_locale, translations
from .rich import furigana_switch, ruby_html


def _gettext(message: str) -> str:
    return ruby_html(translations().gettext(message), current_locale())


def _ngettext(singular: str, plural: str, n: int) -> str:
    return ruby_html(translations().ngettext(singular, plural, n), current_locale())


# What ``_("…")`` without variables gave, per catalog object: a survey page calls it a dozen
# times and Jinja's wrapper (Markup, ``%`` formatting, the ruby pass) was a tenth of the
# page's time. A reloaded catalog is a new object, so its messages start afresh.
_rendered: weakref.WeakKeyDictionary[Loaded, dict[tuple[str, str, bool], str]] = weakref.WeakKeyDictionary()


@pass_context
def template_gettext(context: Context, message: str, /, **variables: Any) -> str:
    """Jinja's new-style ``_()`` exactly (``jinja2.ext._make_new_gettext``: the message is
    always a format string, escaped when autoescaping), remembering results without variables."""
    autoescape = bool(context.eval_ctx.autoescape)
    if variables:
        return _new_style(_gettext(message), autoescape) % variables
    catalog, key = translations(), (current_locale(), message, autoescape)
    remembered = _rendered.setdefault(catalog, {})
    if key not in remembered:
        remembered[key] = _new_style(_gettext(message), autoescape) % {}
    return remembered[key]


def _new_style(text: str, autoescape: bool) -> str:
    return Markup(text) if autoescape else text


def _pgettext(ctx: str, message: str) -> str:
    # Babel types pgettext as object (its lookup sentinel); what it returns is the text
    return ruby_html(str(translations().pgettext(ctx, message)), current_locale())


def language_links(allowed: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """Links to the current page in each language, labelled by the language's own name.

    Every page answers GET at its own path, so a link to the same path (other query
    arguments such as ``code`` kept) also works from a page shown after a POST.
    """
    args = tuple((k, v) for k, v in request.args.items(multi=True) if k != LANG_PARAM)
    return _links(request.path, args, current_locale(), tuple(allowed or locales.supported()))


@lru_cache(maxsize=4096)  # the same few dozen pages in a handful of languages, on every page view
def _links(path: str, args: tuple[tuple[str, str], ...], current: str,
           offered: tuple[str, ...]) -> list[dict[str, Any]]:
    base = same_origin_path(path)
    return [{"code": code, "name": locales.native_name(code), "href": base + "?" + urlencode([*args, (LANG_PARAM, code)]),
             "current": code == current, "dir": locales.direction(code)} for code in offered]


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
    # The same, remembered; ``_`` too (Jinja's ``_`` looks ``gettext`` up on every call)
    app.jinja_env.globals.update(gettext=template_gettext, _=template_gettext)
    app.jinja_env.filters["pct1"] = one_decimal  # percentages: 四捨五入 to one decimal, as every export
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.context_processor(template_globals)
