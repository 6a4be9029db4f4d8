"""Exports for staff: responses (codes) with their labels; the CSV and XLSX writers (indicator tables too).

- CSV is UTF-8 with a BOM, so Japanese Excel opens it without mojibake, CRLF line ends.
- Everything is streamed: responses are read in keyset pages of ``PAGE`` ids and written
  as they come, so a million rows never sit in memory. XLSX uses openpyxl's write-only
  mode (rows go to a temporary file) and the finished file is streamed in chunks.
- Formula injection: a text cell starting with ``= + - @`` (or tab / carriage return, or
  their full-width forms ``＝＋－＠``)
  would be run as a formula by a spreadsheet. CSV cells get a leading ``'``; XLSX cells
  are written as explicit strings, which a spreadsheet never evaluates.
- Each cell is what the question's type writes (``QuestionType.export_cell``): multi-choice
  answers are their codes joined by ``;`` (a comma would look like a thousands separator to
  Excel in Japan), whole numbers without ``.0``.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from survey_app.config import DEFAULT_TIMEZONE, city_timezone
from survey_app.i18n import N_
from survey_app.instrument import Instrument, QuestionType
from survey_app.models import Answer, Response

BOM = "\ufeff"
PAGE = 1000
CHUNK = 64 * 1024
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
META_COLUMNS = ("response", "channel", "locale", "source", "submitted_at", "weight")
# Characters XML 1.0 forbids; openpyxl refuses them, so they are dropped from cells.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class ResponseWeights:
    """The weight of each complete response (by ``Response.id``) under ``method``."""

    method: str
    by_response: Mapping[int, float | None]  # None: an open response, outside the weighted figures


class ExportError(ValueError):
    def __init__(self, message: str, **params: object) -> None:
        self.message, self.params = message, params
        super().__init__(message % params if params else message)


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula.

    The first character is compared after NFKC: Japanese spreadsheets take the full-width
    ``＝＋－＠`` (and the small forms ``﹦﹢﹣﹫``) as their ASCII twins; ``−`` (U+2212) is
    a minus too.
    """
    first = unicodedata.normalize("NFKC", text[:1])
    return first.startswith(FORMULA_TRIGGERS) or first == "\u2212"


def neutralise(value: Any) -> Any:
    """A CSV cell that a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and starts_formula(value):
        return "'" + value
    return value


def csv_stream(rows: Iterable[Sequence[Any]], rows_per_chunk: int = 500) -> Iterator[bytes]:
    """UTF-8 CSV with BOM and CRLF, yielded in chunks of encoded rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    for index, row in enumerate(rows, start=1):
        writer.writerow([neutralise(v) for v in row])
        if index % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def xlsx_text(value: str) -> str:
    """Text an XLSX cell can hold: the characters XML 1.0 forbids (openpyxl refuses them) dropped."""
    return _ILLEGAL_XML.sub("", value)


def as_text_cell(cell: Cell) -> None:
    """Type a cell holding text as a string: never a formula, whatever the text starts with
    (openpyxl makes ``=HYPERLINK(…)`` typed by a resident a live formula otherwise)."""
    if isinstance(cell.value, str):
        cell.data_type = "s"


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: object) -> object:
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=xlsx_text(value))
        as_text_cell(cell)
        return cell
    return value


def xlsx_stream(sheets: Sequence[tuple[str, Iterable[Sequence[Any]]]]) -> Iterator[bytes]:
    """An XLSX workbook of (sheet title, rows) built in write-only mode, streamed from a temp file."""
    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, v) for v in row])
    descriptor, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(descriptor)  # openpyxl opens the file by name
    try:
        workbook.save(path)
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


# ---------------------------------------------------------------- responses

def count_complete(session: Session, survey_id: str) -> int:
    return session.scalar(select(func.count()).select_from(Response).where(
        Response.survey_id == survey_id, Response.status == "complete")) or 0


def response_header(instrument: Instrument, timezone: str = DEFAULT_TIMEZONE, weighting: str = "none") -> list[str]:
    """Column ids; the time column names its time zone and the weight column its weighting method."""
    meta = [*META_COLUMNS]
    meta[META_COLUMNS.index("submitted_at")] = f"submitted_at ({timezone})"
    meta[META_COLUMNS.index("weight")] = f"weight ({weighting})"
    return [*meta, *(q.id for q in instrument.questions)]


def local_time(value: datetime | None, zone: tzinfo) -> str:
    """A stored UTC time (naive, as the database keeps it) as wall-clock time in ``zone``."""
    if value is None:
        return ""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def _cell(kind: QuestionType, code: int | None, codes_json: str | None, number: float | None,
          text: str | None) -> Any:
    """One answer as its question's type writes a cell; ``codes_json`` is the multi-choice
    column as JSON text ('null' when unused)."""
    if codes_json and codes_json != "null":
        return kind.export_cell(json.loads(codes_json))
    stored = code if code is not None else number if number is not None else text
    return "" if stored is None else kind.export_cell(stored)


def response_rows(session: Session, instrument: Instrument, page: int = PAGE,
                  weights: ResponseWeights | None = None, zone: tzinfo | None = None) -> Iterator[list[Any]]:
    """Complete responses as rows of codes (header first), read in keyset pages of ``page`` ids.

    ``weights`` are the weights the headline figures use, by response id (the analysis package
    computes them; this core module cannot): with them a spreadsheet or R reproduces every
    weighted percentage. Without them every weight is 1 and the header says ``weight (none)``.
    Times are wall-clock times in ``zone`` (default: the city's, ``MACHIKOE_TIMEZONE``).

    Plain Core rows through the session's connection, not ORM objects: nothing accumulates in
    the identity map. The multi-choice column is read as JSON text and decoded only where used
    (decoding a 'null' for every other answer was a third of the time).
    """
    zone = zone or city_timezone()
    yield response_header(instrument, str(zone), weights.method if weights else "none")
    qids = [q.id for q in instrument.questions]
    kinds = {q.id: q.kind for q in instrument.questions}
    connection = session.connection()
    last_id = 0
    while True:
        batch = connection.execute(
            select(Response.id, Response.uuid, Response.channel, Response.locale, Response.source,
                   Response.submitted_at)
            .where(Response.survey_id == instrument.id, Response.status == "complete", Response.id > last_id)
            .order_by(Response.id).limit(page)).all()
        if not batch:
            return
        answers: dict[int, dict[str, Any]] = {}
        rows = connection.execute(
            select(Answer.response_id, Answer.question_id, Answer.code, cast(Answer.codes, Text), Answer.number,
                   Answer.text).where(Answer.response_id.in_([r.id for r in batch])))
        for response_id, question_id, code, codes_json, number, text in rows:
            if question_id in kinds:  # an answer to a question no longer asked has no column
                answers.setdefault(response_id, {})[question_id] = _cell(kinds[question_id], code, codes_json,
                                                                         number, text)
        for r in batch:
            given = answers.get(r.id, {})
            weight = weights.by_response.get(r.id, "") if weights else 1
            yield [r.uuid, r.channel, r.locale, r.source, local_time(r.submitted_at, zone), weight,
                   *(given.get(q, "") for q in qids)]
        last_id = batch[-1].id


# What the columns before the questions mean (the labels sheet is read beside the data).
META_NOTES = {
    "submitted_at": "回答日時（市の時刻、列名に時間帯）/ submitted at, city time (zone in the column name)",
    "weight": "重み：指標の推計に使うウェイト（列名に方法）/ weight used by the indicator estimates (method in the "
              "column name), blank for open responses (no letter's code: reported beside the figures, not in "
              "them); weighted % = sum of weights of positive answers / sum of weights in the base",
}


def label_rows(instrument: Instrument) -> Iterator[list[Any]]:
    """question id, question text, code, label, missing: how to read the codes (source language)."""
    yield ["question", "question_text", "type", "code", "label", "missing"]
    for column, text in META_NOTES.items():
        yield [column, text, "meta", "", "", ""]
    for q in instrument.questions:
        if not q.choices:
            yield [q.id, q.text, q.type, "", "", ""]
        for choice in q.choices:
            yield [q.id, q.text, q.type, choice.code, choice.text, "missing" if choice.missing else ""]


def check_not_empty(session: Session, instrument: Instrument) -> int:
    count = count_complete(session, instrument.id)
    if count == 0:
        raise ExportError(N_("Survey '%(survey)s' has no complete responses yet: there is nothing to export."),
                          survey=instrument.id)
    return count
