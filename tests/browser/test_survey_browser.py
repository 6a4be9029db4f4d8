"""The resident survey in headless Chromium at 390×844: every language from start to thanks,
axe-core WCAG 2.1 A/AA on every page type, screenshots of each page type in ja and ur."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app import responses
from survey_app.invitations import create_invitations
from survey_app.models import Response, Survey
from tests.support.survey import SURVEY_URL

ANSWERS = [
    {"kurashiyasui": "2"},
    {"has_children": "1", "kosodate": "3"},
    {"hatarakiyasui": "1"},
    {"kyosei": "9"},
    {"kenko": "1"},
    {"age_band": "3", "sex": "2", "district": "2", "nationality": "2", "years_lived": "2",
     "household_size": "4", "employment": "1"},
    {"comment": "公園を増やしてほしい"},
]
REVEALED = {"kosodate_needs": ["2", "4"], "kosodate_reason": "保育園が足りない"}
SCREENSHOT_LANGUAGES = ("ja", "ur")


def answer(page, answers: dict) -> None:
    for qid, value in answers.items():
        for one in value if isinstance(value, list) else [value]:
            choice = page.locator(f"input[name='{qid}'][value='{one}']")
            if choice.count():
                choice.check()
            else:
                page.fill(f"#{qid}", one)


def press(page, nav: str) -> None:
    with page.expect_navigation():
        page.click(f"button[name='nav'][value='{nav}']")


class Visit:
    """Checks every page it is shown with axe and keeps screenshots (ja and ur)."""

    def __init__(self, lang, axe_violations, screenshot):
        self.lang, self.problems = lang, []
        self._axe, self._shot = axe_violations, screenshot

    def check(self, page, page_type: str) -> None:
        assert page.locator("html").get_attribute("lang") == self.lang, page_type
        assert page.locator("html").get_attribute("dir") == ("rtl" if self.lang == "ur" else "ltr")
        self.problems += [f"[{self.lang} {page_type}] {p}" for p in self._axe(page)]
        if self.lang in SCREENSHOT_LANGUAGES:
            self._shot(page, f"{page_type}-{self.lang}")


@pytest.mark.parametrize("lang", ["ja", "en", "vi", "ur"])
def test_complete_the_survey_in_each_language(new_page, live_server, session, lang, axe_violations, screenshot):
    visit = Visit(lang, axe_violations, screenshot)
    page = new_page(lang=lang)
    page.goto(f"{SURVEY_URL}/?lang={lang}")
    visit.check(page, "landing")
    press(page, "next")
    visit.check(page, "question")
    press(page, "next")  # the required question is unanswered
    assert page.locator(".error-summary").is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    visit.check(page, "question-error")
    page.click(".error-summary a")
    assert page.evaluate("document.activeElement.id") == "kurashiyasui"
    for index, answers in enumerate(ANSWERS):
        answer(page, answers)
        press(page, "next")
        if index == 1:  # the answers revealed two more questions on the same page
            assert page.locator("input[name='kosodate_needs']").count() == 4 + 2
            visit.check(page, "question-more")
            answer(page, REVEALED)
            press(page, "next")
        if index == 2:  # back keeps what was answered
            press(page, "back")
            assert page.locator("input[name='hatarakiyasui'][value='1']").is_checked()
            press(page, "next")
    assert page.url.endswith("/review")
    visit.check(page, "review")
    press(page, "submit")
    assert page.url.endswith("/thanks")
    visit.check(page, "thanks")
    page.go_back()  # the back button after sending: a clear page, nothing changes
    assert page.locator("h1").count() == 1 and page.url.endswith("/review")
    visit.check(page, "already-sent")
    assert visit.problems == []
    stored = session.scalars(select(Response)).one()
    assert (stored.status, stored.locale) == ("complete", lang)
    assert responses.current_answers(session, stored)["kosodate_needs"] == (2, 4)


@pytest.mark.parametrize("lang", ["ja", "en", "vi", "ur"])
def test_every_other_page_type_is_accessible(new_page, session, instrument, secret, lang, axe_violations,
                                             screenshot):
    visit = Visit(lang, axe_violations, screenshot)
    letter = create_invitations(session, instrument, secret, [{"age_band": 1}])[0]
    page = new_page(lang=lang)
    page.goto(f"/?lang={lang}")
    visit.check(page, "home")
    page.goto(f"{SURVEY_URL}/?code=K7QF-3MZD-8WXP-R2TB")
    visit.check(page, "landing-code-error")
    page.goto(f"{SURVEY_URL}/?code={letter.code}")
    visit.check(page, "landing-code-recognised")
    press(page, "next")
    answer(page, ANSWERS[0])
    press(page, "later")
    assert page.locator(".resume-code").inner_text().strip()
    visit.check(page, "saved")
    page.goto(f"{SURVEY_URL}/review")
    press(page, "submit")  # required questions are missing
    visit.check(page, "review-error")
    page.goto(f"{SURVEY_URL}/delete")
    visit.check(page, "delete")
    page.click("button[name='confirm']")
    page.wait_for_url("**/deleted")
    visit.check(page, "deleted")
    page.goto("/no-such-page")
    visit.check(page, "not-found")
    used = create_invitations(session, instrument, secret, [{"age_band": 2}])[0]
    responses.enter_complete(session, instrument, secret=secret, channel="paper", locale="ja", code=used.code,
                             raw={"kurashiyasui": 1, "age_band": 2, "sex": 1, "district": 1})
    page.goto(f"{SURVEY_URL}/?code={used.code}")
    visit.check(page, "used-code")
    session.get(Survey, "ebetsu-2025").allow_open = False
    session.commit()
    page.goto(f"{SURVEY_URL}/")
    press(page, "next")  # no code, but this survey needs one
    assert page.locator(".error-summary").is_visible()
    visit.check(page, "landing-code-required")
    assert visit.problems == []
