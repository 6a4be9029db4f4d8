"""Every page type: weight on the wire (≤ 60 KB of HTML + CSS + JS) and no untranslated
interface text in Vietnamese and Urdu."""
from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from survey_app.i18n.catalogs import catalog_path
from tests.support.survey import SURVEY_URL
from tests.support.web import answer_all, csrf, post_page, start, submit, text_of, visible_text

# The subject is the pages' markup, not storage: SQLite alone; every statement sent here reaches
# PostgreSQL in another test (tests/support/db.py, checked by tests/support/sql_reach.py).
pytestmark = pytest.mark.databases("sqlite")

PAGE_BUDGET = 60 * 1024


def asset_bytes(client, page_html: str) -> int:
    """Bytes of the page's own CSS and JS (fonts are the phone's; none are served)."""
    total = 0
    for path in re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', page_html):
        total += len(client.get(path).data)
    return total


def every_page_type(app, lang: str) -> dict[str, str]:
    """HTML of each page type a resident can meet, in ``lang``."""
    client = app.test_client()
    pages = {"home": text_of(client.get(f"/?lang={lang}")), "landing": text_of(client.get(f"{SURVEY_URL}/"))}
    pages["landing-error"] = text_of(start(client, code="K7QF-3MZD-8WXP-R2TB"))
    start(client)
    pages["question"] = text_of(client.get(f"{SURVEY_URL}/q/about_you"))
    pages["question-error"] = text_of(post_page(client, "living", {}))
    pages["review-error"] = text_of(submit(client))
    pages["saved"] = text_of(post_page(client, "living", {"kurashiyasui": "1"}, nav="later", follow=True))
    pages["delete"] = text_of(client.get(f"{SURVEY_URL}/delete"))
    answer_all(client)
    pages["review"] = text_of(client.get(f"{SURVEY_URL}/review"))
    submit(client)
    pages["thanks"] = text_of(client.get(f"{SURVEY_URL}/thanks"))
    pages["already"] = text_of(client.get(f"{SURVEY_URL}/q/living"))
    pages["not-found"] = text_of(client.get("/nope"))
    other = app.test_client()
    other.get(f"/?lang={lang}")
    start(other)
    confirm = other.get(f"{SURVEY_URL}/delete")
    pages["deleted"] = text_of(other.post(f"{SURVEY_URL}/delete", data={"csrf_token": csrf(text_of(confirm))},
                                          follow_redirects=True))
    return pages


@pytest.mark.parametrize("lang", ["ja", "ur"])
def test_every_page_fits_the_60_kb_budget(app, lang):
    client = app.test_client()
    for name, page in every_page_type(app, lang).items():
        size = len(page.encode("utf-8")) + asset_bytes(client, page)
        assert size <= PAGE_BUDGET, f"{name}: {size} bytes"
        assert f'<html lang="{lang}"' in page, name


def translated_msgids(lang: str) -> set[str]:
    """English msgids whose translation differs in ``lang`` (these must never show on its pages)."""
    with catalog_path(lang, "messages").open("rb") as fh:
        catalog = read_po(fh)
    return {m.id for m in catalog if isinstance(m.id, str) and m.id and m.string and m.string != m.id
            and "%" not in m.id}


@pytest.mark.parametrize("lang", ["vi", "ur"])
def test_no_english_leaks_into_vietnamese_and_urdu_pages(app, lang):
    msgids = translated_msgids(lang)
    for name, page in every_page_type(app, lang).items():
        text = visible_text(page)
        leaked = sorted(m for m in msgids if re.search(rf"(?<!\w){re.escape(m)}(?!\w)", text))
        assert not leaked, f"{lang} {name}: {leaked}"
        if lang == "ur":  # Urdu script: any Latin word besides names and codes is a leak
            text = re.sub(r"https?://\S+|[A-Z0-9]{4}(?:-[A-Z0-9]{4}){3}", " ", text)
            words = set(re.findall(r"\b[A-Za-z]{3,}\b", text)) - {"English", "Ti"}
            assert not words, f"{lang} {name}: Latin words {sorted(words)}"
