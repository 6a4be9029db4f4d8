"""``machikoe report``: the published survey report (市民意識調査報告書) as PDF, XLSX or HTML.

Same files as the staff console's 報告書 page (both call ``analysis.publication``). Bad flags,
an unknown survey, no responses or no margins: one line on stderr and exit status 1.
"""
from __future__ import annotations

from pathlib import Path

import click

from survey_app.i18n import locales

from .context import AppContext, check_output_folder, pass_app


def register(main: click.Group) -> None:
    main.add_command(report)


@click.command()
@click.option("--survey", "survey_id", required=True, help="Survey id in the database, e.g. ebetsu-2025.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "xlsx", "html"]), required=True,
              help="pdf (to print and publish), xlsx (one sheet per table) or html.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
              help="File to write.")
@click.option("--weighting", type=click.Choice(["none", "poststratify", "rake", "propensity"]), default="rake",
              show_default=True, help="Weighting of the headline figures and weighted percentages.")
@click.option("--lang", type=click.Choice(locales.report_languages()), default=locales.DEFAULT, show_default=True,
              help="Language of the report's words (answers and comments stay as written).")
@pass_app
def report(app: AppContext, survey_id: str, fmt: str, output: Path, weighting: str, lang: str) -> None:
    """The survey report: overview, indicators, simple and cross tabulations, free comments, methods."""
    from analysis import AnalysisError
    from analysis.publication import report_bytes
    from survey_app.config import TimezoneError, write_private

    check_output_folder(output)  # before the report is laid out
    with app.session() as session:
        instrument = app.instrument(session, survey_id)
        try:
            content = report_bytes(session, instrument, fmt, weighting, lang)
        except (AnalysisError, TimezoneError) as exc:
            raise click.ClickException(str(exc)) from None
    # Readable by its owner only, like every export of the command line: the report carries every free
    # comment (masked, but still residents' words) until staff decide to publish it.
    write_private(output, content)
    click.echo(f"written: {output} ({len(content):,} bytes)", err=True)
