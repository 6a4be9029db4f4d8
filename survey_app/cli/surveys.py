"""``machikoe survey validate|load|list``."""
from __future__ import annotations

from pathlib import Path

import click

from survey_app.instrument import Instrument, InstrumentError, bundled_path, load_instrument
from survey_app.surveys import list_surveys, load_survey

from .context import AppContext, pass_app


def register(main: click.Group) -> None:
    main.add_command(survey)


@click.group()
def survey() -> None:
    """Survey instruments (questions, choices, indicators)."""


def _load(path: Path) -> Instrument:
    try:
        return load_instrument(path)
    except InstrumentError as exc:
        raise click.ClickException(str(exc)) from None


@survey.command("validate")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def survey_validate(path: Path) -> None:
    """Check an instrument YAML file; errors name file, line and id."""
    instrument = _load(path)
    click.echo(f"{path.name}: ok — '{instrument.id}' v{instrument.version}, {len(instrument.sections)} sections, "
               f"{len(instrument.questions)} questions, {len(instrument.indicators)} indicators, "
               f"languages {', '.join(instrument.languages)}")


@survey.command("load")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def survey_load(app: AppContext, path: Path | None) -> None:
    """Load (or update) an instrument into the database; default: the bundled Ebetsu survey."""
    instrument = _load(path or bundled_path())
    with app.session() as session:
        try:
            _, outcome = load_survey(session, instrument)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"survey '{instrument.id}' v{instrument.version}: {outcome} (hash {instrument.content_hash[:12]})")


@survey.command("list")
@pass_app
def survey_list(app: AppContext) -> None:
    """List loaded surveys."""
    with app.session() as session:
        surveys = list_surveys(session)
        for s in surveys:
            click.echo(f"{s.id}\tv{s.version}\t{s.content_hash[:12]}\t{s.title}")
        if not surveys:
            click.echo("no surveys loaded (machikoe survey load)")
