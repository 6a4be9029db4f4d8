"""Right-to-left text that reads correctly in chat clients.

Telegram lays a message out with the Unicode bidirectional algorithm and no markup, so in
Urdu a Latin fragment or a number next to punctuation can jump to the wrong side ("1."
before a choice, "/start", "K7QF-3MZD-8WXP-R2T8", "011-382-5151"). Each such run is wrapped
in FIRST STRONG ISOLATE (U+2068) … POP DIRECTIONAL ISOLATE (U+2069), which lays it out
on its own and keeps it in place. Left-to-right locales are returned unchanged.
"""
from __future__ import annotations

from survey_app.i18n import ruby
from survey_app.i18n.bidi import FSI, PDI, isolate, isolate_ltr_runs
from survey_app.i18n.locales import direction

__all__ = ["FSI", "PDI", "for_locale", "isolate", "isolate_ltr_runs"]


def for_locale(locale: str, text: str) -> str:
    """``text`` ready to send in ``locale`` (every channel: Telegram, LINE): ruby readings as
    漢字（かんじ） (chat has no ruby), then isolated runs for right-to-left."""
    text = ruby.to_chat(text)
    return isolate_ltr_runs(text) if direction(locale) == "rtl" else text
