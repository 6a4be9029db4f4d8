"""Browser journeys beyond the happy path: resume on another phone, a code used twice, a
missing required answer at submit, keyboard only, 320 px, right-to-left, touch targets,
and one run on PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app import responses
from survey_app.invitations import create_invitations
from survey_app.models import Response
from tests.support.survey import SURVEY_URL

from .test_survey_browser import ANSWERS, REVEALED, answer, press


def finish(page) -> None:
    """Answer every page from wherever the resident is, and send."""
    while not page.url.endswith("/review"):
        section = page.url.split("/q/")[1].split("?")[0].split("#")[0]
        index = ["living", "childcare", "work", "coexistence", "health", "about_you", "comment"].index(section)
        answer(page, ANSWERS[index])
        if section == "childcare" and page.locator("input[name='kosodate_needs']").count():
            answer(page, REVEALED)
        press(page, "next")
    press(page, "submit")
    assert page.url.endswith("/thanks")


def test_resume_a_half_finished_response_in_a_new_browser_context(new_page, session):
    phone = new_page(lang="vi")
    phone.goto(f"{SURVEY_URL}/?lang=vi")
    press(phone, "next")
    answer(phone, ANSWERS[0])
    press(phone, "next")
    answer(phone, {"has_children": "2"})
    press(phone, "later")
    code = phone.locator(".resume-code").inner_text().strip()
    phone.goto(f"{SURVEY_URL}/")  # the same phone: the signed cookie offers to continue
    with phone.expect_navigation():
        phone.click(f"a[href='{SURVEY_URL}/continue']")
    assert phone.url.endswith("/q/childcare")

    laptop = new_page(lang="vi")
    laptop.goto(f"{SURVEY_URL}/")
    laptop.fill("#code", code.lower())
    press(laptop, "next")
    assert laptop.url.endswith("/q/childcare")
    assert laptop.locator("input[name='has_children'][value='2']").is_checked()
    finish(laptop)
    stored = session.scalars(select(Response)).one()
    assert stored.status == "complete" and responses.current_answers(session, stored)["kurashiyasui"] == 2


def test_switching_language_keeps_the_answers_chosen_on_the_page(new_page, session):
    """The language links were plain links: a choice made on the page, not yet sent, was gone in
    the new language (eight at once on 「あなたご自身について」). Now they take the answers along."""
    phone = new_page(lang="ja")
    phone.goto(f"{SURVEY_URL}/?lang=ja")
    press(phone, "next")
    answer(phone, ANSWERS[0])
    with phone.expect_navigation():
        phone.click("nav.languages a[hreflang='vi']")
    assert phone.locator("html").get_attribute("lang") == "vi" and "/q/living" in phone.url
    assert phone.locator(f"input[name='kurashiyasui'][value='{ANSWERS[0]['kurashiyasui']}']").is_checked()
    stored = session.scalars(select(Response)).one()
    assert responses.current_answers(session, stored)["kurashiyasui"] == int(ANSWERS[0]["kurashiyasui"])
    finish(phone)


def test_switching_language_on_the_landing_page_keeps_the_typed_code(new_page, session, instrument, secret):
    letter = create_invitations(session, instrument, secret, [{"age_band": 2, "sex": 1, "district": 3}])[0]
    phone = new_page(lang="ja")
    phone.goto(f"{SURVEY_URL}/?lang=ja")
    phone.fill("#code", letter.code.lower())
    with phone.expect_navigation():
        phone.click("nav.languages a[hreflang='ur']")
    assert phone.locator("html").get_attribute("lang") == "ur"
    assert phone.locator("#code").input_value().upper() == letter.code


def test_a_code_used_twice(new_page, session, instrument, secret, axe_violations, screenshot):
    letter = create_invitations(session, instrument, secret, [{"age_band": 4, "sex": 2, "district": 1}])[0]
    first = new_page(lang="ur")
    first.goto(f"{SURVEY_URL}/?code={letter.code}&lang=ur")
    assert first.locator("#code").input_value() == letter.code
    press(first, "next")
    finish(first)
    second = new_page(lang="ur")
    second.goto(f"{SURVEY_URL}/?lang=ur")
    second.fill("#code", letter.code)
    press(second, "next")
    assert second.locator("h1").count() == 1 and second.locator(".contact").is_visible()
    assert axe_violations(second) == []
    screenshot(second, "used-code-ur")
    assert len(session.scalars(select(Response)).all()) == 1


def test_submit_with_a_required_answer_missing(new_page, session):
    page = new_page(lang="en")
    page.goto(f"{SURVEY_URL}/?lang=en")
    press(page, "next")
    answer(page, ANSWERS[0])
    press(page, "next")
    page.goto(f"{SURVEY_URL}/review")
    press(page, "submit")
    summary = page.locator(".error-summary a")
    assert summary.count() == 3  # age band, sex, district
    with page.expect_navigation():
        summary.first.click()
    assert page.url.endswith("/q/about_you?from=review#age_band")
    assert session.scalars(select(Response)).one().status == "partial"


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the focused element matches ``selector`` (fails if it never does)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with the Tab key")


def keyboard_next(page, nav: str = "next") -> None:
    tab_to(page, f"button[name='nav'][value='{nav}']")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_keyboard_only_completion(new_page, session):
    page = new_page(lang="ja")
    page.goto(f"{SURVEY_URL}/")
    keyboard_next(page)
    for answers in ANSWERS:
        for qid, value in answers.items():
            if page.locator(f"input[type='radio'][name='{qid}']").count():
                tab_to(page, f"input[name='{qid}']")
                page.keyboard.press("Space")  # the first choice of the group
            else:
                tab_to(page, f"#{qid}")
                page.keyboard.type(value)
        keyboard_next(page)
        if "more=1" in page.url:  # revealed questions: leave them unanswered
            keyboard_next(page)
    assert page.url.endswith("/review")
    keyboard_next(page, "submit")
    assert page.url.endswith("/thanks")
    stored = session.scalars(select(Response)).one()
    assert stored.status == "complete" and responses.current_answers(session, stored)["age_band"] == 1


@pytest.mark.parametrize("lang", ["ja", "ja-x-easy", "en", "ur"])  # やさしい日本語: ruby labels ran 159 px off
def test_320px_wide_without_sideways_scrolling(new_page, lang):
    page = new_page(lang=lang, width=320, height=640)
    page.goto(f"{SURVEY_URL}/?lang={lang}")
    press(page, "next")
    for path in ("", "/q/about_you", "/q/comment", "/review"):
        page.goto(f"{SURVEY_URL}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (path, overflow)
    # a pasted address has no break of its own: on the page that shows it back it must still wrap
    page.goto(f"{SURVEY_URL}/q/comment")
    page.fill("#comment", "https://www.example.com/" + "longpath" * 12)
    press(page, "next")
    assert page.url.endswith("/review") and "longpathlongpath" in page.content()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, ("/review with a pasted address", overflow)


def test_urdu_mirrors_buttons_progress_and_errors(new_page):
    boxes = {}
    for lang in ("ja", "ur"):
        page = new_page(lang=lang)
        page.goto(f"{SURVEY_URL}/?lang={lang}")
        press(page, "next")
        press(page, "next")  # error summary shown
        next_box = page.locator("button[value='next']").bounding_box()
        back_box = page.locator("button[value='back']").bounding_box()
        bar = page.locator(".progress-bar").bounding_box()
        error_edge = page.evaluate(
            "getComputedStyle(document.querySelector('.has-error')).borderInlineStartWidth")
        boxes[lang] = (next_box["x"] < back_box["x"], bar["width"] > 300, error_edge)
        direction = page.evaluate("getComputedStyle(document.querySelector('.progress-bar')).direction")
        assert direction == ("rtl" if lang == "ur" else "ltr")
    assert boxes["ja"][0] is True and boxes["ur"][0] is False  # Next sits at the inline start
    assert boxes["ja"][1] and boxes["ur"][1] and boxes["ur"][2] == boxes["ja"][2] == "5px"


@pytest.mark.parametrize("lang", ["vi", "ja-x-easy"])  # ja-x-easy: the furigana switch in the header, too
def test_touch_targets_are_at_least_44px(new_page, lang):
    page = new_page(lang=lang)
    page.goto(f"{SURVEY_URL}/?lang={lang}")
    press(page, "next")
    small = []
    for path in ("/q/childcare", "/q/about_you", "/q/comment", "/review", "/"):
        page.goto(f"{SURVEY_URL}{path}")
        small += page.evaluate("""(path) => Array.from(document.querySelectorAll(
              'main a, main button, .choice-label, main input:not([type=hidden]), main textarea, .languages a, '
              + '.furigana-switch a'))
            .filter(el => !el.closest('p.resume-link'))
            .map(el => [el, el.getBoundingClientRect()])
            .filter(([el, r]) => r.width > 0 && (r.height < 44 || r.width < 44))
            .map(([el, r]) => path + ' ' + el.outerHTML.slice(0, 80) + ' ' + r.width + 'x' + r.height)""", path)
    assert small == []


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_smoke_on_postgresql(new_page, session):
    page = new_page(lang="ur")
    page.goto(f"{SURVEY_URL}/?lang=ur")
    press(page, "next")
    finish(page)
    assert session.scalars(select(Response)).one().status == "complete"
