"""The helpers of ``tests/conftest.py`` (``web_config``, ``migrated_engine``, ``TEST_SECRET``…)
under a name of their own.

``from conftest import …`` is ambiguous once a sub-directory has its own conftest.py
(tests/staff/): whichever conftest pytest imported last answers. Loading the top-level file
by path under a unique module name always gives the right one.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_NAME = "machikoe_tests_root_conftest"


def _load():
    if _NAME not in sys.modules:
        spec = importlib.util.spec_from_file_location(_NAME, Path(__file__).with_name("conftest.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[_NAME] = module
        spec.loader.exec_module(module)
    return sys.modules[_NAME]


_root = _load()
clean = _root._clean


def __getattr__(name: str):
    """``from rootconf import web_config, _clean, …``: any name of the top-level conftest."""
    return getattr(_root, name)
