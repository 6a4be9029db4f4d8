"""Frames and margins as cities have them: Japanese headers (the instrument's short names), the choices'
labels in any language and width, Shift_JIS or UTF-8; errors name the line and the value as typed."""
from __future__ import annotations

import pytest

from survey_app import responses
from survey_app.csvio import CsvError
from survey_app.instrument import bundled_path, parse_instrument
from survey_app.invitations import frame_template, read_frame
from survey_app.population import margins_template, read_population_csv
from survey_app.stratum_columns import for_instrument, normalise
from survey_app.surveys import load_survey

FRAME_SJIS = "年齢,性別,地区\n30〜39歳,男性,野幌地区\n３０～３９歳,女性,大麻地区\n70歳以上, 男性 ,江別地区\n"


def test_a_shift_jis_frame_with_japanese_headers_and_labels(bundled_instrument):
    frame = read_frame(FRAME_SJIS.encode("cp932"), bundled_instrument, encoding="auto")
    assert frame == [{"age_band": 2, "sex": 1, "district": 2}, {"age_band": 2, "sex": 2, "district": 3},
                     {"age_band": 6, "sex": 1, "district": 1}]


def test_labels_in_other_languages_and_codes_still_work(bundled_instrument):
    columns = for_instrument(bundled_instrument)
    assert columns.column("Age_Band") == "age_band" and columns.column("あなたの年齢を教えてください。") == "age_band"
    assert columns.code("district", "2") == 2 and columns.code("sex", "女性") == 2
    assert normalise("３０～３９歳") == normalise("30〜39歳") == normalise("30~39歳")
    assert columns.code("age_band", "7") is None and columns.code("district", "札幌") is None


def test_errors_name_the_line_and_the_value(bundled_instrument):
    with pytest.raises(CsvError) as info:
        read_frame("年齢,地区\n30〜39歳,野幌地区\n30〜39歳,札幌地区\n".encode("cp932"), bundled_instrument)
    assert info.value.line == 3 and "'札幌地区'" in str(info.value) and "'地区'" in str(info.value)
    assert "2=野幌地区" in str(info.value)
    with pytest.raises(CsvError, match=r"line 1: Unknown column.*氏名"):
        read_frame("氏名,年齢\n江別太郎,30〜39歳\n".encode(), bundled_instrument)


def test_the_frame_template_reads_back(bundled_instrument):
    template = frame_template(bundled_instrument)
    assert template.splitlines()[0] == "年齢,性別,地区"
    assert len(read_frame(template.encode("cp932"), bundled_instrument)) == 2


def test_japanese_margins_and_their_template(bundled_instrument):
    body = ("項目,区分,人数\n性別,男性,\"50,000\"\n性別,女性,５００００\n性別,その他・答えたくない,0\n"
            "年齢:地区,18〜29歳:江別地区,100000\n")
    rows = read_population_csv(body.encode("cp932"), bundled_instrument)
    assert [(r.dimension, r.category, r.count) for r in rows] == [
        ("sex", "1", 50000), ("sex", "2", 50000), ("sex", "3", 0), ("age_band:district", "1:1", 100000)]
    with pytest.raises(CsvError) as info:
        read_population_csv("項目,区分,人数\n年代,20代,10\n".encode(), bundled_instrument)
    assert info.value.line == 2 and "年代" in str(info.value) and "年齢 (age_band)" in str(info.value)
    template = margins_template(bundled_instrument)
    assert template.startswith("項目,区分,人数\r\n年齢,18〜29歳,\r\n")


def test_a_short_name_is_not_a_rewording(session, instrument, secret):
    """Changing metadata (short_name, target) of a survey with answers needs no new version; rewording does."""
    responses.start(session, instrument, secret=secret, channel="web", locale="ja")
    text = bundled_path().read_text(encoding="utf-8")
    renamed = parse_instrument(text.replace("short_name: 地区", "short_name: 地域"), "x.yaml")
    assert load_survey(session, renamed)[1] == "updated"
    retargeted = parse_instrument(text.replace("short_name: 地区", "short_name: 地域")
                                  .replace("target: {value: null, year: 2029}", "target: {value: 60, year: 2029}", 1),
                                  "x.yaml")
    assert load_survey(session, retargeted)[1] == "updated"
    reworded = parse_instrument(text.replace("あなたの性別を教えてください。", "性別は？"), "x.yaml")
    with pytest.raises(ValueError, match="raise 'version'"):
        load_survey(session, reworded)
