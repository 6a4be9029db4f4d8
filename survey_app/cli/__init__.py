"""The ``machikoe`` command: the composition root that wires core, web, bot and analysis.

Each command group lives in its own module with a ``register(main)`` function;
add the module to ``COMMAND_MODULES`` to expose it. Errors a user can fix are one
line on stderr and a non-zero exit status, never a traceback.
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
    "survey_app.cli.indicators",
    "survey_app.cli.responses",
    "survey_app.cli.survey_meta",
    "survey_app.cli.report",
)


class FriendlyGroup(click.Group):
    """Unexpected errors become one line (set MACHIKOE_DEBUG=1 for the traceback)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except ConfigError as exc:  # a setting that cannot be used: say which, once
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)
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
