"""Invitations: sampling frame upload → codes generated once → letters CSV or printable
letters (PDF, ``survey_app.letter_pdf``); printable letters again from the letters CSV; undeliverable letters.

Codes are shown only in the response to the generating request (and the letters file):
the database keeps their HMACs, so nothing here can print a code twice by accident.
"""
from __future__ import annotations

import os

from flask import Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from survey_app import survey_settings
from survey_app.config import env_value
from survey_app.csvio import CsvError
from survey_app.design import DesignError
from survey_app.instrument import Instrument
from survey_app.invitations import (
    Letter,
    LineAccountError,
    TelegramAccountError,
    create_invitations,
    frame_template,
    letters_csv,
    line_account,
    read_frame,
    telegram_account,
)
from survey_app.letter_pdf import LetterRefused, LetterSetup, letter_setup, letters_pdf
from survey_app.letters import CodeLineError, UndeliverableError, mark_undeliverable, read_letters_csv
from survey_app.models import Invitation

from ..context import db, gettext
from . import bp
from .auth import require
from .common import (
    UploadProblem,
    csv_download,
    csv_error_text,
    download,
    instrument_or_404,
    read_upload,
    record,
    texts,
)

MAX_LETTERS = 50_000


def _links() -> tuple[str, str | None, str | None]:
    # The letters must carry the public address, not whatever Host this request came with.
    base = current_app.config.get("PUBLIC_BASE_URL") or os.environ.get("PUBLIC_BASE_URL") or request.host_url
    bot = current_app.config.get("TELEGRAM_BOT_USERNAME") or os.environ.get("TELEGRAM_BOT_USERNAME")
    return base, bot, _line_basic_id()


def _line_basic_id() -> str | None:
    return current_app.config.get("LINE_BASIC_ID") or env_value("LINE_BASIC_ID")


def _counts(survey_id: str) -> dict[str, int]:
    rows = db().execute(select(Invitation.undeliverable, func.count()).where(Invitation.survey_id == survey_id)
                        .group_by(Invitation.undeliverable)).all()
    by_flag = {bool(flag): n for flag, n in rows}
    return {"total": sum(by_flag.values()), "undeliverable": by_flag.get(True, 0)}


def _page(survey_id: str, instrument: Instrument, status: int = 200, **context: object) -> tuple[str, int]:
    return render_template("staff/invitations.html", survey_id=survey_id, title=texts(instrument).title(),
                           counts=_counts(survey_id),
                           columns=[q.short_name or q.id for q in instrument.weighting_questions()],
                           max_letters=MAX_LETTERS, letters_blocked=_letter_setup(survey_id)[1], **context), status


@bp.get("/s/<survey_id>/invitations")
@require("manage_invitations")
def invitations(survey_id: str) -> ResponseReturnValue:
    return _page(survey_id, instrument_or_404(survey_id))


@bp.get("/s/<survey_id>/invitations/frame-template.csv")
@require("manage_invitations")
def frame_template_download(survey_id: str) -> ResponseReturnValue:
    return csv_download(frame_template(instrument_or_404(survey_id)), f"frame-template-{survey_id}.csv")


@bp.post("/s/<survey_id>/invitations/generate")
@require("manage_invitations")
def generate_invitations(survey_id: str) -> ResponseReturnValue:
    instrument = instrument_or_404(survey_id)
    try:
        upload = read_upload()
        frame = read_frame(upload.data, instrument, encoding="auto")
    except UploadProblem as exc:
        return _page(survey_id, instrument, 400, generate_error=str(exc))
    except CsvError as exc:
        return _page(survey_id, instrument, 400, generate_error=csv_error_text(exc, instrument))
    if len(frame) > MAX_LETTERS:
        return _page(survey_id, instrument, 400, generate_error=gettext(
            "At most %(max)d letters per file; split the frame.", max=MAX_LETTERS))
    try:  # checked before any code exists, like the letter settings below
        line_account(_line_basic_id())
        telegram_account(_links()[1])
    except (LineAccountError, TelegramAccountError) as exc:
        return _page(survey_id, instrument, 400, generate_error=gettext(exc.message, **exc.params))
    setup = None
    if request.form.get("output") == "pdf":
        setup, refused = _letter_setup(survey_id)
        if refused:  # checked before any code exists: codes never shown are codes lost
            return _page(survey_id, instrument, 400, generate_error=refused)
    secret = current_app.config["SECRET_KEY"]
    try:
        letters = create_invitations(db(), instrument, secret, frame, batch=upload.name[:64])
    except DesignError:
        db().rollback()
        return _page(survey_id, instrument, 400, generate_error=gettext(
            "This survey's sampling design is recorded by strata: make further batches with "
            "'machikoe invitations create --stratify-by'."))
    record("invitations_create", survey_id, count=len(letters), batch=upload.name[:64])
    if setup is not None:
        return _letters_pdf(instrument, letters, setup)
    return csv_download(letters_csv(letters, instrument, *_links()), f"letters-{survey_id}.csv")


def _letter_setup(survey_id: str) -> tuple[LetterSetup, None] | tuple[None, str]:
    """Everything the letters need, or a translated sentence saying what to set (nothing is created then)."""
    base = current_app.config.get("PUBLIC_BASE_URL") or os.environ.get("PUBLIC_BASE_URL")
    bot = current_app.config.get("TELEGRAM_BOT_USERNAME") or os.environ.get("TELEGRAM_BOT_USERNAME")
    try:
        return letter_setup(survey_settings.read(db(), survey_id), base, bot, line_basic_id=_line_basic_id()), None
    except LetterRefused as exc:
        return None, gettext(exc.message, **exc.params)


def _letters_pdf(instrument: Instrument, letters: list[Letter], setup: LetterSetup) -> Response:
    pdf = letters_pdf(letters, instrument, setup)
    record("letters_print", instrument.id, count=len(letters))
    return download(pdf, f"letters-{instrument.id}.pdf", "application/pdf")


@bp.post("/s/<survey_id>/invitations/letters")
@require("manage_invitations")
def printable_letters(survey_id: str) -> ResponseReturnValue:
    instrument = instrument_or_404(survey_id)
    try:
        letters = read_letters_csv(read_upload().data, instrument, encoding="auto")
    except UploadProblem as exc:
        return _page(survey_id, instrument, 400, letters_error=str(exc))
    except CsvError as exc:
        return _page(survey_id, instrument, 400, letters_error=csv_error_text(exc, instrument))
    setup, refused = _letter_setup(survey_id)
    if setup is None:
        return _page(survey_id, instrument, 400, letters_error=refused)
    return _letters_pdf(instrument, letters, setup)


def _line_problem(error: CodeLineError) -> str:
    problem = gettext(error.problem)
    if error.code:
        problem = error.code + " – " + problem
    return gettext("Line %(line)d: %(problem)s", line=error.line, problem=problem)


@bp.post("/s/<survey_id>/invitations/undeliverable")
@require("manage_invitations")
def undeliverable(survey_id: str) -> ResponseReturnValue:
    instrument = instrument_or_404(survey_id)
    typed = request.form.get("codes", "")
    delivered = request.form.get("action") == "delivered"  # the undo button: a mark made by mistake
    try:
        count = mark_undeliverable(db(), instrument, current_app.config["SECRET_KEY"], typed,
                                   undeliverable=not delivered)
    except UndeliverableError as exc:
        db().rollback()
        problems = [_line_problem(e) for e in exc.errors]
        return _page(survey_id, instrument, 400, undeliverable_errors=problems, typed=typed)
    record("invitations_delivered" if delivered else "invitations_undeliverable", survey_id, count=count)
    return _page(survey_id, instrument, **({"unmarked": count} if delivered else {"marked": count}))
