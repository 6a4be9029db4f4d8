"""やさしい日本語 (ja-x-easy): ruby markup, its checks, the web survey with <ruby> on every kanji,
the furigana switch without JavaScript, and readings in parentheses in chat."""
from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Message
from sqlalchemy import select

from bot import callbacks
from bot.engine import Engine
from bot.events import Start, Tap
from bot.states import Conversation
from survey_app.i18n import locales, ruby
from survey_app.i18n.checks import entry_problems
from survey_app.instrument import bundled_path, load_instrument
from survey_app.models import Response
from tests.support.bot_memory_port import MemoryPort
from tests.support.survey import SURVEY_URL
from tests.support.web import PAGES, REVEALED, answer_all, start, submit, text_of

EASY = "ja-x-easy"
TYPED_ANSWERS = {v for _, answers in PAGES for v in answers.values() if isinstance(v, str)} | \
    {v for v in REVEALED.values() if isinstance(v, str)}


def kanji_outside_ruby(page_html: str) -> list[str]:
    """Kanji a resident sees without a reading: the body without <ruby>…</ruby>, tags, the language
    menu (each language is named in itself: 日本語) and what the resident typed."""
    body = page_html.split("<body", 1)[1]
    body = re.sub(r'<nav class="languages".*?</nav>', " ", body, flags=re.S)
    body = re.sub(r"<ruby>.*?</ruby>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    for typed in TYPED_ANSWERS:
        body = body.replace(typed, " ")
    return ruby.KANJI_RE.findall(body)


def test_ruby_markup_renders_for_web_and_chat():
    text = "{江別市|えべつし}に {住んで|すんで} <いる>"
    assert ruby.plain(text) == "江別市に 住んで <いる>"
    assert ruby.to_chat(text) == "江別市（えべつし）に 住んで（すんで） <いる>"
    assert ruby.to_html(text) == ("<ruby>江別市<rp>（</rp><rt>えべつし</rt><rp>）</rp></ruby>に "
                                  "<ruby>住んで<rp>（</rp><rt>すんで</rt><rp>）</rp></ruby> &lt;いる&gt;")


@pytest.mark.parametrize("translation, reason", [
    ("江別市は {住|す}みやすいです。", "kanji without a reading: 江別市"),
    ("{えべつ|えべつ}です。", "ruby group without kanji"),
    ("{市|shi}です。", "reading not in kana"),
    ("あ" * (ruby.MAX_SENTENCE + 1) + "。", "sentence longer than"),
])
def test_the_check_refuses_missing_readings_and_long_sentences(translation, reason):
    wanted = Message("江別市は住みやすいです。", context="question:x")
    found = Message("江別市は住みやすいです。", translation, context="question:x")
    assert any(reason in problem for problem in entry_problems(EASY, "survey", wanted, found))


def test_easy_japanese_is_a_resident_locale_that_falls_back_to_japanese():
    entry = locales.info(EASY)
    assert entry.native_name == "やさしい にほんご" and entry.fallbacks == ("ja",) and entry.ruby
    assert EASY not in locales.staff_locales()
    assert EASY in load_instrument(bundled_path()).languages


def test_resident_completes_the_web_survey_in_easy_japanese_with_ruby_on_every_kanji(client, session):
    started = start(client, lang=EASY)
    assert started.status_code == 302
    landing = text_of(client.get(f"{SURVEY_URL}/"))
    assert '<html lang="ja-x-easy" dir="ltr">' in landing and "<ruby>" in landing
    assert kanji_outside_ruby(landing) == []
    home = text_of(client.get("/"))  # the list of surveys printed the title's markup: {江別市|えべつし}に …
    assert "<ruby>" in home and "{" not in home.split("<body", 1)[1] and kanji_outside_ruby(home) == []
    for section_id, _answers in PAGES:
        page = text_of(client.get(f"{SURVEY_URL}/q/{section_id}"))
        assert "<ruby>" in page and "{" not in page.split("<body", 1)[1], section_id
        assert kanji_outside_ruby(page) == [], section_id
    answer_all(client)
    review = text_of(client.get(f"{SURVEY_URL}/review"))
    assert kanji_outside_ruby(review) == []
    assert submit(client).status_code == 302
    thanks = text_of(client.get(f"{SURVEY_URL}/thanks"))
    assert kanji_outside_ruby(thanks) == []
    session.expire_all()
    stored = session.scalars(select(Response)).one()
    assert (stored.status, stored.locale) == ("complete", EASY)  # analysis can break down by locale


def test_the_furigana_switch_works_without_javascript(client):
    page = text_of(client.get(f"{SURVEY_URL}/?lang={EASY}"))
    assert "furigana=off" in page and 'class="no-furigana"' not in page
    hidden = text_of(client.get(f"{SURVEY_URL}/?furigana=off"))
    assert '<html lang="ja-x-easy" dir="ltr" class="no-furigana">' in hidden and "furigana=on" in hidden
    assert 'class="no-furigana"' in text_of(client.get("/"))  # remembered on the next page
    shown = text_of(client.get(f"{SURVEY_URL}/?furigana=on"))
    assert 'class="no-furigana"' not in shown
    assert "furigana=" not in text_of(client.get(f"{SURVEY_URL}/?lang=ja"))  # only for ruby locales


def test_chat_shows_readings_in_parentheses():
    instrument = load_instrument(bundled_path())
    port, conv = MemoryPort(instrument), Conversation()
    conv, out = Engine(instrument).handle(conv, Start(None, "ja"), port)
    assert "やさしい にほんご" in [b.label for row in out.messages[0].buttons for b in row]
    conv, out = Engine(instrument).handle(conv, Tap(callbacks.encode(instrument, callbacks.LANGUAGE, EASY)), port)
    consent = "\n".join(m.text for m in out.messages)
    assert "説明（せつめい）" in consent and "{" not in consent  # the bot's own words are easy Japanese too
    conv, out = Engine(instrument).handle(conv, Tap(callbacks.encode(instrument, callbacks.CONSENT, "y")), port)
    text = "\n".join(m.text for m in out.messages)
    assert "江別市（えべつし）" in text and "{" not in text
