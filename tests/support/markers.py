"""Markers given by place: every test under tests/browser/ is ``browser``, every test under
tests/serial/ is ``serial``.

``serial`` tests bound a time that a busy neighbour would stretch: they run after the parallel
part, alone (``make test`` runs ``-m "not serial"`` under pytest-xdist, then ``tests/serial`` —
which imports only what those few tests need). A test that kills processes but asserts no time
(tests/test_faults_*.py) runs in the parallel part.
"""
from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = str(item.fspath).replace(os.sep, "/")
        if "tests/browser/" in path:
            item.add_marker(pytest.mark.browser)
        if "tests/serial/" in path:
            item.add_marker(pytest.mark.serial)
