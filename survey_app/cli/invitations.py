"""``machikoe invitations create``: codes for the mail-out, written once."""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import click

from survey_app import audit
from survey_app.config import write_private
from survey_app.csvio import CsvError
from survey_app.design import DesignError, read_stratum_sizes
from survey_app.invitations import (
    LineAccountError,
    TelegramAccountError,
    create_invitations,
    letters_csv,
    line_account,
    read_frame,
    telegram_account,
)

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
@click.option("--base-url", envvar=["MACHIKOE_PUBLIC_BASE_URL", "PUBLIC_BASE_URL"], default="http://localhost:5000",
              show_default=True, help="Public address of the survey, for the letters' links "
                                      "(default: $MACHIKOE_PUBLIC_BASE_URL or $PUBLIC_BASE_URL, else this one).")
@click.option("--bot-username", envvar=["MACHIKOE_TELEGRAM_BOT_USERNAME", "TELEGRAM_BOT_USERNAME"], default=None, help="For t.me deep links.")
@click.option("--line-basic-id", envvar=["MACHIKOE_LINE_BASIC_ID", "LINE_BASIC_ID"], default=None,
              help="The LINE official account's basic ID (@123abcde), for the letters' LINE links.")
@click.option("--encoding", type=click.Choice(["utf-8", "cp932", "auto"]), default="utf-8", show_default=True)
@click.option("--stratify-by", "stratify_by", metavar="COL[,COL]", default="",
              help="The sampling strata (frame columns, e.g. district): records N_h and letters n_h per stratum.")
@click.option("--stratum-sizes", "sizes_path", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV stratum,count with N_h (default: the stored population margin of the strata columns).")
@pass_app
def invitations_create(app: AppContext, survey_id: str, frame_path: Path, out_path: Path, base_url: str,
                       bot_username: str | None, line_basic_id: str | None, encoding: str, stratify_by: str,
                       sizes_path: Path | None) -> None:
    """Generate one code per frame row; store only their HMACs (and the design with --stratify-by)."""
    try:  # before any code is stored: codes saved but never written out would be lost
        line_account(line_basic_id)
        telegram_account(bot_username)
    except (LineAccountError, TelegramAccountError) as exc:
        raise click.ClickException(str(exc)) from None
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
            letters = create_invitations(session, instrument, app.settings.secret_key, frame, batch=frame_path.name,
                                         stratify_by=variables, stratum_sizes=sizes, commit=False)
        except DesignError as exc:
            raise click.ClickException(str(exc)) from None
        letters_text = letters_csv(letters, instrument, base_url, bot_username, line_basic_id)
        # audited in the same transaction as the codes, as the console does (both or neither)
        audit.record(session, "cli", "invitations_create", survey_id,
                     {"count": len(letters), "batch": frame_path.name[:64]}, commit=False)
        _write_then_commit(out_path, letters_text.encode("utf-8-sig"), session.commit)
    click.echo(f"{len(letters)} invitation code{'s' if len(letters) != 1 else ''} created for '{survey_id}' "
               f"-> {out_path}")
    from survey_app.letter_pdf import public_url_problem

    problem = public_url_problem(base_url)
    if problem:  # the codes are kept (printing the PDF recomposes the links), but this file's links are not usable
        click.echo("warning: the file's web_url links will not work for residents: "
                   + problem % {"url": base_url, "setting": "--base-url or PUBLIC_BASE_URL"}, err=True)  # msgid: English


def _write_then_commit(out_path: Path, data: bytes, commit: Callable[[], None]) -> None:
    """The letters file and the stored codes, both or neither: the file is written beside its name
    first (a full disk, a folder that cannot be written to, a name that is a folder fail here, and
    nothing is stored), then the codes are committed, then the file takes its name. Codes stored but
    never written out would be lost, and counted as letters sent."""
    partial = out_path.with_name(f".{out_path.name}.{os.getpid()}.part")
    try:
        write_private(partial, data)  # codes: readable by the owner only
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"{out_path}: cannot write the letters file ({exc.strerror}); "
                                   "no code was stored") from None
    try:
        commit()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, out_path)


@invitations.command("letters")
@click.option("--survey", "survey_id", required=True)
@click.option("--letters", "letters_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The letters CSV written by 'invitations create'.")
@click.option("--output", "output_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The PDF to write: one A4 page per letter, for a window envelope.")
@click.option("--deadline", default=None, help="回答期限 YYYY-MM-DD (default: the survey's response_deadline).")
@click.option("--base-url", envvar=["MACHIKOE_PUBLIC_BASE_URL", "PUBLIC_BASE_URL"], default=None,
              help="Public address of the survey (default: $MACHIKOE_PUBLIC_BASE_URL or $PUBLIC_BASE_URL).")
@click.option("--bot-username", envvar=["MACHIKOE_TELEGRAM_BOT_USERNAME", "TELEGRAM_BOT_USERNAME"], default=None,
              help="For t.me deep links.")
@click.option("--line-basic-id", envvar=["MACHIKOE_LINE_BASIC_ID", "LINE_BASIC_ID"], default=None,
              help="The LINE official account's basic ID (@123abcde), for the letters' LINE links.")
@click.option("--encoding", type=click.Choice(["utf-8", "cp932", "auto"]), default="auto", show_default=True)
@pass_app
def invitations_letters(app: AppContext, survey_id: str, letters_path: Path, output_path: Path,
                        deadline: str | None, base_url: str | None, bot_username: str | None,
                        line_basic_id: str | None, encoding: str) -> None:
    """Printable letters (PDF) from a letters file; settings come from 'machikoe survey settings'."""
    from survey_app import survey_settings
    from survey_app.letter_pdf import LetterRefused, letter_setup, letters_pdf
    from survey_app.letters import read_letters_csv

    if not output_path.parent.is_dir():
        raise click.ClickException(f"{output_path.parent} is not a folder")
    with app.session() as session:
        instrument = app.instrument(session, survey_id)
        try:
            due = survey_settings.parse_date(deadline) if deadline else None
            setup = letter_setup(survey_settings.read(session, survey_id), base_url, bot_username, due,
                                 line_basic_id=line_basic_id)
            letters = read_letters_csv(letters_path, instrument, encoding=encoding)
        except (LetterRefused, survey_settings.SettingError) as exc:
            raise click.ClickException(f"letters not printed: {exc}") from None
        except CsvError as exc:
            raise click.ClickException(f"{letters_path}: {exc}") from None
        pdf = letters_pdf(letters, instrument, setup)
        audit.record(session, "cli", "letters_print", survey_id, {"count": len(letters)})
    write_private(output_path, pdf)  # every letter's code: readable by the owner only, as the letters CSV
    click.echo(f"{len(letters)} letters (one A4 page each) -> {output_path}")
