"""Markers given by place: every test under tests/browser/ is ``browser``.

``serial`` is given by the test files themselves (``pytestmark = pytest.mark.serial``): tests
that kill workers, measure time or load the machine on purpose run after the parallel part,
alone (``make test`` runs ``-m "not serial"`` under pytest-xdist, then ``-m serial``).
"""
from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
