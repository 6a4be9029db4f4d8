"""Invitation letters a city can mail: one A4 page per letter, as a PDF (``survey_app.pdf``).

The page is laid out for a 長形3号 窓あき封筒 (A4 folded in three): the address window at the
top left is left empty — the print vendor sticks the address label there, because Machikoe never
holds names or addresses. The letter text is Japanese (the city's own letter); one short line in
each other language the survey offers (English, Vietnamese, Urdu, やさしい日本語 with its readings
as 漢字（かんじ）) tells a resident, in their language, how to answer in it, about the Telegram bot and
the LINE account (each only when configured), their code
and the phone number — code and phone isolated left to right (``<bdi dir="ltr">``) in the Urdu line.

Everything a mailed letter must say comes from the survey's settings (``survey_app.survey_settings``):
sender, date, 回答期限, contact office, phone and hours, the paper alternative. Printing is refused —
before any code is created — when the public address is missing or a loopback address (a letter
saying ``http://127.0.0.1`` reaches nobody) or the settings a resident needs are missing.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape

from survey_app.i18n import N_
from survey_app.i18n.catalogs import get_translations
from survey_app.i18n.fmt import cut_to_width, display_width, era_year
from survey_app.i18n.locales import default
from survey_app.instrument import Instrument
from survey_app.invitations import (
    Letter,
    LineAccountError,
    TelegramAccountError,
    line_account,
    telegram_account,
)
from survey_app.letter_languages import language_lines
from survey_app.letters import printable
from survey_app.pdf import html_to_pdf
from survey_app.survey_settings import date_setting

TEMPLATES = Path(__file__).resolve().parent / "print_templates"
PUBLIC_URL_SETTING = "PUBLIC_BASE_URL"
REQUIRED_SETTINGS = ("sender", "contact_office", "contact_phone", "contact_hours")
WEEKDAYS = "月火水木金土日"


class LetterRefused(ValueError):
    """The letters cannot be printed as configured; ``message % params`` says what to set."""

    def __init__(self, message: str, **params: object) -> None:
        self.message, self.params = message, params
        super().__init__(message % params if params else message)


@dataclass(frozen=True)
class LetterSetup:
    base_url: str
    bot_username: str | None
    line_account: str | None  # the LINE official account's ID (@123abcde), checked
    sender: str
    office: str
    phone: str
    hours: str
    paper: str  # empty: the standard sentence
    deadline: dt.date
    letter_date: dt.date


def public_url_problem(url: str | None) -> str | None:
    """Why ``url`` cannot go on a letter (msgid), or None: unset, not http(s), or loopback/unspecified."""
    if not url or not url.strip():
        return N_("The public address of the survey is not configured: set %(setting)s "
                  "(e.g. https://survey.city.example) and print again.")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return N_("The public address '%(url)s' is not a web address: set %(setting)s "
                  "(e.g. https://survey.city.example).")
    host = parts.hostname
    try:
        loopback = ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_unspecified
    except ValueError:
        loopback = host == "localhost" or host.endswith(".localhost")
    if loopback:
        return N_("The public address '%(url)s' only works on this computer: set %(setting)s "
                  "to the address residents can open.")
    return None


def letter_setup(settings: dict[str, str], base_url: str | None, bot_username: str | None,
                 deadline: dt.date | None = None, today: dt.date | None = None,
                 line_basic_id: str | None = None) -> LetterSetup:
    """Check everything a mailed letter needs; raise LetterRefused naming the first thing to set."""
    problem = public_url_problem(base_url)
    if problem or base_url is None:  # no problem means a URL was given
        raise LetterRefused(problem or "", url=base_url or "", setting=PUBLIC_URL_SETTING)
    try:
        account = line_account(line_basic_id)
        bot_username = telegram_account(bot_username)
    except (LineAccountError, TelegramAccountError) as exc:
        raise LetterRefused(exc.message, **exc.params) from None
    deadline = deadline or date_setting(settings, "response_deadline")
    if deadline is None:
        raise LetterRefused(N_("The letters need a response deadline: set '%(setting)s' in the survey settings "
                               "or give --deadline."), setting="response_deadline")
    missing = [key for key in REQUIRED_SETTINGS if not settings.get(key)]
    if missing:
        raise LetterRefused(N_("The letters need these survey settings: %(settings)s."),
                            settings=", ".join(missing))
    letter_date = date_setting(settings, "letter_date") or today or dt.date.today()
    if deadline <= letter_date:
        raise LetterRefused(N_("The response deadline %(deadline)s is not after the letter's date %(date)s."),
                            deadline=deadline.isoformat(), date=letter_date.isoformat())
    return LetterSetup(base_url.strip(), bot_username or None, account, settings["sender"],
                       settings["contact_office"],
                       settings["contact_phone"], settings["contact_hours"], settings.get("paper_alternative", ""),
                       deadline, letter_date)


def japanese_date(day: dt.date) -> str:
    """2027-01-31 → 令和9年1月31日（日）: official letters date in the era calendar, with the weekday."""
    era, year = era_year(day.year) if day >= dt.date(2019, 5, 1) else ("平成", day.year - 1988)
    return f"{era}{'元' if year == 1 else year}年{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


# The letter in Japanese (msgids in English, as every interface string).
BODY = {
    "title": N_("Please take part in the %(survey)s"),
    "greeting": N_("To the residents of the city"),
    "purpose": N_("The city asks residents what they think of life in the city, to check how its "
                  "comprehensive strategy is doing and to plan its work. The survey takes about ten minutes."),
    "why": N_("This letter goes to residents chosen at random from the Basic Resident Register. "
              "You were not chosen by name, and your answers cannot be traced back to you."),
    "deadline": N_("Please answer by %(date)s."),
    "how": N_("How to answer"),
    "web": N_("Answer on the web: scan the QR code or type the address."),
    "code": N_("Your personal code"),
    "code_note": N_("Type the code if the page asks for it. It lets you answer once; it is not linked to "
                    "your name or address."),
    "telegram": N_("Or answer in Telegram: scan this QR code."),
    "line": N_("Or answer in LINE: scan the QR code marked LINE and send the message that appears "
               "(it contains your code)."),
    "paper": N_("If you cannot answer on the internet, call us: we will mail you a paper questionnaire "
                "and a prepaid return envelope."),
    "privacy": N_("Your personal information"),
    "contact": N_("Questions about this survey"),
    "phone": N_("Phone: %(phone)s"),
    "hours": N_("Hours: %(hours)s"),
}
def _body(survey_title: str, setup: LetterSetup) -> dict[str, str]:
    t = get_translations(default())
    words = {key: t.gettext(msgid) for key, msgid in BODY.items()}
    words["title"] = words["title"] % {"survey": survey_title}
    words["deadline"] = words["deadline"] % {"date": japanese_date(setup.deadline)}
    words["phone"] = words["phone"] % {"phone": setup.phone}
    words["hours"] = words["hours"] % {"hours": setup.hours}
    if setup.paper:
        words["paper"] = setup.paper
    return words


# The printed address: 9 pt Noto Sans Mono, whose every character is 0.6 em (5.4 pt) wide, in the
# 174 mm (493 pt) between the 18 mm margins: 91 columns; 88 leave room for rounding.
URL_COLUMNS = 88


def url_lines(url: str, columns: int = URL_COLUMNS) -> list[str]:
    """The letter's web address in lines of at most ``columns`` characters, to be typed as one.

    A city's page path can be long (``https://www.city.ebetsu.hokkaido.jp/soshiki/…``): on one
    line it ran off the page and cut the code. It breaks before ``?code=…`` (kept whole), then
    after a ``/``; a piece longer than a line is cut where the line ends. No invisible break
    characters are added (a zero-width space would go along with a copied address)."""
    if display_width(url) <= columns:
        return [url]
    path, mark, query = url.partition("?")
    pieces = [*_path_pieces(path), *([mark + query] if mark else [])]
    lines = [""]
    for piece in pieces:
        if display_width(lines[-1] + piece) > columns and lines[-1]:
            lines.append("")
        lines[-1] += piece
        while display_width(lines[-1]) > columns:  # one piece longer than a line
            head = cut_to_width(lines[-1], columns)
            lines[-1:] = [head, lines[-1][len(head):]]
    return lines


def _path_pieces(path: str) -> list[str]:
    """``https://host/a/b`` → ``https://host/``, ``a/``, ``b`` (the host is never split)."""
    scheme, _, rest = path.partition("://")
    host, slash, tail = rest.partition("/")
    pieces = [f"{scheme}://{host}{slash}"]
    for part in tail.split("/"):
        pieces.append(part + "/")
    pieces[-1] = pieces[-1][:-1]  # the last part has no slash after it
    return [piece for piece in pieces if piece]


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def letters_html(letters: list[Letter], instrument: Instrument, setup: LetterSetup) -> str:
    pages = printable(letters, instrument, setup.base_url, setup.bot_username, setup.line_account)
    return _environment().get_template("letter.html").render(
        letters=pages, setup=setup, words=_body(instrument.title, setup), lang=default(),
        letter_date=japanese_date(setup.letter_date), privacy_notice=instrument.privacy_notice, url_lines=url_lines,
        languages=lambda code: language_lines(instrument.languages, code, setup.phone, bool(setup.bot_username),
                                              bool(setup.line_account)))


def letters_pdf(letters: list[Letter], instrument: Instrument, setup: LetterSetup) -> bytes:
    """One A4 page per letter; Japanese text extractable; codes never broken across lines."""
    return html_to_pdf(letters_html(letters, instrument, setup), allowed_dirs=(TEMPLATES,),
                       title=_body(instrument.title, setup)["title"])
