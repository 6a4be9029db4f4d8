"""CSV imports — population margins, the invitation sampling frame, the letters file — fed
files as Excel and people make them: Shift_JIS, a UTF-8 BOM, missing or unknown columns,
one bad row among good ones, and arbitrary bytes (hypothesis). Either the file is read, or
one ``CsvError`` names the line (within the file) and says what is wrong; never another
exception. Through the staff console the same error is shown in the staff member's
language, with its line, and nothing is changed."""
from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from survey_app import codes
from survey_app.csvio import CsvError
from survey_app.instrument import bundled_path, load_instrument
from survey_app.invitations import read_frame
from survey_app.letters import read_letters_csv
from survey_app.models import Invitation, PopulationMargin
from survey_app.population import read_population_csv
from tests.support.fuzzkit import FUZZ
from tests.support.staff import log_in, make_staff
from tests.support.web import csrf

INSTRUMENT = load_instrument(bundled_path())
GOOD_CODE = codes.generate()
IMPORTERS = {
    "population": (read_population_csv, "dimension,category,count\nage_band,1,10\nsex,2,10\n", "count"),
    "frame": (read_frame, "age_band,sex,district\n1,2,3\n2,1,1\n", "district"),
    "letters": (read_letters_csv, f"code,age_band\n{GOOD_CODE},1\n", "code"),
}
BAD_THIRD_LINE = {
    "population": "dimension,category,count\nage_band,1,10\nage_band,x,10\n",
    "frame": "age_band,sex,district\n1,2,3\n1,2,9\n",
    "letters": f"code,age_band\n{GOOD_CODE},1\nK7QF-3MZD-8WXP-R2TB,1\n",
}


@pytest.mark.parametrize("kind", IMPORTERS)
def test_bom_and_shift_jis_are_read(kind):
    reader, good, _ = IMPORTERS[kind]
    expected = reader(good.encode("utf-8"), INSTRUMENT)
    assert reader(("\ufeff" + good).encode("utf-8"), INSTRUMENT) == expected
    assert reader(good.replace("\n", "\r\n").encode("cp932"), INSTRUMENT, encoding="auto") == expected


@pytest.mark.parametrize("encoding", ["auto", "utf-8"])
@pytest.mark.parametrize("kind", IMPORTERS)
def test_excel_unicode_text_is_read(kind, encoding):
    """Excel's 「Unicode テキスト」: UTF-16 with a byte-order mark, tab-separated, CRLF."""
    reader, good, _ = IMPORTERS[kind]
    expected = reader(good.encode("utf-8"), INSTRUMENT)
    unicode_text = good.replace(",", "\t").replace("\n", "\r\n").encode("utf-16")
    assert unicode_text.startswith(b"\xff\xfe")
    assert reader(unicode_text, INSTRUMENT, encoding=encoding) == expected
    assert reader(good.replace(",", "\t").encode("utf-8"), INSTRUMENT, encoding=encoding) == expected


def test_damaged_utf16_names_its_line():
    reader, good, _ = IMPORTERS["population"]
    damaged = good.encode("utf-16") + b"\x00\xd8"  # a lone high surrogate at the end of line 4
    with pytest.raises(CsvError) as caught:
        reader(damaged, INSTRUMENT)
    assert caught.value.line == 4 and "UTF-16" in str(caught.value)


@pytest.mark.parametrize("kind", IMPORTERS)
def test_shift_jis_without_auto_detection_says_what_to_do(kind):
    reader, good, _ = IMPORTERS[kind]
    data = (good + "地区,江別\n").encode("cp932")
    with pytest.raises(CsvError) as caught:
        reader(data, INSTRUMENT, encoding="utf-8")
    assert caught.value.line == good.count("\n") + 1 and "Shift_JIS" in str(caught.value)


@pytest.mark.parametrize("kind", IMPORTERS)
def test_a_missing_column_is_named_on_line_1(kind):
    reader, good, required = IMPORTERS[kind]
    header, *rows = good.splitlines()
    columns = header.split(",")
    keep = [i for i, c in enumerate(columns) if c != required]
    if kind == "frame":  # the frame needs no particular stratum; an unknown one is the error
        data = good.replace("district", "distrikt")
    else:
        data = "\n".join(",".join(line.split(",")[i] for i in keep) for line in [header, *rows]) + "\n"
    with pytest.raises(CsvError) as caught:
        reader(data.encode(), INSTRUMENT)
    assert caught.value.line == 1 and (required in str(caught.value) or "distrikt" in str(caught.value))


@pytest.mark.parametrize("kind", IMPORTERS)
def test_one_bad_row_is_named_by_its_line(kind):
    reader = IMPORTERS[kind][0]
    with pytest.raises(CsvError) as caught:
        reader(BAD_THIRD_LINE[kind].encode("cp932"), INSTRUMENT)
    assert caught.value.line == 3


csv_cell = st.one_of(st.sampled_from(["age_band", "sex", "district", "1", "2", "9", "", "x", "=1+1", "１", GOOD_CODE,
                                      "dimension", "category", "count", "code", "\"", "年齢"]),
                     st.text(max_size=8))
csv_text = st.lists(st.lists(csv_cell, min_size=1, max_size=4).map(",".join), min_size=1, max_size=6).map(
    lambda lines: "\n".join(lines) + "\n")
csv_bytes = st.one_of(csv_text.map(lambda t: t.encode("utf-8")), csv_text.map(lambda t: ("\ufeff" + t).encode()),
                      csv_text.map(lambda t: t.encode("cp932", errors="replace")), st.binary(max_size=200))


@FUZZ
@given(kind=st.sampled_from(sorted(IMPORTERS)), data=csv_bytes, encoding=st.sampled_from(["auto", "utf-8"]))
def test_any_file_is_read_or_refused_by_line(kind, data, encoding):
    reader = IMPORTERS[kind][0]
    try:
        reader(data, INSTRUMENT, encoding=encoding)
    except CsvError as exc:
        lines = max(1, data.count(b"\n") + (0 if data.endswith(b"\n") else 1))
        assert exc.line is None or 1 <= exc.line <= lines + 1, (exc.line, lines)
        assert str(exc).strip()


UPLOADS = {"population": "population", "frame": "invitations/generate", "letters": "invitations/letters"}


@pytest.mark.parametrize("kind", UPLOADS)
def test_the_console_shows_the_line_and_changes_nothing(db_url, instrument, session, kind):
    from tests.support.fuzzkit import fuzz_app

    client = fuzz_app(db_url).test_client()
    log_in(client, make_staff(session, "admin"))  # staff locale: English
    path = f"/staff/s/{instrument.id}/{UPLOADS[kind]}"
    token = csrf(client.get(f"/staff/s/{instrument.id}/paper").get_data(as_text=True))
    before = (session.scalar(select(func.count()).select_from(PopulationMargin)),
              session.scalar(select(func.count()).select_from(Invitation)))
    refused = client.post(path, content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(BAD_THIRD_LINE[kind].encode("cp932")), "upload.csv")})
    assert refused.status_code == 400 and "Line 3" in refused.get_data(as_text=True)
    session.expire_all()
    assert (session.scalar(select(func.count()).select_from(PopulationMargin)),
            session.scalar(select(func.count()).select_from(Invitation))) == before


def test_the_console_reads_excel_unicode_text(db_url, instrument, session):
    """「Unicode テキスト」 from Excel (UTF-16, tabs, .txt) is uploaded like a CSV: NUL bytes and all."""
    from tests.support.fuzzkit import fuzz_app

    client = fuzz_app(db_url).test_client()
    log_in(client, make_staff(session, "admin"))
    token = csrf(client.get(f"/staff/s/{instrument.id}/paper").get_data(as_text=True))
    _reader, good, _ = IMPORTERS["population"]
    unicode_text = good.replace(",", "\t").replace("\n", "\r\n").encode("utf-16")
    stored = client.post(f"/staff/s/{instrument.id}/population", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(unicode_text), "population.txt")})
    assert stored.status_code in (200, 302), stored.get_data(as_text=True)[:500]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(PopulationMargin)) == 2


@pytest.mark.parametrize(("data", "says"), [
    (b"PK\x03\x04rest-of-a-workbook", "This is an Excel workbook"),
    (b"%PDF-1.7 ...", "This is a PDF file"),
    (b"dimension;category;count\nage_band;1;10\n", "separated by semicolons"),
])
def test_a_file_that_is_not_a_comma_csv_is_named_for_what_it_is(data, says):
    """The command line said 'line 1: The file is not UTF-8 text.' of a workbook and 'Missing column(s)'
    of a semicolon file; the console already named the workbook."""
    with pytest.raises(CsvError, match=says):
        read_population_csv(data, load_instrument(bundled_path()))
