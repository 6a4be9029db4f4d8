"""Texts as HTML for resident pages: ruby readings, and isolated numbers and codes in Urdu.

* やさしい日本語 (a locale whose registry entry has ``ruby``): ``{漢字|かんじ}`` → ``<ruby>``;
* right-to-left locales: phone numbers, codes, URLs and numbers in ``<bdi dir="ltr">``,
  short Japanese names kept whole (see :mod:`survey_app.i18n.bidi`);
* everything else: escaped text, unchanged.

The furigana switch works without JavaScript: ``?furigana=off`` / ``?furigana=on`` is
remembered in the session and the page gets ``class="no-furigana"`` (CSS hides ``rt``).
"""
from __future__ import annotations

import html
from urllib.parse import urlencode

from flask import request, session
from markupsafe import Markup

from survey_app.i18n import locales, ruby
from survey_app.i18n.bidi import isolated_html
from survey_app.i18n.texts import InstrumentTexts

FURIGANA_PARAM = "furigana"


def rich(text: str, locale: str) -> Markup:
    rtl = locales.direction(locale) == "rtl"

    def between(part: str) -> str:
        return isolated_html(part, rtl) if rtl else html.escape(part, quote=False)

    if locales.uses_ruby(locale):
        return Markup(ruby.to_html(text, between))
    return Markup(between(text))


def ruby_html(text: str, locale: str) -> str:
    """An interface string with ruby markup as HTML; any other string unchanged."""
    if locales.uses_ruby(locale) and ruby.has_markup(text):
        return Markup(ruby.to_html(text))
    return text


class WebTexts(InstrumentTexts):
    """The instrument's wording as safe HTML for templates."""

    def _text(self, context: str, source: str) -> str:
        return rich(super()._text(context, source), self.locale)


def furigana_hidden() -> bool:
    chosen = request.args.get(FURIGANA_PARAM)
    if chosen in ("on", "off"):
        session[FURIGANA_PARAM] = chosen
    return session.get(FURIGANA_PARAM) == "off"


def furigana_switch(locale: str) -> dict | None:
    """The link that turns readings off (or on again), for ruby locales only."""
    if not locales.uses_ruby(locale):
        return None
    hidden = furigana_hidden()
    args = [(k, v) for k, v in request.args.items(multi=True) if k != FURIGANA_PARAM]
    return {"hidden": hidden, "href": request.path + "?" + urlencode([*args, (FURIGANA_PARAM, "on" if hidden else "off")])}
