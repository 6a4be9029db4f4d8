"""Invitations: sampling frame upload → codes generated once → letters CSV or printable
letters with QR codes; printable letters again from the letters CSV; undeliverable letters.

Codes are shown only in the response to the generating request (and the letters file):
the database keeps their HMACs, so nothing here can print a code twice by accident.
"""
from __future__ import annotations

import os

from flask import Response, current_app, render_template, request
from sqlalchemy import func, select

from survey_app.csvio import CsvError
from survey_app.i18n import N_, locales
from survey_app.i18n.catalogs import get_translations
from survey_app.i18n.texts import InstrumentTexts
from survey_app.invitations import create_invitations, letters_csv, read_frame
from survey_app.letters import UndeliverableError, mark_undeliverable, printable, read_letters_csv
from survey_app.models import Invitation

from ..context import db, gettext
from ..rich import rich
from . import bp
from .auth import require
from .common import UploadProblem, csv_error_text, instrument_or_404, read_upload, record, texts

MAX_LETTERS = 50_000


def _links() -> tuple[str, str | None]:
    # The letters must carry the public address, not whatever Host this request came with.
    base = current_app.config.get("PUBLIC_BASE_URL") or os.environ.get("PUBLIC_BASE_URL") or request.host_url
    bot = current_app.config.get("TELEGRAM_BOT_USERNAME") or os.environ.get("TELEGRAM_BOT_USERNAME")
    return base, bot


def _counts(survey_id: str) -> dict[str, int]:
    rows = db().execute(select(Invitation.undeliverable, func.count()).where(Invitation.survey_id == survey_id)
                        .group_by(Invitation.undeliverable)).all()
    by_flag = {bool(flag): n for flag, n in rows}
    return {"total": sum(by_flag.values()), "undeliverable": by_flag.get(True, 0)}


def _page(survey_id: str, instrument, status: int = 200, **context):
    return render_template("staff/invitations.html", survey_id=survey_id, title=texts(instrument).title(),
                           counts=_counts(survey_id), columns=[q.id for q in instrument.weighting_questions()],
                           max_letters=MAX_LETTERS, **context), status


@bp.get("/s/<survey_id>/invitations")
@require("manage_invitations")
def invitations(survey_id: str):
    return _page(survey_id, instrument_or_404(survey_id))


@bp.post("/s/<survey_id>/invitations/generate")
@require("manage_invitations")
def generate_invitations(survey_id: str):
    instrument = instrument_or_404(survey_id)
    try:
        upload = read_upload()
        frame = read_frame(upload.data, instrument, encoding="auto")
    except UploadProblem as exc:
        return _page(survey_id, instrument, 400, generate_error=str(exc))
    except CsvError as exc:
        return _page(survey_id, instrument, 400, generate_error=csv_error_text(exc))
    if len(frame) > MAX_LETTERS:
        return _page(survey_id, instrument, 400, generate_error=gettext(
            "At most %(max)d letters per file; split the frame.", max=MAX_LETTERS))
    secret = current_app.config["SECRET_KEY"]
    letters = create_invitations(db(), instrument, secret, frame, batch=upload.name[:64])
    record("invitations_create", survey_id, count=len(letters), batch=upload.name[:64])
    base, bot = _links()
    if request.form.get("output") == "html":
        return _letters_page(instrument, letters, base, bot)
    body = "\ufeff" + letters_csv(letters, instrument, base, bot)
    return Response(body.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="letters-{survey_id}.csv"',
                             "Cache-Control": "no-store"})


# The letter speaks to residents: Japanese first, then one line in each other language.
LETTER_LINES = {
    "intro": N_("Please take part in the city's resident survey. Your answers are used only for statistics."),
    "web": N_("Answer on the web: scan the QR code or type the address."),
    "telegram": N_("Or answer in Telegram: scan this QR code."),
    "code": N_("Your personal code"),
    # i18n: On the printed letter; %(languages)s lists each language in itself (日本語 / English / …).
    "languages": N_("You can answer in these languages: %(languages)s."),
    "contact": N_("Questions about this survey:"),
}


def _letter_texts(instrument) -> dict[str, dict[str, str]]:
    """Each line of the letter in each language the survey offers, as HTML (ruby readings for
    やさしい日本語; phone numbers and URLs isolated in Urdu), the contact in that language too."""
    offered = locales.offered(instrument.languages)
    names = " / ".join(locales.native_name(loc) for loc in offered)
    lines = {}
    for loc in offered:
        words = {key: get_translations(loc).gettext(msgid) for key, msgid in LETTER_LINES.items()}
        words["languages"] = words["languages"] % {"languages": names}
        words["contact"] = f"{words['contact']} {InstrumentTexts(instrument, loc).contact()}"
        lines[loc] = {key: rich(text, loc) for key, text in words.items()}
    return lines


def _letters_page(instrument, letters, base: str, bot: str | None):
    words = texts(instrument)
    return render_template("staff/letters.html", survey_id=instrument.id, survey_title=instrument.title,
                           title=words.title(), letters=printable(letters, instrument, base, bot),
                           privacy_notice=instrument.privacy_notice, lines=_letter_texts(instrument),
                           source=instrument.source_language,
                           other_locales=[loc for loc in locales.offered(instrument.languages)
                                          if loc != instrument.source_language],
                           direction=locales.direction)


@bp.post("/s/<survey_id>/invitations/letters")
@require("manage_invitations")
def printable_letters(survey_id: str):
    instrument = instrument_or_404(survey_id)
    try:
        letters = read_letters_csv(read_upload().data, instrument, encoding="auto")
    except UploadProblem as exc:
        return _page(survey_id, instrument, 400, letters_error=str(exc))
    except CsvError as exc:
        return _page(survey_id, instrument, 400, letters_error=csv_error_text(exc))
    base, bot = _links()
    return _letters_page(instrument, letters, base, bot)


def _line_problem(error) -> str:
    problem = gettext(error.problem)
    if error.code:
        problem = error.code + " – " + problem
    return gettext("Line %(line)d: %(problem)s", line=error.line, problem=problem)


@bp.post("/s/<survey_id>/invitations/undeliverable")
@require("manage_invitations")
def undeliverable(survey_id: str):
    instrument = instrument_or_404(survey_id)
    typed = request.form.get("codes", "")
    try:
        count = mark_undeliverable(db(), instrument, current_app.config["SECRET_KEY"], typed)
    except UndeliverableError as exc:
        db().rollback()
        problems = [_line_problem(e) for e in exc.errors]
        return _page(survey_id, instrument, 400, undeliverable_errors=problems, typed=typed)
    record("invitations_undeliverable", survey_id, count=count)
    return _page(survey_id, instrument, marked=count)
