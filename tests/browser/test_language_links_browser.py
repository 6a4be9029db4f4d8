"""Language links resolve to this site in a real browser, whatever path the page was asked for.

The 404 page of ``/%5Cevil.example`` wrote its language links as ``/\\evil.example?lang=…``;
Chromium reads a backslash in a special URL as a slash, so the links went to
``http://evil.example/`` (issue 14). The links are read here as Chromium resolves them
(``a.href``), not as the HTML spells them.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

HOSTILE_PATHS = ["/%5Cevil.example", "/%5C%5Cevil.example/x", "//evil.example", "/%2F%2Fevil.example",
                 "/%09/evil.example", "/s/ebetsu-2025/%5Cevil.example", "/%E2%80%AE%5Cevil.example"]


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_language_links_of_any_page_stay_on_this_site(new_page, live_server, path):
    page = new_page(lang="en")
    page.goto(live_server.url + path)
    hrefs = page.eval_on_selector_all("a[hreflang], a[lang]", "links => links.map(a => a.href)")
    assert len(hrefs) >= 4, f"no language links found on {path}"
    origin = urlsplit(live_server.url)
    for href in hrefs:
        resolved = urlsplit(href)
        assert (resolved.scheme, resolved.netloc) == (origin.scheme, origin.netloc), href
        assert "evil.example" not in resolved.netloc


def test_a_language_link_of_a_404_page_opens_on_this_site(new_page, live_server):
    page = new_page(lang="en")
    page.goto(live_server.url + "/%5Cevil.example")
    page.locator("a[hreflang=ja], a[lang=ja]").first.click()
    page.wait_for_load_state()
    assert urlsplit(page.url).netloc == urlsplit(live_server.url).netloc
    assert page.locator("html").get_attribute("lang") == "ja"
