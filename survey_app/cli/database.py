"""``machikoe db upgrade|downgrade|current``: Alembic migrations.

Alembic is imported by these commands, not on every ``machikoe`` start (see ``survey_app.cli``).
"""
from __future__ import annotations

import click

from .context import AppContext, pass_app


def register(main: click.Group) -> None:
    main.add_command(db)


@click.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@click.argument("revision", default="head")
@pass_app
def db_upgrade(app: AppContext, revision: str) -> None:
    """Migrate the database up to REVISION (default: head)."""
    from survey_app.migrate import current_revision, upgrade

    upgrade(app.settings.database_url, revision)
    click.echo(f"database at {current_revision(app.settings.database_url)}")


@db.command("downgrade")
@click.argument("revision")
@pass_app
def db_downgrade(app: AppContext, revision: str) -> None:
    """Migrate the database down to REVISION ('base' empties it)."""
    from survey_app.migrate import current_revision, downgrade

    downgrade(app.settings.database_url, revision)
    click.echo(f"database at {current_revision(app.settings.database_url) or 'base'}")


@db.command("current")
@pass_app
def db_current(app: AppContext) -> None:
    """Print the current revision."""
    from survey_app.migrate import current_revision

    click.echo(current_revision(app.settings.database_url) or "base (empty)")
