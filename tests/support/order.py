"""The order of the parallel part: the files that take longest start first.

``make test`` runs pytest-xdist with ``--dist loadfile --no-loadscope-reorder``: whole files go to
whichever worker has almost nothing left, in collection order. xdist's default order (files with
the most tests first) sent the few long tests last — mypy, the SIGKILL tests — and one worker ran
them alone while the other core idled. Longest first (LPT scheduling) leaves the many short files
to even out the end. Times: one worker, 2026-11-30, ``pytest --durations=0``; a file missing from
the list only runs later, and tests/test_architecture.py checks that every listed file exists.
"""
from __future__ import annotations

import pytest

LONGEST_FIRST = (
    "tests/test_types.py",  # mypy without its cache: 13-25 s of one core in a subprocess
    "tests/test_faults_workers.py",  # about 16 s, mostly waiting on processes it kills
    "tests/test_faults_bot.py",  # about 16 s, likewise
    # the browser files together, so that each worker starts Chromium once (package-scoped)
    "tests/browser/test_survey_browser.py",  # 39 s
    "tests/browser/test_survey_browser_flows.py",  # 21 s
    "tests/browser/test_staff_browser.py",  # 10 s
    "tests/browser/test_staff_console_browser.py",  # 9 s
    "tests/browser/test_easy_japanese_browser.py",
    "tests/browser/test_language_links_browser.py",
    "tests/browser/test_urdu_layout_browser.py",
    "tests/test_report.py",  # 25 s
    "tests/test_architecture.py",  # 11 s
    "tests/test_fuzz_staff.py",  # 11 s
    "tests/test_bot_telegram.py",  # 9 s
    "tests/test_bot_resilience.py",  # 9 s
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: place for place, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable: the rest keep their order
