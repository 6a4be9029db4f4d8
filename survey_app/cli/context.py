"""Shared state and helpers for CLI commands."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import click

from survey_app.config import Settings, load_settings
from survey_app.db import engine_for, session_scope

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    from survey_app.instrument import Instrument


class AppContext:
    def __init__(self, database_url: str | None = None) -> None:
        self._database_url = database_url

    @cached_property
    def settings(self) -> Settings:
        overrides = {"database_url": self._database_url} if self._database_url else {}
        return load_settings(**overrides)

    @property
    def engine(self) -> Engine:
        return engine_for(self.settings.database_url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        from sqlalchemy.exc import OperationalError, ProgrammingError

        try:
            with session_scope(self.engine) as session:
                yield session
        except (OperationalError, ProgrammingError) as exc:
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            raise click.ClickException(
                f"database error: {reason} (is the database migrated? run: machikoe db upgrade)") from None

    def instrument(self, session: Session, survey_id: str) -> Instrument:
        from survey_app.indicator_values import apply
        from survey_app.surveys import UnknownSurvey, get_instrument, list_surveys

        try:
            return apply(session, get_instrument(session, survey_id))
        except UnknownSurvey:
            known = ", ".join(s.id for s in list_surveys(session)) or "none loaded"
            raise click.ClickException(f"unknown survey '{survey_id}' (loaded: {known})") from None


pass_app = click.make_pass_decorator(AppContext)


def fail(message: str) -> click.ClickException:
    return click.ClickException(message)


def check_output_folder(output: Path) -> None:
    """Refuse, before any work, an output whose folder is missing or is a file (one line naming it)."""
    folder = output.parent
    if not folder.exists():
        raise click.ClickException(f"cannot write '{output}': the folder '{folder}' does not exist")
    if not folder.is_dir():
        raise click.ClickException(f"cannot write '{output}': '{folder}' is a file, not a folder")
