"""Population margins: import, replacement and errors by line."""
from __future__ import annotations

import pytest

from survey_app.csvio import CsvError
from survey_app.population import margins_for, read_population_csv, replace_margins

HEADER = "dimension,category,count\n"
GOOD = HEADER + "age_band,1,10\nage_band,2,30\nsex,1,20\nsex,2,20\nage_band:sex,1:1,5\nage_band:sex,1:2,5\n" \
    "age_band:sex,2:1,15\nage_band:sex,2:2,15\n"


def test_reads_simple_and_joint_margins(bundled_instrument):
    rows = read_population_csv(GOOD.encode(), bundled_instrument)
    assert len(rows) == 8
    joint = [r for r in rows if r.dimension == "age_band:sex"]
    assert joint[0].dimensions == ("age_band", "sex") and joint[0].codes == (1, 1)


@pytest.mark.parametrize("body,pattern", [
    ("age_band,1,10\n", r"line 1: Missing column\(s\): dimension, category, count"),
    ("age_band,7,10\n", r"line 2: Category '7' is not a code of 'age_band' \(codes: 1=18〜29歳, 2=30〜39歳, .*, 6=70歳以上\)"),
    ("colour,1,10\n", r"line 2: Dimension 'colour' is not a weighting question"),
    ("kosodate,1,10\n", r"line 2: Dimension 'kosodate' is not a weighting question"),
    ("age_band,1,ten\n", r"line 2: Count 'ten' is not a number"),
    ("age_band,1,-4\n", r"line 2: Count '-4' must be zero or more"),
    ("age_band,1,47,500\n", r"line 2: 4 values but only 3 columns: was 47,500 one number\? Write it without the "
                           r"comma \(47500\) or in quotes"),
    ("age_band,1,1,234,567\n", r"was 1,234,567 one number\? Write it without the comma \(1234567\)"),
    ("age_band,1,10,x\n", r"line 2: 4 values but only 3 columns\.$"),
    ("age_band,1,4.210\n", r"line 2: Count '4.210' must be a whole number of residents"),
    ("age_band,1,99999999999999999999999999999\n", r"line 2: Count '9+' is more residents than a city has "
                                                    r"\(at most 100,000,000\)"),
    ("age_band,1,4\nage_band,1,5\n", r"line 3: Duplicate cell age_band=1 \(first on line 2\)"),
    ("age_band:sex,1,4\n", r"line 2: Category '1' must have one code per dimension of 'age_band:sex'"),
    ("age_band,1,40\nsex,1,10\n", r"line 3: Margin 'sex' sums to 10 but 'age_band' sums to 40"),
    ("", r"line 2: The file has no margins"),
])
def test_errors_name_the_line(bundled_instrument, body, pattern):
    text = body if body.startswith("age_band,1,10\n") else HEADER + body
    with pytest.raises(CsvError, match=pattern):
        read_population_csv(text.encode(), bundled_instrument)


def test_a_number_with_a_thousands_separator_in_quotes_is_read_whole(bundled_instrument):
    rows = read_population_csv((HEADER + 'age_band,1,"47,500"\n').encode(), bundled_instrument)
    assert [r.count for r in rows] == [47500.0]


def test_blank_lines_above_the_header_are_skipped_and_errors_name_the_real_line(bundled_instrument):
    assert len(read_population_csv(("\n\n" + GOOD).encode(), bundled_instrument)) == 8
    with pytest.raises(CsvError, match=r"line 3: Missing column\(s\): count"):
        read_population_csv(b"\n,,\ndimension,category\nage_band,1\n", bundled_instrument)
    with pytest.raises(CsvError, match=r"line 4: Category '7' is not a code of 'age_band'"):
        read_population_csv(("\n" + HEADER + "age_band,1,10\nage_band,7,10\n").encode(), bundled_instrument)


def test_encodings(bundled_instrument):
    sjis = ("dimension,category,count\n" "age_band,1,10\n").encode("cp932")
    assert len(read_population_csv(b"\xef\xbb\xbf" + GOOD.encode(), bundled_instrument)) == 8
    assert len(read_population_csv(sjis, bundled_instrument, encoding="auto")) == 1
    with pytest.raises(CsvError, match="Shift_JIS"):
        read_population_csv("dimension,category,count\n# 年齢\n".encode("cp932"), bundled_instrument,
                            encoding="utf-8")


def test_replace_is_atomic_and_complete(session, instrument):
    replace_margins(session, instrument.id, read_population_csv(GOOD.encode(), instrument))
    replace_margins(session, instrument.id, read_population_csv((HEADER + "district,1,5\n").encode(), instrument))
    rows = margins_for(session, instrument.id)
    assert [(r.dimension, r.category, r.count) for r in rows] == [("district", "1", 5.0)]
