"""``machikoe population import|show``."""
from __future__ import annotations

from pathlib import Path

import click

from survey_app.csvio import CsvError
from survey_app.population import margins_for, read_population_csv, replace_margins

from .context import AppContext, pass_app

ENCODINGS = click.Choice(["utf-8", "cp932", "auto"])


def register(main: click.Group) -> None:
    main.add_command(population)


@click.group()
def population() -> None:
    """Population margins for weighting (resident register)."""


@population.command("import")
@click.option("--survey", "survey_id", required=True, help="Survey id, e.g. ebetsu-2025.")
@click.option("--encoding", type=ENCODINGS, default="utf-8", show_default=True,
              help="File encoding; cp932 reads Shift_JIS from Excel.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def population_import(app: AppContext, survey_id: str, encoding: str, file: Path) -> None:
    """Replace the survey's margins with FILE (dimension,category,count)."""
    with app.session() as session:
        instrument = app.instrument(session, survey_id)
        try:
            rows = read_population_csv(file, instrument, encoding=encoding)
        except CsvError as exc:
            raise click.ClickException(f"{file}: {exc}") from None
        except UnicodeDecodeError as exc:
            raise click.ClickException(f"{file}: not {encoding} text ({exc.reason})") from None
        count = replace_margins(session, survey_id, rows)
    dims = sorted({r.dimension for r in rows})
    click.echo(f"{count} cells imported for '{survey_id}' ({', '.join(dims)})")


@population.command("show")
@click.option("--survey", "survey_id", required=True)
@pass_app
def population_show(app: AppContext, survey_id: str) -> None:
    """Print the survey's current margins."""
    with app.session() as session:
        app.instrument(session, survey_id)
        rows = margins_for(session, survey_id)
    click.echo("dimension,category,count")
    for r in rows:
        click.echo(f"{r.dimension},{r.category},{r.count:g}")
