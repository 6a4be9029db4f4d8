"""Browser fixtures: a real server thread, Debian's Chromium through Playwright, axe-core.

Reusable by any browser test (the staff dashboard's too): ``live_server`` serves the
``app`` fixture on a port of its own; ``browser`` is one headless Chromium per package;
``new_page(lang=…, width=…)`` gives a phone-sized page (390×844) that the site sees as a new
phone: a context of its own with no cookies (the site keeps nothing else in the browser). The
``axe_violations`` fixture is a function ``(page) -> [problems]`` running the bundled axe-core
(no download) for WCAG 2.1 A/AA; the ``screenshot`` fixture ``(page, name)`` writes
``tests/artifacts/<name>.png`` when ``MACHIKOE_TEST_SCREENSHOTS=1``. Requests to any host other than the live server are blocked
and reported: pages must not need the internet.

Pages are kept between the tests of the package (``PagePool``): opening a context and its first
page costs Chromium about 0.7 s of CPU, a navigation in an open page about 0.15 s. A page is
lent to one test at a time, its context's cookies cleared, on ``about:blank``, with the test's
viewport and screen media; two pages of one test are always two contexts (two phones). The
server stays up for the package and serves whichever test's app is current.

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

# Debian's chromium-headless-shell: Chromium's headless shell, the build Playwright itself runs
# headless. Measured on the browser tests alone (35 tests, one process, 2026-11-30): 66 s of
# Chromium CPU and 79 s wall, against 112 s and 104 s with the full browser (/usr/bin/chromium).
CHROMIUM = "/usr/bin/chromium-headless-shell"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
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
    """A threaded Werkzeug server on a free port, serving the current test's app."""

    def __init__(self) -> None:
        self.app = None
        self._server = make_server("127.0.0.1", 0, self._dispatch, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)

    def _dispatch(self, environ, start_response):
        if self.app is None:  # between tests: nothing is being served
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"no test is running"]
        return self.app(environ, start_response)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture(scope="package")
def _server():
    with LiveServer() as server:
        yield server


@pytest.fixture
def live_server(_server, app):
    _server.app = app
    yield _server
    _server.app = None


# Package scope, not session: Playwright's sync API keeps an event loop running in this
# thread while it is open, which would break every later test that calls asyncio.run().
@pytest.fixture(scope="package")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (make test installs Debian's chromium-headless-shell)"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class PagePool:
    """Open pages by language, lent to one test at a time (see the module's docstring)."""

    def __init__(self, browser, base_url: str) -> None:
        self.browser, self.base_url = browser, base_url
        self.free: dict[str, list] = {}
        self.lent: list[tuple[str, object]] = []
        self.outside: list[str] = []  # requests for other hosts during the current test

    def take(self, lang: str, width: int, height: int):
        pages = self.free.setdefault(lang, [])
        page = pages.pop() if pages else self._open(lang)
        page.context.clear_cookies()
        page.emulate_media(media="screen")
        page.goto("about:blank")
        page.set_viewport_size({"width": width, "height": height})
        self.lent.append((lang, page))
        return page

    def give_back(self) -> list[str]:
        for lang, page in self.lent:
            self.free[lang].append(page)
        self.lent.clear()
        outside, self.outside = self.outside, []
        return outside

    def _open(self, lang: str):
        context = self.browser.new_context(viewport=PHONE, locale=lang, extra_http_headers={"Accept-Language": lang},
                                           base_url=self.base_url)
        server_host = urlsplit(self.base_url).netloc

        def only_local(route):
            if urlsplit(route.request.url).netloc == server_host:
                return route.continue_()
            self.outside.append(route.request.url)
            return route.abort()

        context.route("**/*", only_local)
        context.set_default_timeout(10_000)
        return context.new_page()


@pytest.fixture(scope="package")
def _pages(browser, _server):
    return PagePool(browser, _server.url)


@pytest.fixture
def new_page(_pages, live_server):
    """``new_page(lang="ur", width=320)`` → a page of its own context (a new phone)."""
    def make(lang: str = "ja", width: int = PHONE["width"], height: int = PHONE["height"]):
        return _pages.take(lang, width, height)

    yield make
    outside = _pages.give_back()
    assert not outside, f"pages asked for other hosts: {outside}"


@pytest.fixture
def axe_violations():
    return find_axe_violations


@pytest.fixture
def screenshot():
    return save_screenshot


def find_axe_violations(page) -> list[str]:
    """WCAG 2.1 A/AA violations found by axe-core on the current page, one line each.

    ``resultTypes``: axe still runs every rule, but details (selectors, HTML) only of violations,
    which is all we read; passes and inapplicable rules are not described node by node."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    return [f"{page.url}: {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]]


def save_screenshot(page, name: str) -> None:
    """``tests/artifacts/<name>.png`` of the whole page, for people to look at — with
    ``MACHIKOE_TEST_SCREENSHOTS=1`` only: nothing reads them in a run, and the full-page
    screenshots cost Chromium about 5 s of CPU in every ``make test``."""
    if os.environ.get("MACHIKOE_TEST_SCREENSHOTS") != "1":
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
