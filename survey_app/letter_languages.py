"""The printed letter's lines in the residents' languages (``survey_app.letter_pdf``).

The letter is the city's, in Japanese; under it, one line in each other language the survey
offers tells a resident *in their language* how to answer in it, that there is a bot, their
code and the phone number to call (issue 15: these used to be said in Japanese only).

Each line comes from its locale's catalog: やさしい日本語 with its readings written 漢字（かんじ）
(print has no furigana switch); the code and the phone number are left-to-right islands
(``<bdi dir="ltr">``, the code in the Latin monospace font), and other Latin and digit runs are
isolated too, so an Urdu line cannot turn 011-381-1010 into 1010-381-011.

These strings are resident texts: ``translations check`` requires them in every resident
locale, やさしい日本語 included (``survey_app.i18n.checks.RESIDENT_SOURCES``).
"""
from __future__ import annotations

import html
import re

from survey_app.i18n import N_, ruby
from survey_app.i18n.bidi import isolated_html
from survey_app.i18n.catalogs import get_translations
from survey_app.i18n.locales import default, direction, offered, uses_ruby

# Each catalog translates "in English" as "in <its own language>".
OTHER_LANGUAGE = N_("You can answer in English: open the address above or scan the QR code, then choose "
                    "your language at the top of the page.")
OTHER_LANGUAGE_BOT = N_("You can also answer by chatting with our Telegram bot (second QR code).")
# Named by its label, not its place: the LINE code is second or third, depending on Telegram.
OTHER_LANGUAGE_LINE = N_("You can also answer in LINE: scan the QR code marked LINE and send the message "
                         "it fills in.")
OTHER_LANGUAGE_CONTACT = N_("Your personal code is %(code)s. Questions about the survey: call %(phone)s.")
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _segment_html(text: str, locale: str) -> str:
    """Escaped HTML of translated words: readings as 漢字（かんじ）, numbers and Latin runs isolated."""
    rtl = direction(locale) == "rtl"
    return isolated_html(ruby.to_chat(text), rtl) if uses_ruby(locale) else isolated_html(text, rtl)


def _line_html(template: str, values: dict[str, str], locale: str) -> str:
    """The translated line as HTML; each value (code, phone) is its own left-to-right island
    (``<bdi dir="ltr">``), so an Urdu line cannot reorder its digit groups."""
    pieces = _PLACEHOLDER.split(template)  # text, name, text, name, ..., text
    out = [_segment_html(pieces[0], locale)]
    for name, after in zip(pieces[1::2], pieces[2::2], strict=True):
        out.append(f'<bdi dir="ltr" class="value-{name}">{html.escape(values[name], quote=False)}</bdi>')
        out.append(_segment_html(after, locale))
    return "".join(out)


def language_lines(languages: tuple[str, ...], code: str, phone: str, bot: bool,
                   line: bool = False) -> list[dict[str, str]]:
    """One line for each of ``languages`` (a survey's) besides the letter's own, in that language:
    how to answer in it, the Telegram bot and the LINE account (each when there is one), the
    resident's code and the phone number."""
    channels = [OTHER_LANGUAGE_BOT] * bot + [OTHER_LANGUAGE_LINE] * line
    lines = []
    for loc in offered(languages):
        if loc == default():
            continue
        t = get_translations(loc)
        parts = [t.gettext(msgid) for msgid in (OTHER_LANGUAGE, *channels)]
        words = " ".join(_line_html(part, {}, loc) for part in parts)
        contact = _line_html(t.gettext(OTHER_LANGUAGE_CONTACT), {"code": code, "phone": phone}, loc)
        lines.append({"lang": loc, "dir": direction(loc), "html": f"{words} {contact}"})
    return lines
