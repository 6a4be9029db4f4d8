"""The type check (mypy, settings in setup.cfg: ``survey_app``, ``analysis`` and ``bot`` with
``disallow_untyped_defs``) as a test of the suite, so that ``make test`` runs it beside the
other tests rather than before them (13–25 s of one core on a clean clone, 2 s with its
cache). ``make lint`` runs the same check on its own."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_finds_no_type_errors():
    run = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "Success: no issues found" in run.stdout
