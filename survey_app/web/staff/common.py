"""Helpers shared by the staff views: the survey of a URL, uploads, downloads, translated errors."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import Response, abort, request
from flask_login import current_user

from survey_app import audit, indicator_values
from survey_app.csvio import UTF16_BOMS, CsvError, not_a_csv
from survey_app.i18n.texts import InstrumentTexts
from survey_app.instrument import Instrument
from survey_app.surveys import UnknownSurvey, get_instrument

from ..context import current_locale, db, gettext

UPLOAD_SUFFIXES = (".csv", ".txt")


def instrument_or_404(survey_id: str) -> Instrument:
    """The survey's instrument with the baselines, targets and history staff have set."""
    try:
        return indicator_values.apply(db(), get_instrument(db(), survey_id))
    except UnknownSurvey:
        abort(404)


def texts(instrument: Instrument) -> InstrumentTexts:
    return InstrumentTexts(instrument, current_locale())


class UploadProblem(ValueError):
    pass


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def read_upload(field: str = "file") -> Upload:
    """The uploaded CSV's bytes, or UploadProblem with a translated message (wrong type, empty)."""
    storage = request.files.get(field)
    if storage is None or not storage.filename:
        raise UploadProblem(gettext("Choose a CSV file to upload."))
    data = storage.read()
    kind = not_a_csv(data)
    if kind is not None:
        raise UploadProblem(gettext(kind))
    if not storage.filename.lower().endswith(UPLOAD_SUFFIXES):
        raise UploadProblem(gettext("'%(name)s' is not a CSV file (.csv).", name=storage.filename))
    if not data.strip():
        raise UploadProblem(gettext("The file is empty."))
    if b"\x00" in data[:4096] and not data.startswith(UTF16_BOMS):  # UTF-16 text (Excel's Unicode Text) has NULs
        raise UploadProblem(gettext("This file is not text. Upload a CSV file (UTF-8 or Shift_JIS)."))
    return Upload(storage.filename, data)


def download(body: bytes | Iterable[bytes], filename: str, mimetype: str) -> Response:
    """A file for the staff member's computer: saved, never shown in the browser, never kept.

    Every download of the console goes through here (exports, letters, reports, templates), so
    all carry the same headers: ``Content-Disposition: attachment`` (an HTML report would
    otherwise be shown under the console's CSP, which forbids its inline style) and
    ``Cache-Control: no-store`` (letters and exports hold codes, answers and unpublished figures;
    neither a proxy nor the browser's cache should keep them). ``nosniff`` comes with every
    response (``web/security.py``). ``filename`` is ASCII (survey ids, formats, languages).
    """
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                                      "Cache-Control": "no-store"})


def csv_download(text: str, filename: str) -> Response:
    """CSV as Excel reads it: UTF-8 with a byte-order mark (without one, Japanese Excel reads
    the file as Shift_JIS and shows mojibake)."""
    return download(("\ufeff" + text).encode("utf-8"), filename, "text/csv")


def csv_error_text(exc: CsvError, instrument: Instrument | None = None) -> str:
    """The problem in the staff member's language; with the instrument, its ids as the page names them
    (a margins file written with 年齢 and 性別 was answered about 「age_band」 and 「sex」)."""
    message = gettext(exc.message, **exc.params)
    if instrument is not None:
        message = texts(instrument).name_ids(message)
    return gettext("Line %(line)d: %(problem)s", line=exc.line, problem=message) if exc.line else message


def record(action: str, target: str | None = None, **detail: object) -> None:
    audit.record(db(), current_user.email, action, target, detail)
