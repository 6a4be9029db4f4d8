"""The resident flow through the Flask test client, on SQLite and PostgreSQL."""
from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from survey_app import responses
from survey_app.models import Response
from tests.support.survey import SURVEY_URL
from tests.support.web import (
    PAGES,
    answer_all,
    csrf,
    post_page,
    resume_code,
    start,
    submit,
    text_of,
    visible_text,
)

# The subject is the resident's pages and messages, not storage: SQLite alone; every statement sent here reaches
# PostgreSQL in another test (tests/support/db.py, checked by tests/support/sql_reach.py).
pytestmark = pytest.mark.databases("sqlite")


def only_response(session) -> Response:
    session.expire_all()
    rows = session.scalars(select(Response)).all()
    assert len(rows) == 1
    return rows[0]


@pytest.mark.parametrize("lang", ["ja", "en", "vi", "ur"])
def test_complete_survey_in_each_language(client, session, lang):
    started = start(client, lang=lang)
    assert started.status_code == 302 and started.headers["Location"].endswith("/q/living")
    answer_all(client)
    review = client.get(f"{SURVEY_URL}/review")
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ur" else "ltr"}">' in text_of(review)
    done = submit(client)
    assert done.status_code == 302 and done.headers["Location"].endswith("/thanks")
    assert client.get(f"{SURVEY_URL}/thanks").status_code == 200
    response = only_response(session)
    assert (response.status, response.channel, response.source, response.locale) == ("complete", "web", "open", lang)
    answers = responses.current_answers(session, response)
    assert answers["kurashiyasui"] == 2 and answers["household_size"] == 4.0
    assert answers["kosodate_needs"] == (2, 4) and answers["kosodate_reason"] == "保育園が足りない"


def test_fields_are_question_ids_and_values_are_codes(client):
    start(client)
    page = text_of(client.get(f"{SURVEY_URL}/q/living"))
    assert 'name="kurashiyasui" value="1"' in page and 'name="kurashiyasui" value="9"' in page
    for nav in ("back", "next", "later"):
        assert f'<button type="submit" name="nav" value="{nav}"' in page
    review = text_of(client.get(f"{SURVEY_URL}/review"))
    assert '<button type="submit" name="nav" value="submit"' in review


def test_progress_shows_position_and_a_bar(client):
    start(client)
    page = text_of(client.get(f"{SURVEY_URL}/q/work"))
    assert "3 / 7" in page and '<progress class="progress-bar" max="7" value="3"' in page


def test_show_if_on_the_same_page_reveals_questions_server_side(client):
    start(client)
    page = text_of(client.get(f"{SURVEY_URL}/q/childcare"))
    assert 'name="kosodate_needs"' not in page
    moved = post_page(client, "childcare", {"has_children": "1", "kosodate": "1"})
    assert moved.headers["Location"].endswith("/q/childcare?more=1#kosodate_needs")
    again = text_of(client.get(moved.headers["Location"]))
    assert 'name="kosodate_needs"' in again and 'name="kosodate_reason"' not in again
    assert 'value="1" checked' in again  # the answers just given are shown


def test_back_and_next_keep_answers(client, session):
    start(client)
    post_page(client, "living", {"kurashiyasui": "4"})
    back = post_page(client, "childcare", {"has_children": "2"}, nav="back")
    assert back.headers["Location"].endswith("/q/living")
    assert 'value="4" checked' in text_of(client.get(f"{SURVEY_URL}/q/living"))
    assert 'value="2" checked' in text_of(client.get(f"{SURVEY_URL}/q/childcare"))
    first_back = post_page(client, "living", {"kurashiyasui": "4"}, nav="back")
    assert first_back.headers["Location"].endswith(f"{SURVEY_URL}/")


def test_required_question_missing_shows_summary_and_inline_error(client, session):
    start(client, lang="en")
    shown = post_page(client, "living", {})
    page = text_of(shown)
    assert shown.status_code == 200
    assert 'class="error-summary"' in page and 'href="#kurashiyasui"' in page
    assert 'id="kurashiyasui-error"' in page and 'aria-describedby="kurashiyasui-error"' in page
    assert "Please answer this question." in page and "<title>Error:" in page
    back = post_page(client, "living", {}, nav="back")  # going back is allowed with nothing answered
    assert back.status_code == 302


def test_invalid_answer_keeps_the_valid_ones_on_the_page(client, session):
    start(client, lang="en")
    data = dict(PAGES[5][1], household_size="lots")
    shown = post_page(client, "about_you", data)
    page = text_of(shown)
    assert shown.status_code == 200 and "Enter a number, for example 3." in page
    assert 'value="lots"' in page and 'aria-invalid="true"' in page  # what was typed is shown again
    stored = responses.current_answers(session, only_response(session))
    assert stored["age_band"] == 3 and "household_size" not in stored


def test_a_fraction_of_a_person_is_refused_in_the_residents_language_and_kept_on_the_page(client, session):
    start(client, lang="ja")
    before = text_of(client.get(f"{SURVEY_URL}/q/about_you"))
    assert 'inputmode="numeric"' in before  # whole numbers: the phone shows its digit keypad
    shown = post_page(client, "about_you", dict(PAGES[5][1], household_size="2.5"))
    page = text_of(shown)
    assert shown.status_code == 200 and "整数で入力してください（例：3）。" in page
    assert 'value="2.5"' in page and 'aria-invalid="true"' in page
    assert "household_size" not in responses.current_answers(session, only_response(session))


@pytest.mark.parametrize("nav", ["back", "later"])
def test_an_invalid_answer_never_holds_a_resident_who_goes_back_or_stops(client, session, nav):
    """Household size 99 (at most 20): pressing Back or "continue later" moves on; the valid answers of
    the page are kept and the invalid one is left unanswered (it was blocked until fixed or cleared)."""
    start(client, lang="en")
    moved = post_page(client, "about_you", dict(PAGES[5][1], household_size="99"), nav=nav)
    assert moved.status_code == 302
    assert moved.headers["Location"].endswith({"back": "/q/health", "later": "/saved"}[nav])
    stored = responses.current_answers(session, only_response(session))
    assert stored["age_band"] == 3 and stored["employment"] == 1 and "household_size" not in stored


def test_a_page_posted_after_the_phone_lost_its_cookies_says_so_truthfully(client, session):
    """Cookies cleared mid-survey (or a private window closed): nothing of the resident's is on the phone
    to show again, so the page says the answers were not saved and how to carry on — not "shown again"."""
    start(client, lang="en")
    page = text_of(client.get(f"{SURVEY_URL}/q/living"))
    client.delete_cookie("machikoe")
    posted = client.post(f"{SURVEY_URL}/q/living", data={"csrf_token": csrf(page), "nav": "next", "kurashiyasui": "1"},
                         headers={"Accept-Language": "en"})
    text = text_of(posted)
    assert posted.status_code == 400 and "This phone no longer holds your survey" in text
    assert "shown again" not in text and 'name="code"' in text


def test_a_phone_that_lost_its_cookies_is_answered_in_the_language_the_page_was_shown_in(client, session):
    """A Vietnamese resident on a phone set to Japanese: the page posted after the cookies went is answered
    in Vietnamese (the form says which language it was shown in), not in the phone's Japanese."""
    start(client, lang="vi")
    page = text_of(client.get(f"{SURVEY_URL}/q/living", headers={"Accept-Language": "ja"}))
    assert 'name="lang" value="vi"' in page
    client.delete_cookie("machikoe")
    posted = client.post(f"{SURVEY_URL}/q/living", data={"csrf_token": csrf(page), "lang": "vi", "nav": "next",
                                                          "kurashiyasui": "1"}, headers={"Accept-Language": "ja"})
    assert posted.status_code == 400 and '<html lang="vi"' in text_of(posted)
    again = client.get(f"{SURVEY_URL}/", headers={"Accept-Language": "ja"})
    assert '<html lang="vi"' in text_of(again)  # and remembered from there on


def test_review_lists_answers_with_change_links_and_refuses_missing_required(client, session):
    start(client, lang="en")
    post_page(client, "living", {"kurashiyasui": "1"})
    review = text_of(client.get(f"{SURVEY_URL}/review"))
    assert f'href="{SURVEY_URL}/q/living?from=review#kurashiyasui"' in review and "Not answered" in review
    refused = submit(client)
    page = text_of(refused)
    assert refused.status_code == 200 and f'href="{SURVEY_URL}/q/about_you?from=review#age_band"' in page
    assert only_response(session).status == "partial"


def test_continue_later_gives_a_code_that_works_on_another_phone(app, client, session):
    start(client)
    post_page(client, "living", {"kurashiyasui": "1"})
    saved = post_page(client, "childcare", {"has_children": "2"}, nav="later", follow=True)
    page = text_of(saved)
    token = resume_code(page)
    assert f"?code={token}" in page
    # shown as every code is (the unbroken filter): kept whole, in the Latin monospace font even in Urdu
    assert f'<p class="resume-code" dir="ltr"><bdi class="code-example" dir="ltr">{token}</bdi></p>' in page
    other_phone = app.test_client()
    link = other_phone.get(f"{SURVEY_URL}/?code={token}")
    assert 'class="success"' in text_of(link)
    resumed = other_phone.post(f"{SURVEY_URL}/start", data={"csrf_token": csrf(text_of(link)), "code": token})
    assert resumed.headers["Location"].endswith("/q/childcare")  # where the resident stopped
    assert 'value="2" checked' in text_of(other_phone.get(f"{SURVEY_URL}/q/childcare"))
    assert len(session.scalars(select(Response)).all()) == 1


def test_the_signed_cookie_resumes_on_the_same_phone(client):
    start(client)
    post_page(client, "living", {"kurashiyasui": "1"})
    landing = text_of(client.get(f"{SURVEY_URL}/"))
    assert f'href="{SURVEY_URL}/continue"' in landing
    assert client.get(f"{SURVEY_URL}/continue").headers["Location"].endswith("/q/childcare")
    again = start(client)  # pressing Start again continues rather than starting over
    assert again.headers["Location"].endswith("/q/childcare")


def test_a_tampered_cookie_is_just_no_response(app, client):
    client.set_cookie("machikoe", "not-a-signed-cookie")
    assert client.get(f"{SURVEY_URL}/q/living").headers["Location"].endswith(f"{SURVEY_URL}/")
    assert client.get(f"{SURVEY_URL}/").status_code == 200


def test_back_after_submit_and_a_second_tab_get_a_clear_page(client, session):
    start(client)
    answer_all(client)
    stale_page = text_of(client.get(f"{SURVEY_URL}/q/work"))
    stale_review = text_of(client.get(f"{SURVEY_URL}/review"))
    assert submit(client).status_code == 302
    already = client.get(f"{SURVEY_URL}/q/work")
    assert already.status_code == 409
    assert visible_text(text_of(already)).count("このアンケートについてのお問い合わせ") == 1  # the footer's, once
    late = client.post(f"{SURVEY_URL}/q/work", data={"csrf_token": csrf(stale_page), "nav": "next", "hatarakiyasui": "4"})
    assert (late.status_code == 409 and "already been sent" in text_of(late)) or late.status_code == 409
    twice = client.post(f"{SURVEY_URL}/review", data={"csrf_token": csrf(stale_review), "nav": "submit"})
    assert twice.status_code == 409
    assert responses.current_answers(session, only_response(session))["hatarakiyasui"] == 1


def test_two_tabs_answering_one_response_keep_the_latest(client, session):
    start(client)
    tab_a = text_of(client.get(f"{SURVEY_URL}/q/living"))
    tab_b = text_of(client.get(f"{SURVEY_URL}/q/living"))
    for token, code in ((csrf(tab_a), "1"), (csrf(tab_b), "3")):
        moved = client.post(f"{SURVEY_URL}/q/living", data={"csrf_token": token, "nav": "next", "kurashiyasui": code})
        assert moved.status_code == 302
    assert responses.current_answers(session, only_response(session))["kurashiyasui"] == 3


def test_delete_my_answers_before_submitting(client, session):
    start(client)
    post_page(client, "living", {"kurashiyasui": "1"})
    confirm = client.get(f"{SURVEY_URL}/delete")
    assert confirm.status_code == 200
    done = client.post(f"{SURVEY_URL}/delete", data={"csrf_token": csrf(text_of(confirm)), "confirm": "delete"})
    assert done.headers["Location"].endswith("/deleted")
    assert client.get(f"{SURVEY_URL}/deleted").status_code == 200
    session.expire_all()
    assert session.scalars(select(Response)).all() == []
    assert client.get(f"{SURVEY_URL}/q/living").status_code == 302  # nothing held any more


def test_answers_posted_after_the_response_was_deleted_are_said_not_to_be_saved(client, session):
    """A page left open (on this phone, or on another that held the resume code) and sent after
    "stop and delete": it went to the start page in silence, the answers dropped."""
    from survey_app.i18n.catalogs import gettext
    from survey_app.web.survey.recovery import GONE_NOTICE

    start(client, lang="vi")
    left_open = client.get(f"{SURVEY_URL}/q/living")
    review = client.get(f"{SURVEY_URL}/review")
    confirm = client.get(f"{SURVEY_URL}/delete")
    client.post(f"{SURVEY_URL}/delete", data={"csrf_token": csrf(text_of(confirm)), "confirm": "delete"})
    for path, page, data in (("q/living", left_open, {"kurashiyasui": "1", "nav": "next"}),
                             ("review", review, {"nav": "submit"}), ("delete", confirm, {"confirm": "delete"})):
        sent = client.post(f"{SURVEY_URL}/{path}", data={"csrf_token": csrf(text_of(page)), **data})
        assert sent.status_code == 409, path
        assert html.escape(gettext("vi", GONE_NOTICE), quote=False) in text_of(sent)
        assert 'name="code"' in text_of(sent)  # the start page, to begin again
    session.expire_all()
    assert session.scalars(select(Response)).all() == []  # nothing came back to life


def test_sent_answers_can_be_deleted_from_the_thank_you_page(client, session):
    """The chats' /delete erases sent answers; the web refused it (409) once they were sent."""
    start(client, lang="vi")
    answer_all(client)
    submit(client)
    thanks = text_of(client.get(f"{SURVEY_URL}/thanks"))
    assert f'href="{SURVEY_URL}/delete"' in thanks
    confirm = client.get(f"{SURVEY_URL}/delete")
    assert confirm.status_code == 200 and f'href="{SURVEY_URL}/thanks"' in text_of(confirm)  # "keep" goes back
    # an open-link respondent had no letter: nothing is said of a code staying used
    assert "Mã trong thư" not in text_of(confirm) and "không thể khôi phục" in text_of(confirm)
    done = client.post(f"{SURVEY_URL}/delete", data={"csrf_token": csrf(text_of(confirm)), "confirm": "delete"})
    assert done.headers["Location"].endswith("/deleted")
    erased = only_response(session)
    assert erased.status == responses.ERASED and responses.current_answers(session, erased) == {}
    assert client.get(f"{SURVEY_URL}/thanks").status_code == 302  # nothing held any more


def test_a_letters_code_is_said_to_stay_used_when_sent_answers_are_deleted(client, session, instrument, secret):
    from survey_app.invitations import create_invitations

    code = create_invitations(session, instrument, secret, [{"age_band": 2}])[0].code
    start(client, code=code, lang="vi")
    answer_all(client)
    submit(client)
    confirm = text_of(client.get(f"{SURVEY_URL}/delete"))
    assert "Mã trong thư vẫn được tính là đã dùng" in confirm


def test_unknown_survey_and_section_are_404_pages(client):
    assert client.get("/s/no-such-survey/").status_code == 404
    start(client)
    missing = client.get(f"{SURVEY_URL}/q/no_such_section")
    assert missing.status_code == 404 and "<html lang=" in text_of(missing)


def test_thanks_and_saved_without_a_response_go_to_the_landing_page(client):
    for path in ("thanks", "saved", "review", "continue", "delete", "start"):
        assert client.get(f"{SURVEY_URL}/{path}").status_code == 302, path


def test_a_change_from_the_review_page_returns_to_it(client, session):
    start(client)
    answer_all(client)
    page = text_of(client.get(f"{SURVEY_URL}/q/work?from=review"))
    assert f'action="{SURVEY_URL}/q/work?from=review"' in page
    back = client.post(f"{SURVEY_URL}/q/work?from=review", data={"csrf_token": csrf(page), "nav": "next",
                                                           "hatarakiyasui": "4"})
    assert back.headers["Location"].endswith(f"{SURVEY_URL}/review")
    assert responses.current_answers(session, only_response(session))["hatarakiyasui"] == 4


def test_the_response_records_the_language_last_answered_in(client, session):
    start(client, lang="vi")
    post_page(client, "living", {"kurashiyasui": "1"})
    assert only_response(session).locale == "vi"
    client.get(f"{SURVEY_URL}/q/childcare?lang=ur")
    post_page(client, "childcare", {"has_children": "2"})
    assert only_response(session).locale == "ur"


def test_one_open_response_per_browser(client, session):
    """Open answers are deduplicated where the platform can tell (issue 11): this browser already answered."""
    start(client)
    answer_all(client)
    submit(client)
    again = start(client)
    assert again.status_code == 302 and again.headers["Location"].endswith("/thanks")
    assert only_response(session).status == "complete"


@pytest.mark.parametrize(("then", "lands"), [
    (f"{SURVEY_URL}/q/living?lang=vi", f"{SURVEY_URL}/q/living?lang=vi"),
    ("https://evil.example/q/living?lang=vi", f"{SURVEY_URL}/q/living"),  # never another site
    (f"{SURVEY_URL}/review?lang=vi", f"{SURVEY_URL}/q/living"),           # nor another page
])
def test_a_language_switch_saves_the_page_then_follows_the_link(client, session, then, lands):
    """``nav=stay`` (machikoe.js, on a language or furigana link): the page's answers are stored
    without the required-question check, then the tapped link opens — only if it is this page."""
    start(client, lang="ja")
    page = client.get(f"{SURVEY_URL}/q/living")
    moved = client.post(f"{SURVEY_URL}/q/living", data={"csrf_token": csrf(text_of(page)), "kurashiyasui": "2",
                                                        "nav": "stay", "then": then})
    assert moved.status_code == 302 and moved.headers["Location"] == lands
    stored = session.scalars(select(Response)).one()
    assert responses.current_answers(session, stored)["kurashiyasui"] == 2


def test_a_language_switch_with_a_value_that_cannot_be_stored_shows_its_error(client, session):
    start(client, lang="ja")
    page = client.get(f"{SURVEY_URL}/q/about_you")
    shown = client.post(f"{SURVEY_URL}/q/about_you", data={"csrf_token": csrf(text_of(page)), "household_size": "99",
                                                           "nav": "stay", "then": f"{SURVEY_URL}/q/about_you?lang=en"})
    assert shown.status_code == 200 and 'value="99"' in text_of(shown)  # kept on the screen, with its error
