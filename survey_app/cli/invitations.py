"""``machikoe invitations create``: codes for the mail-out, written once."""
from __future__ import annotations

from pathlib import Path

import click

from survey_app.csvio import CsvError
from survey_app.design import DesignError, read_stratum_sizes
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
@click.option("--bot-username", envvar="TELEGRAM_BOT_USERNAME", default=None, help="For t.me deep links.")
@click.option("--encoding", type=click.Choice(["utf-8", "cp932", "auto"]), default="utf-8", show_default=True)
@click.option("--stratify-by", "stratify_by", metavar="COL[,COL]", default="",
              help="The sampling strata (frame columns, e.g. district): records N_h and letters n_h per stratum.")
@click.option("--stratum-sizes", "sizes_path", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV stratum,count with N_h (default: the stored population margin of the strata columns).")
@pass_app
def invitations_create(app: AppContext, survey_id: str, frame_path: Path, out_path: Path, base_url: str,
                       bot_username: str | None, encoding: str, stratify_by: str, sizes_path: Path | None) -> None:
    """Generate one code per frame row; store only their HMACs (and the design with --stratify-by)."""
    variables = tuple(v.strip() for v in stratify_by.split(",") if v.strip())
    if sizes_path is not None and not variables:
        raise click.UsageError("--stratum-sizes needs --stratify-by")
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
        try:
            sizes = read_stratum_sizes(sizes_path, encoding=encoding) if sizes_path else None
        except (CsvError, OSError) as exc:
            raise click.ClickException(f"{sizes_path}: {exc}") from None
        try:
            letters = create_invitations(session, instrument, app.settings.secret_key, frame,
                                         batch=frame_path.name, stratify_by=variables, stratum_sizes=sizes)
        except DesignError as exc:
            raise click.ClickException(str(exc)) from None
        letters_text = letters_csv(letters, instrument, base_url, bot_username)
    out_path.write_text(letters_text, encoding="utf-8-sig")
    click.echo(f"{len(letters)} invitation codes created for '{survey_id}' -> {out_path}")
