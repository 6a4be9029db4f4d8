"""``machikoe invitations create``: codes for the mail-out, written once."""
from __future__ import annotations

from pathlib import Path

import click

from survey_app.config import write_private
from survey_app.csvio import CsvError
from survey_app.invitations import create_invitations, letters_csv, read_frame

from .context import AppContext, pass_app


def register(main: click.Group) -> None:
    main.add_command(invitations)


@click.group()
def invitations() -> None:
    """Invitation letters with personal codes."""


@invitations.command("create")
@click.option("--survey", "survey_id", required=True)
@click.option("--frame", "frame_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Sampling frame CSV: stratum columns only (age_band, sex, district).")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Letters CSV for the print vendor (codes are shown only here, once).")
@click.option("--base-url", default="http://localhost:5000", show_default=True, help="Public URL of the survey.")
@click.option("--bot-username", envvar=["MACHIKOE_TELEGRAM_BOT_USERNAME", "TELEGRAM_BOT_USERNAME"], default=None, help="For t.me deep links.")
@click.option("--encoding", type=click.Choice(["utf-8", "cp932", "auto"]), default="utf-8", show_default=True)
@pass_app
def invitations_create(app: AppContext, survey_id: str, frame_path: Path, out_path: Path, base_url: str,
                       bot_username: str | None, encoding: str) -> None:
    """Generate one code per frame row; store only their HMACs."""
    if out_path.exists():
        raise click.ClickException(f"{out_path} exists; codes are written once — choose a new file name")
    if not out_path.parent.is_dir():
        # Checked before any code is stored: codes saved but never written out would be lost.
        raise click.ClickException(f"{out_path.parent} is not a folder; nothing was created")
    with app.session() as session:
        instrument = app.instrument(session, survey_id)
        try:
            frame = read_frame(frame_path, instrument, encoding=encoding)
        except CsvError as exc:
            raise click.ClickException(f"{frame_path}: {exc}") from None
        letters = create_invitations(session, instrument, app.settings.secret_key, frame, batch=frame_path.name)
        letters_text = letters_csv(letters, instrument, base_url, bot_username)
    write_private(out_path, letters_text.encode("utf-8-sig"))  # codes: readable by the owner only
    click.echo(f"{len(letters)} invitation codes created for '{survey_id}' -> {out_path}")
