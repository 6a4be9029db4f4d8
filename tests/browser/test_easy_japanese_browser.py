"""やさしい日本語 in Chromium: a resident completes the survey; on every page every kanji the
resident sees is inside <ruby> with a reading, and the furigana switch (a plain link, no
JavaScript needed) hides the readings."""
from __future__ import annotations

from sqlalchemy import select

from survey_app.models import Response
from tests.support.survey import SURVEY_URL

EASY = "ja-x-easy"
ANSWERS = [{"kurashiyasui": "2"}, {"has_children": "2", "kosodate": "1"}, {"hatarakiyasui": "1"},
           {"kyosei": "9"}, {"kenko": "1"},
           {"age_band": "3", "sex": "2", "district": "2", "nationality": "2", "years_lived": "2",
            "household_size": "4", "employment": "1"}, {}]

# Visible text nodes with a kanji that is not inside a <ruby> (the language menu names
# each language in itself, 日本語, and is left out).
_UNREAD_JS = r"""() => {
  const kanji = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々]/;
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!kanji.test(n.data) || el.closest('ruby, nav.languages, script, style')) continue;
    if (el.offsetParent !== null || getComputedStyle(el).position === 'fixed') out.push(n.data.trim());
  }
  return out;
}"""


def press(page, nav: str) -> None:
    with page.expect_navigation():
        page.click(f"button[name='nav'][value='{nav}']")


def test_easy_japanese_survey_in_chromium_has_ruby_on_every_kanji(new_page, session):
    page = new_page(lang="ja")
    page.goto(f"{SURVEY_URL}/?lang={EASY}")
    assert page.locator("html").get_attribute("lang") == EASY
    assert page.locator("ruby rt").count() > 10 and page.evaluate(_UNREAD_JS) == []
    rt = page.locator("ruby rt").first
    assert rt.evaluate("e => getComputedStyle(e).display") != "none"
    with page.expect_navigation():
        page.click(".furigana-switch a")
    assert rt.evaluate("e => getComputedStyle(e).display") == "none"
    with page.expect_navigation():
        page.click(".furigana-switch a")
    assert page.locator("ruby rt").first.evaluate("e => getComputedStyle(e).display") != "none"
    press(page, "next")
    for answers in ANSWERS:
        assert page.evaluate(_UNREAD_JS) == [], page.url
        for qid, value in answers.items():
            choice = page.locator(f"input[name='{qid}'][value='{value}']")
            if choice.count():
                choice.check()
            else:
                page.fill(f"#{qid}", value)
        press(page, "next")
    assert page.url.endswith("/review") and page.evaluate(_UNREAD_JS) == []
    press(page, "submit")
    assert page.url.endswith("/thanks") and page.evaluate(_UNREAD_JS) == []
    stored = session.scalars(select(Response)).one()
    assert (stored.status, stored.locale) == ("complete", EASY)
