"""The ``machikoe`` command: the composition root that wires core, web, bot and analysis.

Each command group lives in its own module with a ``register(main)`` function;
add the module to ``COMMAND_MODULES`` to expose it. Errors a user can fix are one
line on stderr and a non-zero exit status, never a traceback.

Start-up: every ``machikoe`` process imports this package and every command module, so a
command module imports at module level only what building its options needs; libraries
only some commands use (Alembic, numpy, WeasyPrint, the analysis stack) are imported by
those commands (tests/test_cli_startup.py). A module that cannot build its options without
such a library is in ``DEFERRED_COMMANDS`` instead, imported when its command is used.
"""
from __future__ import annotations

import importlib
import os
import sys

import click

from survey_app.config import ConfigError

from .context import AppContext

COMMAND_MODULES = (
    "survey_app.cli.database",
    "survey_app.cli.surveys",
    "survey_app.cli.population",
    "survey_app.cli.invitations",
    "survey_app.cli.demo",
    "survey_app.cli.setup",
    "survey_app.cli.purge",
    "survey_app.cli.translations",
    "survey_app.cli.serve",
    "survey_app.cli.staff",
    "survey_app.cli.bot",
    "survey_app.cli.line",
    "survey_app.cli.responses",
    "survey_app.cli.survey_meta",
    "survey_app.cli.report",
)

# name -> (module, its help's first sentence). ``indicators`` lists the analysis package's
# methods in its options, and their registries import numpy, pandas and scipy (seconds of
# CPU): the module is imported when the command is run or asked for its help, not by
# ``machikoe --help``, which shows the sentence given here (a test compares the two).
DEFERRED_COMMANDS = {
    "indicators": ("survey_app.cli.indicators",
                   "Weighted indicators with confidence intervals, breakdowns and change from baseline."),
}


class UsageProblem(click.ClickException):
    """A wrong flag or value of a command, in one line naming it and where help is (exit 2, as click's)."""

    exit_code = 2


class FriendlyGroup(click.Group):
    """Unexpected errors become one line (set MACHIKOE_DEBUG=1 for the traceback), and so does a
    wrong flag or value (click prints a usage block first; staff run these from scripts); the
    ``DEFERRED_COMMANDS`` are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *DEFERRED_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in DEFERRED_COMMANDS and cmd_name not in self.commands:
            importlib.import_module(DEFERRED_COMMANDS[cmd_name][0]).register(self)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's list of commands, a deferred one shown by its sentence rather than imported."""
        listed = {name: click.Command(name, help=sentence) for name, (_, sentence) in DEFERRED_COMMANDS.items()}
        click.Group.format_commands(click.Group(commands={**listed, **self.commands}), ctx, formatter)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else ctx.command_path
            raise UsageProblem(f"{exc.format_message()} (see: {where} --help)") from None
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except ConfigError as exc:  # a setting that cannot be used: say which, once
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)
        except OSError as exc:  # a file or folder the command could not use: which, and why, in one line
            if os.environ.get("MACHIKOE_DEBUG"):
                raise
            where = f" '{exc.filename}'" if exc.filename else ""
            click.echo(f"Error: cannot use{where}: {exc.strerror or exc}", err=True)
            sys.exit(1)
        except Exception as exc:
            if os.environ.get("MACHIKOE_DEBUG"):
                raise
            click.echo(f"Error: {type(exc).__name__}: {exc} (MACHIKOE_DEBUG=1 shows details)", err=True)
            sys.exit(1)


@click.group(cls=FriendlyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--database-url", envvar=["MACHIKOE_DATABASE_URL", "DATABASE_URL"], default=None,
              help="SQLAlchemy URL (default: SQLite in instance/machikoe.db).")
@click.pass_context
def main(ctx: click.Context, database_url: str | None) -> None:
    """Machikoe (まちの声): citizen survey, chatbot and weighted indicators."""
    ctx.obj = AppContext(database_url)


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(main)
