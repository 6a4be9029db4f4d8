"""Run Alembic programmatically (the CLI and tests use the same code path)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from survey_app.db import engine_for

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Timestamped revision files: their order is readable in a directory listing.
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d_%%(rev)s_%%(slug)s")
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def current_revision(database_url: str) -> str | None:
    with engine_for(database_url).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def revision(database_url: str, message: str, autogenerate: bool = True) -> None:
    """Write a new revision file (developers: after changing survey_app/models.py)."""
    command.revision(alembic_config(database_url), message=message, autogenerate=autogenerate)
