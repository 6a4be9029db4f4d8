"""The web app for tests: its configuration and fixtures (``app``, ``client``, ``runner`` on both
databases), CSRF tokens (one reader for every page), walking the survey, reading pages."""
from __future__ import annotations

import html as html_lib
import re

import pytest

from tests.support.db import TEST_SECRET
from tests.support.survey import SURVEY_URL

# One complete, valid set of answers for the bundled survey, page by page (field name = question id,
# value = choice code). has_children=1 reveals kosodate_needs, kosodate=3 reveals kosodate_reason.
PAGES = [
    ("living", {"kurashiyasui": "2"}),
    ("childcare", {"has_children": "1", "kosodate": "3"}),
    ("work", {"hatarakiyasui": "1"}),
    ("coexistence", {"kyosei": "9"}),
    ("health", {"kenko": "1"}),
    ("about_you", {"age_band": "3", "sex": "2", "district": "2", "nationality": "2", "years_lived": "2",
                   "household_size": "４", "employment": "1"}),
    ("comment", {"comment": "公園を増やしてほしい"}),
]
REVEALED = {"kosodate_needs": ["2", "4"], "kosodate_reason": "保育園が足りない"}


def web_config(db_url: str, **overrides) -> dict:
    """Configuration of a test app: the test database, the test secret, real CSRF and rate limits."""
    return {"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": TEST_SECRET, "REDIS_URL": None, **overrides}


@pytest.fixture
def app(db_url, instrument):
    """The web app on the test database (both databases), with the bundled survey loaded."""
    from survey_app.web import create_app

    return create_app(web_config(db_url))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf(page_html: str) -> str:
    """The CSRF token of a page's form (Flask-WTF's hidden ``csrf_token`` field)."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page_html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def text_of(response) -> str:
    return response.get_data(as_text=True)


def resume_code(page_html: str) -> str:
    """The resume code shown on the "saved, continue later" page (inside its ``<bdi>``)."""
    match = re.search(r'class="resume-code"[^>]*>\s*<bdi[^>]*>([^<]+)</bdi>', page_html)
    assert match, "no resume code on the page"
    return match.group(1)


def visible_text(page_html: str) -> str:
    """The page's text without tags, scripts or attribute values (what a resident reads)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page_html, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html_lib.unescape(body)).strip()


def start(client, code: str = "", lang: str | None = None):
    """Open the landing page and press Start; returns the response to the POST."""
    query = f"?lang={lang}" if lang else ""
    landing = client.get(f"{SURVEY_URL}/{query}")
    assert landing.status_code == 200
    return client.post(f"{SURVEY_URL}/start", data={"csrf_token": csrf(text_of(landing)), "code": code, "nav": "next"})


def post_page(client, section_id: str, answers: dict, nav: str = "next", follow: bool = False):
    page = client.get(f"{SURVEY_URL}/q/{section_id}")
    assert page.status_code == 200, page.status_code
    data = {"csrf_token": csrf(text_of(page)), "nav": nav, **answers}
    return client.post(f"{SURVEY_URL}/q/{section_id}", data=data, follow_redirects=follow)


def answer_all(client):
    """Answer every page (revealing the conditional questions); ends on the review page."""
    for section_id, answers in PAGES:
        response = post_page(client, section_id, answers)
        if section_id == "childcare":
            assert "more=1" in response.headers["Location"]
            response = post_page(client, section_id, {**answers, **REVEALED})
        assert response.status_code == 302, (section_id, text_of(response)[:2000])
    return response


def submit(client):
    review = client.get(f"{SURVEY_URL}/review")
    assert review.status_code == 200
    return client.post(f"{SURVEY_URL}/review", data={"csrf_token": csrf(text_of(review)), "nav": "submit"})
