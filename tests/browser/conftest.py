"""Fixture registration only: the browser fixtures live in tests/support/browser.py. Its
``db_url`` replaces the two-database one here: browser tests run on SQLite (time budget)."""
from tests.support.browser import (  # noqa: F401 - registered with pytest by being imported here
    _pages,
    _server,
    axe_violations,
    browser,
    db_url,
    live_server,
    new_page,
    screenshot,
)
