"""Bad input on the web: tampered fields, values and codes, missing CSRF, odd bytes.
Always a clear page in the resident's language, answers already given kept, never a 500."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from survey_app import responses
from survey_app.models import Answer, Response
from tests.support.survey import SURVEY_URL
from tests.support.web import csrf, post_page, start, text_of


def stored(session) -> dict:
    session.expire_all()
    return responses.current_answers(session, session.scalars(select(Response)).one())


def test_tampered_field_names_are_ignored(client, session):
    start(client)
    moved = post_page(client, "living", {"kurashiyasui": "1", "age_band": "3", "no_such_question": "1",
                                         "kosodate_reason": "hidden question"})
    assert moved.status_code == 302
    assert stored(session) == {"kurashiyasui": 1}


def test_tampered_values_get_an_error_next_to_the_field(client, session):
    start(client, lang="en")
    shown = post_page(client, "childcare", {"has_children": "77", "kosodate": "1; DROP TABLE answers"})
    page = text_of(shown)
    assert shown.status_code == 200 and page.count("Choose one of the answers.") >= 2
    assert session.scalars(select(Answer)).all() == []


def test_tampered_multi_choice_and_nav(client, session):
    start(client, lang="en")
    post_page(client, "childcare", {"has_children": "1"})
    shown = post_page(client, "childcare", {"has_children": "1", "kosodate_needs": ["2", "99"], "nav": "sideways"})
    assert shown.status_code == 200 and "&#39;99&#39; is not one of the answers" in text_of(shown)
    assert stored(session) == {"has_children": 1}


def test_a_post_without_csrf_token_reshows_the_page_with_the_posted_answers(client, session):
    start(client, lang="en")
    page = client.post(f"{SURVEY_URL}/q/childcare", data={"nav": "next", "has_children": "2", "kosodate": "4"})
    html = text_of(page)
    assert page.status_code == 400 and "This page had expired" in html
    assert 'name="has_children" value="2" checked' in html and 'name="kosodate" value="4" checked' in html
    assert 'name="csrf_token"' in html  # a fresh token: pressing the button again works
    assert client.post(f"{SURVEY_URL}/q/childcare", data={"nav": "next", "has_children": "2", "kosodate": "4",
                                                    "csrf_token": csrf(html)}).status_code == 302
    assert stored(session) == {"has_children": 2, "kosodate": 4}


def test_a_wrong_csrf_token_on_landing_review_and_delete(client, session):
    bad = {"csrf_token": "forged", "code": "K7QF-3MZD-8WXP-R2TA"}
    landing = client.post(f"{SURVEY_URL}/start", data=bad, query_string={"lang": "en"})
    assert landing.status_code == 400 and 'value="K7QF-3MZD-8WXP-R2TA"' in text_of(landing)
    start(client)
    for path in ("review", "delete"):
        page = client.post(f"{SURVEY_URL}/{path}", data={"csrf_token": "forged", "nav": "submit", "confirm": "delete"})
        assert page.status_code == 400 and "This page had expired" in text_of(page), path
    assert session.scalars(select(Response)).one().status == "partial"


COOKIES_NEEDED = "This survey needs cookies to keep your answers between pages."


def test_a_browser_refusing_cookies_is_told_so_not_to_press_the_button_again(app, session):
    """Without cookies every token "expires": "press the button again" was an endless loop."""
    no_cookies = app.test_client(use_cookies=False)
    for _ in range(2):  # the second press gets the same answer, not another "expired"
        landing = text_of(no_cookies.get(f"{SURVEY_URL}/?lang=en"))
        page = no_cookies.post(f"{SURVEY_URL}/start", data={"csrf_token": csrf(landing), "lang": "en",
                                                            "code": "K7QF-3MZD-8WXP-R2T8", "nav": "next"})
        html = text_of(page)
        assert page.status_code == 400 and COOKIES_NEEDED in html and "had expired" not in html
        assert 'value="K7QF-3MZD-8WXP-R2T8"' in html  # what was typed is kept
    assert session.scalars(select(Response)).all() == []


def test_an_expired_page_with_its_cookie_still_says_expired(client):
    """A session cookie sent with a stale token: the page really expired, cookies work."""
    client.get(f"{SURVEY_URL}/?lang=en")
    page = client.post(f"{SURVEY_URL}/start", data={"csrf_token": "stale", "lang": "en", "nav": "next"})
    html = text_of(page)
    assert page.status_code == 400 and "This page had expired" in html and COOKIES_NEEDED not in html


def test_csrf_failure_elsewhere_is_a_friendly_page(client):
    response = client.post("/s/no-such-survey/start?lang=en", data={})
    assert response.status_code == 400 and "This page has expired" in text_of(response)


def test_a_huge_code_and_odd_bytes_are_refused_politely(client, session):
    assert start(client, code="A" * 5000, lang="en").status_code == 200
    weird = client.get(f"{SURVEY_URL}/?code=%FF%00%E2%80%AE&lang=en")
    assert weird.status_code in (200, 400)
    landing = client.get(f"{SURVEY_URL}/")
    raw = client.post(f"{SURVEY_URL}/start", data=b"csrf_token=" + csrf(text_of(landing)).encode() + b"&code=%FF%FE%00",
                      content_type="application/x-www-form-urlencoded")
    assert raw.status_code in (200, 400)
    assert session.scalars(select(Response)).all() == []


def test_the_survey_id_in_the_cookie_cannot_cross_surveys(client, session):
    start(client)
    with client.session_transaction() as cookie:
        cookie["r"] = {"ebetsu-2025": "not-a-uuid", "other": 5}
    assert client.get(f"{SURVEY_URL}/q/living").status_code == 302
    with client.session_transaction() as cookie:
        cookie["r"] = ["a", "list"]
    assert client.get(f"{SURVEY_URL}/q/living").status_code == 302


_form_values = st.one_of(st.text(max_size=30), st.lists(st.text(max_size=5), max_size=3))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.sampled_from(["has_children", "kosodate", "kosodate_needs", "kosodate_reason",
                                             "nav", "x", "kurashiyasui"]), _form_values, max_size=6))
def test_random_form_posts_never_fail(client, data):
    start(client)
    page = client.get(f"{SURVEY_URL}/q/childcare")
    if page.status_code != 200:
        return
    response = client.post(f"{SURVEY_URL}/q/childcare", data={**data, "csrf_token": csrf(text_of(page))})
    assert response.status_code in (200, 302)
