"""First views of a survey page are rendered once and kept: same page for everyone, own token each,
never anything of one resident in another's page (``survey_app.web.survey.page_cache``)."""
from __future__ import annotations

import re

import pytest

from survey_app.i18n import catalogs
from survey_app.web.survey import page_cache
from tests.support.survey import SURVEY_URL
from tests.support.web import answer_all, csrf, post_page, start, submit, text_of

# The subject is which rendered pages are kept, not storage: SQLite alone; every statement sent here reaches
# PostgreSQL in another test (tests/support/db.py, checked by tests/support/sql_reach.py).
pytestmark = pytest.mark.databases("sqlite")


def without_token(page_html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', page_html)


def kept(app, what: str = "section pages") -> int:
    """How many first views are kept: of section pages (a key's page starts with the survey id),
    of landing or thank-you pages (it starts with "landing" or "thanks"), or "all"."""
    cache = app.extensions.get("machikoe_page_cache")
    if cache is None:
        return 0
    kinds = [{"landing": "landing pages", "thanks": "thank-you pages"}.get(key[0][0], "section pages")
             for key in cache.kept_keys()]
    return len(kinds) if what == "all" else kinds.count(what)


def test_two_residents_get_the_same_first_view_each_with_a_token_that_works(app):
    first, second = app.test_client(), app.test_client()
    start(first), start(second)
    page_a = text_of(first.get(f"{SURVEY_URL}/q/living"))
    page_b = text_of(second.get(f"{SURVEY_URL}/q/living"))
    assert kept(app) == 1
    assert csrf(page_a) != csrf(page_b)                      # each session its own token
    assert without_token(page_a) == without_token(page_b)   # the rest was drawn once
    # each token is the one its own session checks: both residents save the page
    for client, page in ((first, page_a), (second, page_b)):
        saved = client.post(f"{SURVEY_URL}/q/living", data={"csrf_token": csrf(page), "nav": "next",
                                                            "kurashiyasui": "2"})
        assert saved.status_code == 302 and saved.headers["Location"].endswith("/q/childcare")
    refused = second.post(f"{SURVEY_URL}/q/living", data={"csrf_token": csrf(page_a), "nav": "next",
                                                         "kurashiyasui": "1"})
    assert refused.status_code == 400                        # another session's token is no token


def test_a_page_with_an_answer_on_it_is_never_kept_nor_shown_to_another(app):
    first, second = app.test_client(), app.test_client()
    start(first), start(second)
    post_page(first, "living", {"kurashiyasui": "4"})
    again = text_of(first.get(f"{SURVEY_URL}/q/living"))
    assert re.search(r'value="4" checked', again)            # the resident's own answer, ticked
    assert kept(app) == 1                                   # only the empty first view was kept
    fresh = text_of(second.get(f"{SURVEY_URL}/q/living"))
    assert "checked" not in fresh
    # an error is the resident's too: a page shown with one is drawn for them alone
    error = first.post(f"{SURVEY_URL}/q/childcare", data={"csrf_token": csrf(again), "nav": "next",
                                                          "has_children": "7"})
    assert error.status_code == 200 and "error-message" in text_of(error)
    assert "error-message" not in text_of(second.get(f"{SURVEY_URL}/q/childcare"))


def test_languages_and_queries_are_kept_apart_and_the_cache_is_bounded(app, monkeypatch):
    client = app.test_client()
    start(client)
    japanese = text_of(client.get(f"{SURVEY_URL}/q/living"))
    english = text_of(client.get(f"{SURVEY_URL}/q/living?lang=en"))
    assert '<html lang="ja"' in japanese and '<html lang="en"' in english
    assert '<html lang="en"' in text_of(client.get(f"{SURVEY_URL}/q/living"))  # the choice is remembered
    monkeypatch.setattr(page_cache, "MAX_PAGES", 3)
    app.extensions.pop("machikoe_page_cache")
    for number in range(10):
        page = text_of(client.get(f"{SURVEY_URL}/q/living?x={number}"))
        assert f"x={number}&amp;lang=vi" in page            # the language links keep this page's query
    assert kept(app, "all") == 3


def test_an_edited_translation_shows_at_once(app, monkeypatch):
    client = app.test_client()
    start(client, lang="en")
    text_of(client.get(f"{SURVEY_URL}/q/living"))
    before = kept(app)
    catalogs.clear_cache()                                  # what `machikoe translations` commands do
    text_of(client.get(f"{SURVEY_URL}/q/living"))
    assert kept(app) == before + 1                           # drawn again under the new generation


def test_the_landing_page_is_kept_per_state_of_the_held_response_and_never_with_a_code(app):
    app.test_client().get(f"{SURVEY_URL}/")  # catalogs are read on first use (a new generation): read them,
    app.extensions.pop("machikoe_page_cache", None)  # then start from an empty cache
    newcomers = [app.test_client() for _ in range(2)]
    first_views = [text_of(client.get(f"{SURVEY_URL}/")) for client in newcomers]
    assert kept(app, "landing pages") == 1 and csrf(first_views[0]) != csrf(first_views[1])
    assert without_token(first_views[0]) == without_token(first_views[1])
    started = newcomers[0]
    assert start(started).status_code == 302  # the token of a kept landing page works
    back = text_of(started.get(f"{SURVEY_URL}/"))   # this phone now holds a partial response
    assert "/continue" in back and "/continue" not in first_views[1]
    assert kept(app, "landing pages") == 2
    assert "/continue" not in text_of(newcomers[1].get(f"{SURVEY_URL}/"))  # the other phone holds none
    with_code = text_of(newcomers[1].get(f"{SURVEY_URL}/?code=K7QF-3MZD-8WXP-R2TA"))
    assert "K7QF-3MZD-8WXP-R2TA" in with_code and kept(app, "landing pages") == 2  # drawn for them alone


def test_the_thank_you_page_is_kept_once_and_changes_no_cookie(app):
    residents = [app.test_client() for _ in range(2)]
    pages = []
    for client in residents:
        start(client)
        answer_all(client)
        assert submit(client).status_code == 302
        thanks = client.get(f"{SURVEY_URL}/thanks")
        assert thanks.status_code == 200 and "Set-Cookie" not in thanks.headers  # no token made for it
        pages.append(text_of(thanks))
    assert pages[0] == pages[1] and 'name="csrf_token"' not in pages[0]
    assert kept(app, "thank-you pages") == 1
    assert app.test_client().get(f"{SURVEY_URL}/thanks").status_code != 200  # only after sending answers


def test_nothing_is_kept_while_templates_reload(app):
    app.jinja_env.auto_reload = True                         # debug: templates may change under us
    client = app.test_client()
    start(client)
    assert 'name="csrf_token"' in text_of(client.get(f"{SURVEY_URL}/q/living"))
    assert kept(app) == 0
