"""``machikoe responses import``: returns keyed by a data-entry vendor, or paper forms, as one CSV."""
from __future__ import annotations

from pathlib import Path

import click

from survey_app import audit
from survey_app.csvio import CsvError
from survey_app.returns import CHANNELS, ReturnsError, import_returns

from .context import AppContext, pass_app


def register(main: click.Group) -> None:
    main.add_command(responses)


@click.group()
def responses() -> None:
    """Responses entered outside the web survey and the bot."""


@responses.command("import")
@click.option("--survey", "survey_id", required=True, help="Survey id, e.g. ebetsu-2025.")
@click.option("--channel", type=click.Choice(CHANNELS), required=True,
              help="How the answers were given: paper (returned questionnaires) or web.")
@click.option("--encoding", type=click.Choice(["auto", "utf-8", "cp932"]), default="auto", show_default=True)
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@pass_app
def responses_import(app: AppContext, survey_id: str, channel: str, encoding: str, file: Path) -> None:
    """Store FILE (question ids as header, choice codes in cells, optional 'code'): all rows or none."""
    with app.session() as session:
        instrument = app.instrument(session, survey_id)
        try:
            result = import_returns(session, instrument, app.settings.secret_key, file, channel=channel,
                                    encoding=encoding)
        except ReturnsError as exc:
            for error in exc.errors[1:]:
                click.echo(f"{file}: line {error.line}: {error.message}", err=True)
            first = exc.errors[0]
            raise click.ClickException(f"{file}: line {first.line}: {first.message} "
                                       f"({len(exc.errors)} error(s); nothing was stored)") from None
        except (CsvError, UnicodeDecodeError) as exc:
            raise click.ClickException(f"{file}: {exc}; nothing was stored") from None
        audit.record(session, "cli", "responses_import", survey_id,
                     {"invited": result.invited, "open": result.open, "channel": channel, "file": file.name[:64]})
    click.echo(f"{result.invited + result.open} responses imported into '{survey_id}' "
               f"({result.invited} invited, {result.open} open)")
