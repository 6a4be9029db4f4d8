"""``machikoe setup``: what ``make run`` needs on a fresh machine, idempotent."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from survey_app.instrument import bundled_path, load_instrument
from survey_app.population import margins_for, read_population_csv, replace_margins
from survey_app.surveys import load_survey

from .context import AppContext, pass_app

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

BUNDLED_POPULATION = bundled_path().with_name("ebetsu-2025-population.csv")

# Extra idempotent steps other parts register (e.g. the first staff account).
SETUP_STEPS: list[Callable[[AppContext, Session], None]] = []


def register(main: click.Group) -> None:
    main.add_command(setup)


@click.command()
@pass_app
def setup(app: AppContext) -> None:
    """Migrate the database, load the bundled Ebetsu survey and its illustrative margins."""
    from survey_app.migrate import upgrade  # Alembic: not on every start (see survey_app.cli)

    upgrade(app.settings.database_url)
    instrument = load_instrument(bundled_path())
    with app.session() as session:
        _, outcome = load_survey(session, instrument)
        click.echo(f"survey '{instrument.id}': {outcome}")
        if not margins_for(session, instrument.id):
            rows = read_population_csv(BUNDLED_POPULATION, instrument)
            replace_margins(session, instrument.id, rows, illustrative=True)
            click.echo(f"illustrative population margins loaded ({len(rows)} cells); "
                       "import the resident register's with: machikoe population import")
        for step in SETUP_STEPS:
            step(app, session)
