"""Letters a city can mail: one A4 page per letter, the code whole on one line, everything a resident
needs (deadline, why they were chosen, phone and hours, paper alternative), refused without a public URL."""
from __future__ import annotations

import datetime as dt
import re
import stat

import pytest

from survey_app import survey_settings
from survey_app.i18n.fmt import display_width
from survey_app.invitations import create_invitations
from survey_app.letter_pdf import (
    URL_COLUMNS,
    LetterRefused,
    japanese_date,
    letter_setup,
    letters_pdf,
    public_url_problem,
    url_lines,
)
from tests.support.pdfcheck import pdf_fonts, pdf_pages_text, pdf_text, pdf_to_pngs, pdf_words_outside

# The subject is the letters' layout, not storage: SQLite alone; every statement sent here reaches
# PostgreSQL in another test (tests/support/db.py, checked by tests/support/sql_reach.py).
pytestmark = pytest.mark.databases("sqlite")

SETTINGS = {"sender": "江別市長 三好 昇", "contact_office": "江別市 企画政策部 企画政策課",
            "contact_phone": "011-381-1010", "contact_hours": "平日 8:45〜17:15",
            "response_deadline": "2026-01-31", "letter_date": "2026-01-09"}


@pytest.fixture
def setup():
    return letter_setup(SETTINGS, "https://survey.city.ebetsu.example", "EbetsuSurveyBot")


@pytest.fixture
def three_letters(session, instrument, secret):
    return create_invitations(session, instrument, secret, [{"age_band": 1, "sex": 2, "district": 3}] * 3)


def test_one_page_per_letter_with_the_whole_code_on_one_line(three_letters, instrument, setup, tmp_path):
    pdf = letters_pdf(three_letters, instrument, setup)
    pages = pdf_pages_text(pdf)
    assert len(pages) == 3
    for letter, page in zip(three_letters, pages, strict=True):
        assert any(letter.code in line for line in page.splitlines()), f"{letter.code} broken across lines"
        assert f"code={letter.code}" in page  # the web address with the code, unbroken too
        for needed in ("令和8年1月31日（土）までにご回答ください", "無作為", "住民基本台帳", "011-381-1010",
                       "8:45〜17:15", "江別市長 三好 昇", "令和8年1月9日（金）", "紙の調査票"):
            assert needed in page.replace("\n", ""), needed
        assert "Tiếng Việt" in page or "tiếng" in page.lower()  # the Vietnamese line
        assert "اردو" in page or re.search("[\u0600-\u06ff]", page)  # the Urdu line
        assert "Telegram" in page
    assert all(font["embedded"] == "yes" for font in pdf_fonts(pdf))
    assert pdf_words_outside(pdf, 18 / 25.4 * 72) == []  # letter.html's @page: 18 mm left and right
    assert len(pdf_to_pngs(pdf, tmp_path, dpi=30)) == 3


LONG_BASE = "https://www.city.ebetsu.hokkaido.jp/soshiki/kikaku/shimin-anketo/reiwa7nendo/ebetsu-shimin-ishiki-chosa"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the layout: one database is enough
def test_a_long_city_address_breaks_onto_lines_and_keeps_the_code_whole(three_letters, instrument):
    """A city's page path made the address run off the page, cutting the code (x up to 597 pt)."""
    pdf = letters_pdf(three_letters, instrument, letter_setup(SETTINGS, LONG_BASE, "EbetsuSurveyBot"))
    assert pdf_words_outside(pdf, 18 / 25.4 * 72) == []
    pages = pdf_pages_text(pdf)
    assert len(pages) == 3  # still one page a letter
    for letter, page in zip(three_letters, pages, strict=True):
        lines = [line.strip() for line in page.splitlines()]
        start = lines.index(LONG_BASE.rsplit("/", 1)[0] + "/")
        assert "".join(lines[start:start + 2]) == f"{LONG_BASE}/s/ebetsu-2025/?code={letter.code}"


@pytest.mark.parametrize("url", [
    "https://survey.city.ebetsu.example/s/ebetsu-2025/?code=VBAQ-S2FP-Q7M5-9E6S",
    f"{LONG_BASE}/s/ebetsu-2025/?code=VBAQ-S2FP-Q7M5-9E6S",
    "https://www.city.ebetsu.hokkaido.jp/soshiki/kikaku/shimin-anketo-2025/s/ebetsu-2025/?code=VBAQ-S2FP-Q7M5-9E6S",
    "https://x.example/" + "a" * 200 + "/s/e/?code=AAAA-BBBB-CCCC-DDDD",
])
def test_address_lines_join_to_the_address_and_fit(url):
    lines = url_lines(url)
    assert "".join(lines) == url and all(len(line) <= URL_COLUMNS for line in lines)
    assert any(line.endswith("?code=" + url.rsplit("=", 1)[1]) for line in lines)  # the code is never split
    assert len(lines) == 1 or not url.startswith("https://survey.")  # a short address stays on one line


@pytest.mark.parametrize("url", [None, "", "http://127.0.0.1:5077", "http://localhost:5000/", "http://[::1]/",
                                 "http://0.0.0.0:8000", "survey.city.example"])
def test_refused_without_a_public_url_naming_the_setting(url):
    with pytest.raises(LetterRefused) as info:
        letter_setup(SETTINGS, url, None)
    assert "PUBLIC_BASE_URL" in str(info.value)
    assert public_url_problem("https://survey.city.ebetsu.example") is None


def test_refused_without_deadline_or_contact():
    without_deadline = {k: v for k, v in SETTINGS.items() if k != "response_deadline"}
    with pytest.raises(LetterRefused, match="response_deadline"):
        letter_setup(without_deadline, "https://survey.example", None)
    assert letter_setup(without_deadline, "https://survey.example", None, dt.date(2026, 2, 1)).deadline.day == 1
    with pytest.raises(LetterRefused, match="contact_phone"):
        letter_setup({k: v for k, v in SETTINGS.items() if k != "contact_phone"}, "https://survey.example", None)
    with pytest.raises(LetterRefused, match="not after"):
        letter_setup(SETTINGS, "https://survey.example", None, dt.date(2026, 1, 9))


def test_japanese_dates_in_the_era_calendar():
    assert japanese_date(dt.date(2026, 1, 31)) == "令和8年1月31日（土）"
    assert japanese_date(dt.date(2019, 5, 1)) == "令和元年5月1日（水）"


def test_settings_are_validated_and_audited(session, instrument):
    from sqlalchemy import select

    from survey_app.models import AuditEvent

    with pytest.raises(survey_settings.SettingError, match="response_deadline"):
        survey_settings.update(session, instrument.id, {"response_deadline": "31/01/2026x"}, "a@city.example")
    with pytest.raises(survey_settings.SettingError, match="Unknown setting"):
        survey_settings.update(session, instrument.id, {"mayor": "x"}, "a@city.example")
    changed = survey_settings.update(session, instrument.id, {"response_deadline": "２０２６-０１-３１",
                                                              "contact_phone": " 011-381-1010 "}, "a@city.example")
    assert sorted(changed) == ["contact_phone", "response_deadline"]
    assert survey_settings.read(session, instrument.id)["response_deadline"] == "2026-01-31"
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "survey_settings")).one()
    assert event.detail["contact_phone"] == {"old": "", "new": "011-381-1010"}
    assert survey_settings.update(session, instrument.id, {"contact_phone": "011-381-1010"}, "x") == []
    with pytest.raises(survey_settings.SettingError, match="before it starts"):
        survey_settings.update(session, instrument.id, {"fieldwork_start": "2026-02-01",
                                                        "fieldwork_end": "2026-01-01"}, "x")


@pytest.mark.parametrize("value", ["江別市長\u202e三好 昇", "江別市\x07", "企画政策部\u2066", "平日\u200f 8:45〜17:15",
                                   "江別\u200b市", "\ufeff江別市"])
def test_invisible_control_characters_are_refused_naming_them(session, instrument, value):
    """They printed on every letter (U+202E turned the sender's name around); the account form refused them."""
    with pytest.raises(survey_settings.SettingError, match=r"invisible control characters \(U\+"):
        survey_settings.update(session, instrument.id, {"sender": value}, "a@city.example")
    assert "sender" not in survey_settings.read(session, instrument.id)
    assert survey_settings.update(session, instrument.id, {"paper_alternative": "一行目\n二行目\tタブ"}, "x")


@pytest.mark.parametrize(("key", "value", "stored"), [
    ("response_deadline", "0001-01-01", None),  # printed 平成-1987年1月1日 on the letters
    ("letter_date", "2100-01-01", None),
    ("contact_phone", "abc", None),
    ("contact_phone", "12-3", None),
    ("contact_phone", "０１１－３８１－１０１０", "011-381-1010"),
    ("contact_phone", "+81 11 381 1010", "+81 11 381 1010"),
])
def test_a_date_out_of_range_or_a_phone_nobody_can_dial_is_refused(session, instrument, key, value, stored):
    if stored is None:
        with pytest.raises(survey_settings.SettingError, match=key):
            survey_settings.update(session, instrument.id, {key: value}, "a@city.example")
        assert key not in survey_settings.read(session, instrument.id)
    else:
        survey_settings.update(session, instrument.id, {key: value}, "a@city.example")
        assert survey_settings.read(session, instrument.id)[key] == stored


def test_cli_letters_from_the_letters_file(cli, tmp_path, monkeypatch):
    cli("setup")
    frame = tmp_path / "frame.csv"
    frame.write_text("age_band,sex,district\n1,1,1\n6,2,3\n", encoding="utf-8")
    letters = tmp_path / "letters.csv"
    assert cli("invitations", "create", "--survey", "ebetsu-2025", "--frame", str(frame),
               "--out", str(letters)).exit_code == 0
    out = tmp_path / "letters.pdf"
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    refused = cli("invitations", "letters", "--survey", "ebetsu-2025", "--letters", str(letters),
                  "--output", str(out))
    assert refused.exit_code == 1 and "PUBLIC_BASE_URL" in refused.output and not out.exists()
    settings = [f"--set={k}={v}" for k, v in SETTINGS.items() if k != "response_deadline"]
    assert cli("survey", "settings", "--survey", "ebetsu-2025", *settings).exit_code == 0
    no_deadline = cli("invitations", "letters", "--survey", "ebetsu-2025", "--letters", str(letters),
                      "--output", str(out), "--base-url", "https://survey.example.jp")
    assert no_deadline.exit_code == 1 and "response_deadline" in no_deadline.output
    done = cli("invitations", "letters", "--survey", "ebetsu-2025", "--letters", str(letters), "--output", str(out),
               "--base-url", "https://survey.example.jp", "--deadline", "2026-02-15")
    assert done.exit_code == 0, done.output
    text = pdf_text(out.read_bytes())
    assert text.count("\f") == 2 and "令和8年2月15日（日）" in text
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # every code on it: the owner's alone, as the letters CSV


def test_every_language_line_names_the_bot_the_code_and_the_phone_isolated(three_letters, instrument, setup,
                                                                          tmp_path):
    """Issue 15: the resident-language lines said the bot and the contact only in Japanese; the Urdu
    line reordered digit groups; the やさしい日本語 line was a literal without readings."""
    from survey_app.i18n import locales, ruby
    from survey_app.i18n.catalogs import get_translations
    from survey_app.letter_languages import OTHER_LANGUAGE
    from survey_app.letter_pdf import letters_html

    letter = three_letters[0]
    page = letters_html([letter], instrument, setup)
    lines = dict(re.findall(r'<li lang="([^"]+)" dir="(?:ltr|rtl)">(.*?)</li>', page))
    assert list(lines) == [tag for tag in instrument.languages if tag != locales.default()]
    for tag, line in lines.items():
        assert f'<bdi dir="ltr" class="value-phone">{SETTINGS["contact_phone"]}</bdi>' in line, tag
        assert f'<bdi dir="ltr" class="value-code">{letter.code}</bdi>' in line, tag
        assert "Telegram" in line, tag
    assert 'lang="ur" dir="rtl"' in page
    easy = ruby.to_chat(get_translations("ja-x-easy").gettext(OTHER_LANGUAGE))
    assert "（こた）" in easy and easy in lines["ja-x-easy"]  # from the catalog, readings in parentheses
    pdf = letters_pdf([letter], instrument, setup)
    text = pdf_text(pdf).replace("\n", " ")
    assert text.count(SETTINGS["contact_phone"]) == 1 + len(lines)  # the contact box and every language line
    assert text.count(letter.code) >= 2 + len(lines)  # the code box, the address, every language line
    assert "5151" not in text.replace(SETTINGS["contact_phone"], "")
    assert len(pdf_pages_text(pdf)) == 1 and pdf_to_pngs(pdf, tmp_path, dpi=110)



def test_with_a_line_account_the_letter_has_a_third_qr_and_every_language_names_line(three_letters, instrument,
                                                                                    tmp_path):
    """Issue 15: LINE on the printed letter — a QR labelled LINE (the chat opens with ``/start CODE``
    typed in), the Japanese sentence under the address and LINE in every language line."""
    from urllib.parse import unquote

    from survey_app.i18n import locales, ruby
    from survey_app.i18n.catalogs import get_translations
    from survey_app.letter_languages import OTHER_LANGUAGE_LINE
    from survey_app.letter_pdf import letters_html

    setup = letter_setup(SETTINGS, "https://survey.city.ebetsu.example", "EbetsuSurveyBot",
                         line_basic_id="@123ABCDE")
    assert setup.line_account == "@123abcde"  # LINE IDs are lower case; a capital typed in is forgiven
    letter = three_letters[0]
    page = letters_html([letter], instrument, setup)
    assert page.count("<figcaption>") == 3 and "<figcaption>LINE</figcaption>" in page
    link = f"https://line.me/R/oaMessage/%40123abcde/?{'%2Fstart%20' + letter.code}"
    assert f'aria-label="QR: {link}"' in page and unquote(link.split("?", 1)[1]) == f"/start {letter.code}"
    lines = dict(re.findall(r'<li lang="([^"]+)" dir="(?:ltr|rtl)">(.*?)</li>', page))
    for tag, line in lines.items():
        sentence = get_translations(tag).gettext(OTHER_LANGUAGE_LINE)
        assert "LINE" in sentence and (sentence != OTHER_LANGUAGE_LINE or tag == "en"), tag
        shown = ruby.to_chat(sentence) if locales.uses_ruby(tag) else sentence
        assert shown.split("LINE")[0].strip() in line and "Telegram" in line, tag
    pdf = letters_pdf([letter], instrument, setup)
    text = pdf_text(pdf).replace("\n", "")
    assert "またはLINEで回答：「LINE」のQRコード" in text  # the Japanese sentence under the address
    assert "LINEでも 答（こた）えることが" in text and "answer in LINE" in text and "qua LINE" in text
    assert len(pdf_pages_text(pdf)) == 1 and len(pdf_to_pngs(pdf, tmp_path, dpi=110)) == 1  # still one page


def test_without_a_line_account_the_letter_says_nothing_of_line(three_letters, instrument, setup):
    from survey_app.letter_pdf import letters_html

    page = letters_html(three_letters[:1], instrument, setup)
    assert "LINE" not in page and page.count("<figcaption>") == 2


@pytest.mark.parametrize("basic_id", ["123abcde!", "@", "@ab", "@line account", "https://line.me/R/ti/p/@123abcde",
                                      "@" + "a" * 30])
def test_a_malformed_line_id_is_refused_naming_the_setting(basic_id):
    with pytest.raises(LetterRefused) as info:
        letter_setup(SETTINGS, "https://survey.example", None, line_basic_id=basic_id)
    message = str(info.value)
    assert "LINE_BASIC_ID" in message and "@123abcde" in message and "\n" not in message
    assert letter_setup(SETTINGS, "https://survey.example", None, line_basic_id="123abcde").line_account \
        == "@123abcde"


def test_cli_refuses_a_malformed_line_id_before_any_code_and_writes_line_url(cli, session, tmp_path):
    from sqlalchemy import func, select

    from survey_app.models import Invitation

    cli("setup")
    frame = tmp_path / "frame.csv"
    frame.write_text("age_band,sex,district\n1,1,1\n", encoding="utf-8")
    out = tmp_path / "letters.csv"
    refused = cli("invitations", "create", "--survey", "ebetsu-2025", "--frame", str(frame), "--out", str(out),
                  "--line-basic-id", "@city office")
    assert refused.exit_code == 1 and "LINE_BASIC_ID" in refused.output and not out.exists()
    done = cli("invitations", "create", "--survey", "ebetsu-2025", "--frame", str(frame), "--out", str(out),
               "--line-basic-id", "@123abcde")
    assert done.exit_code == 0, done.output
    header, row = out.read_text(encoding="utf-8-sig").splitlines()
    assert header.endswith("telegram_url,line_url") and "https://line.me/R/oaMessage/%40123abcde/?%2Fstart%20" in row
    assert session.scalar(select(func.count(Invitation.id))) == 1  # the refused run stored no code


def test_a_wide_character_path_is_cut_by_its_printed_width():
    url = "https://x.example/" + "調査" * 40 + "/s/e/?code=AAAA-BBBB-CCCC-DDDD"
    lines = url_lines(url)
    assert "".join(lines) == url and all(display_width(line) <= URL_COLUMNS for line in lines)
