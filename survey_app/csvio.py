"""Reading CSV uploads and files: encodings, headers and errors by line.

Excel in Japan saves CSV as Shift_JIS (cp932). ``encoding="auto"`` (web uploads)
reads UTF-8 (with or without BOM) and falls back to cp932; ``encoding="utf-8"``
(the CLI default) refuses anything else with one line that says what to do.

Excel's other text format, 「Unicode テキスト」 (.txt), is UTF-16 with a byte-order mark and
separates values with tabs: a file that starts with that mark is read as UTF-16 whatever
``encoding`` says (the mark leaves no doubt), and a header line with tabs and no comma is
read as tab-separated.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from survey_app.i18n import N_


class CsvError(ValueError):
    """One clear line: what is wrong and where (file and line)."""

    def __init__(self, message: str, line: int | None = None, **params: object) -> None:
        self.message, self.line, self.params = message, line, params
        text = message % params if params else message
        super().__init__(f"line {line}: {text}" if line else text)


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


# Magic numbers of files people give by mistake instead of a CSV (the console's uploads and the CLI).
BINARY_SIGNATURES = {
    b"PK\x03\x04": N_("This is an Excel workbook or a ZIP file, not a CSV. In Excel choose "
                      "'Save as' → 'CSV UTF-8 (comma delimited)' and upload that file."),
    b"\xd0\xcf\x11\xe0": N_("This is an old Excel (.xls) file, not a CSV. In Excel choose "
                            "'Save as' → 'CSV UTF-8 (comma delimited)' and upload that file."),
    b"%PDF": N_("This is a PDF file, not a CSV."),
}


def not_a_csv(data: bytes) -> str | None:
    """The msgid saying what ``data`` is when it is a workbook, a ZIP or a PDF rather than text."""
    return next((message for signature, message in BINARY_SIGNATURES.items() if data.startswith(signature)), None)


def decode(data: bytes, encoding: str = "auto") -> str:
    kind = not_a_csv(data)
    if kind is not None:  # "line 1: not UTF-8 text" said nothing of the workbook it was
        raise CsvError(kind)
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].decode("utf-16", errors="replace").count("\n") + 1
            raise CsvError(N_("The file is damaged UTF-16 text (Excel's 'Unicode Text'). Save it as 'CSV UTF-8'."),
                           line) from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        if encoding == "auto":
            try:
                return data.decode("cp932")
            except UnicodeDecodeError:
                pass
            raise CsvError(N_("The file is neither UTF-8 nor Shift_JIS text."), line) from None
        if _looks_like_shift_jis(data):
            raise CsvError(
                N_("The file is not UTF-8; it looks like Shift_JIS (Excel). Save it as 'CSV UTF-8' "
                   "or pass --encoding cp932."), line) from None
        raise CsvError(N_("The file is not UTF-8 text."), line) from None


def _looks_like_shift_jis(data: bytes) -> bool:
    try:
        data.decode("cp932")
    except UnicodeDecodeError:
        return False
    return True


def read_bytes(source: bytes | str | Path) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source):
        try:
            return Path(source).read_bytes()
        except FileNotFoundError:
            raise CsvError(N_("No such file: %(path)s"), path=str(source)) from None
    return str(source).encode("utf-8")


def _blank(row: list[str]) -> bool:
    return not any(cell.strip().lstrip("\ufeff") for cell in row)


def read_rows(source: bytes | str | Path, required: Sequence[str], allowed: Sequence[str] | None = None,
              encoding: str = "auto", rename: Callable[[list[str]], list[str]] | None = None,
              ) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) with stripped values; check the header first.

    ``rename`` maps the header's names to canonical ones first (e.g. 年齢 → age_band);
    ``required`` columns must all be present; with ``allowed``, any other column is an error.
    """
    if encoding not in ("auto", "utf-8"):
        text = read_bytes(source).decode(encoding, errors="strict")
    else:
        text = decode(read_bytes(source), encoding)
    # The header is the first line that is not blank (Excel users leave empty lines above a table);
    # errors about it name the line it is on.
    first_line = next((line for line in text.split("\n") if line.strip().lstrip("\ufeff")), "")
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    # strict: a quotation mark left open used to swallow every later line into one value, silently
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip().lstrip("\ufeff") for h in next(row for row in reader if not _blank(row))]
        if rename is not None:
            header = rename(header)
    except StopIteration:
        raise CsvError(N_("The file is empty."), 1) from None
    except csv.Error as exc:
        raise _malformed(exc, 1) from None
    at = reader.line_num
    if len(header) == 1 and ";" in header[0]:  # a European-style export: "missing columns" would not say why
        raise CsvError(N_("The columns are separated by semicolons (;), not commas. In Excel choose 'Save as' → "
                          "'CSV UTF-8 (comma delimited)'."), at)
    missing = [c for c in required if c not in header]
    if missing:
        raise CsvError(N_("Missing column(s): %(columns)s"), at, columns=", ".join(missing))
    if allowed is not None:
        unknown = [c for c in header if c and c not in allowed]
        if unknown:
            raise CsvError(N_("Unknown column(s): %(columns)s"), at, columns=", ".join(unknown))
    if len(set(header)) != len(header):
        raise CsvError(N_("Duplicate column names in the header."), at)
    starts = at + 1  # the line the next row starts on (a quoted value may span lines)
    try:
        for row in reader:
            line = reader.line_num
            if not _blank(row):
                if len(row) > len(header):
                    raise _too_many_values(row, len(header), line)
                yield line, {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}
            starts = reader.line_num + 1
    except csv.Error as exc:
        raise _malformed(exc, starts) from None


def _malformed(exc: csv.Error, starts: int) -> CsvError:
    """The csv module's complaint in the reader's words (its English text stayed inside Japanese
    messages), naming the line the broken row starts on."""
    why = str(exc)
    if "end of data" in why:
        return CsvError(N_("A quotation mark opened on this line is never closed: the rest of the file would be "
                           "read as one value. Close the quotation mark, or remove it."), starts)
    if "expected after" in why:
        return CsvError(N_("A quotation mark inside a quoted value must be doubled (\"\"); check this row's "
                           "quotation marks."), starts)
    if "field limit" in why:
        return CsvError(N_("A value on this line is longer than %(limit)s characters."), starts,
                        limit=f"{csv.field_size_limit():,}")
    return CsvError(N_("This line is not a well-formed row of a CSV table."), starts)


_GROUP = re.compile(r"\d{3}")
_LEADING_DIGITS = re.compile(r"\d{1,3}")


def _too_many_values(row: list[str], columns: int, line: int) -> CsvError:
    """A row longer than the header; when a number's thousands separator split it (``47,500`` written
    without quotes reads as 47 and 500), the message shows the number and how to write it."""
    cells = [c.strip() for c in row]
    for i in range(len(cells) - 1):
        j = i + 1
        while j < len(cells) and _GROUP.fullmatch(cells[j]):
            j += 1
        if j > i + 1 and _LEADING_DIGITS.fullmatch(cells[i]) and len(row) - (j - i - 1) <= columns:
            typed = ",".join(cells[i:j])
            return CsvError(N_("%(n)d values but only %(m)d columns: was %(number)s one number? Write it "
                               "without the comma (%(plain)s) or in quotes."), line, n=len(row), m=columns,
                            number=typed, plain=typed.replace(",", ""))
    return CsvError(N_("%(n)d values but only %(m)d columns."), line, n=len(row), m=columns)
