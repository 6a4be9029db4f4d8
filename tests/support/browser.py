"""Browser fixtures: a real server thread, Debian's Chromium through Playwright, axe-core.

Reusable by any browser test (the staff dashboard's too): ``live_server`` serves the
``app`` fixture on a free port; ``browser`` is one headless Chromium per test run;
``new_page(lang=…, width=…)`` opens a phone-sized page (390×844) in a fresh context
(a fresh context is a different phone: no cookies); the ``axe_violations`` fixture is a
function ``(page) -> [problems]`` running the bundled axe-core (no download) for WCAG
2.1 A/AA; the ``screenshot`` fixture ``(page, name)`` writes ``tests/artifacts/<name>.png``. Requests to any host other than the live server are
blocked and reported: pages must not need the internet.

Browser tests run on SQLite only (time budget); one test opts into PostgreSQL with
``@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)``.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"  # tests/artifacts
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(params=["sqlite"])
def db_url(request):
    """SQLite by default here; ``indirect`` parametrisation with "postgresql" selects PostgreSQL."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_url")
    return request.getfixturevalue("sqlite_url")


class LiveServer:
    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    with LiveServer(app) as server:
        yield server


# Package scope, not session: Playwright's sync API keeps an event loop running in this
# thread while it is open, which would break every later test that calls asyncio.run().
@pytest.fixture(scope="package")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (make test installs Debian's chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """``new_page(lang="ur", width=320)`` → a page in a new context (a new phone)."""
    contexts, outside = [], []

    def make(lang: str = "ja", width: int = PHONE["width"], height: int = PHONE["height"]):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=lang,
                                      extra_http_headers={"Accept-Language": lang}, base_url=live_server.url)
        server_host = urlsplit(live_server.url).netloc

        def only_local(route):
            if urlsplit(route.request.url).netloc == server_host:
                return route.continue_()
            outside.append(route.request.url)
            return route.abort()

        context.route("**/*", only_local)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    assert not outside, f"pages asked for other hosts: {outside}"


@pytest.fixture
def axe_violations():
    return find_axe_violations


@pytest.fixture
def screenshot():
    return save_screenshot


def find_axe_violations(page) -> list[str]:
    """WCAG 2.1 A/AA violations found by axe-core on the current page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [f"{page.url}: {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]]


def save_screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
