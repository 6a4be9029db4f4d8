"""``machikoe`` starts without the libraries only some commands use (issue 16): every command,
and every ``machikoe --help``, paid two to four seconds of CPU importing the analysis stack
(numpy, pandas, scipy), Alembic and openpyxl before doing anything. ``survey_app.cli`` says how."""
from __future__ import annotations

import importlib
import json
import subprocess
import sys

import click
from click.testing import CliRunner

from survey_app.cli import DEFERRED_COMMANDS, main

# Imported by the commands that use them, never on start-up.
NOT_ON_START = ("numpy", "pandas", "scipy", "sklearn", "alembic", "openpyxl", "weasyprint", "flask", "telegram",
                "gunicorn", "tornado", "pykakasi", "analysis", "bot")

LOADED_AFTER_HELP = """
import json, sys
from survey_app.cli import main
try:
    main(["--help"])
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_machikoe_help_imports_none_of_the_heavy_libraries():
    run = subprocess.run([sys.executable, "-c", LOADED_AFTER_HELP], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    *listing, loaded = run.stdout.strip().splitlines()
    assert "indicators" in "\n".join(listing) and "Weighted indicators with confidence" in "\n".join(listing)
    assert sorted(set(json.loads(loaded)) & set(NOT_ON_START)) == []


def test_a_deferred_command_is_listed_with_its_own_help_and_loads_when_used():
    for name, (module, sentence) in DEFERRED_COMMANDS.items():
        group = click.Group()
        importlib.import_module(module).register(group)
        assert group.commands[name].get_short_help_str(80) == click.Command(name, help=sentence).get_short_help_str(80)
        assert (group.commands[name].help or "").startswith(sentence)
    result = CliRunner().invoke(main, ["indicators", "--help"])
    assert result.exit_code == 0 and "--weighting" in result.output and "--ci" in result.output
