"""``machikoe purge --before DATE``: apply the retention period."""
from __future__ import annotations

from datetime import UTC, datetime

import click

from survey_app.retention import count_purgeable, purge

from .context import AppContext, pass_app


def register(main: click.Group) -> None:
    main.add_command(purge_command)


@click.command("purge")
@click.option("--before", "before", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Cut-off date (YYYY-MM-DD): data last touched before it is removed.")
@click.option("--dry-run", is_flag=True, help="Only count what would be removed.")
@pass_app
def purge_command(app: AppContext, before: datetime, dry_run: bool) -> None:
    """Remove free-text answers, bot sessions and abandoned partial responses older than DATE;
    cut the remaining responses' times to the day."""
    cutoff = before.replace(tzinfo=UTC)
    if cutoff > datetime.now(UTC):
        raise click.ClickException(f"--before {before.date()} is in the future; nothing would be left to analyse")
    with app.session() as session:
        counts = count_purgeable(session, cutoff) if dry_run else purge(session, cutoff)
    verb = "would remove" if dry_run else "removed"
    click.echo(f"{verb}: {counts.free_texts} free-text answers, {counts.bot_sessions} bot sessions, "
               f"{counts.partial_responses} partial responses (last touched before {before.date()})"
               + ("" if dry_run else f"; times of {counts.coarsened_responses} responses cut to the day"))
