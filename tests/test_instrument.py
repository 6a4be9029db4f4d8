"""The instrument loader: the bundled survey, and malformed instruments with their messages."""
from __future__ import annotations

import dataclasses

import pytest

from survey_app.instrument import InstrumentError, bundled_path, load_instrument, parse_instrument
from tests.support.instruments import MINI


def test_bundled_instrument_has_the_strategy_indicators():
    instrument = load_instrument(bundled_path())
    assert instrument.id == "ebetsu-2025"
    assert instrument.languages == ("ja", "ja-x-easy", "en", "vi", "ur")
    baselines = {i.id: (i.baseline.value, i.baseline.year) for i in instrument.indicators}
    assert baselines == {"living": (78.3, 2023), "childcare": (55.0, 2023), "work": (30.7, 2022),
                         "coexistence": (47.0, 2022), "health": (86.5, 2023)}
    assert all(i.target.value is None and i.target.year == 2029 for i in instrument.indicators)
    assert [q.id for q in instrument.weighting_questions()] == ["age_band", "sex", "district"]
    assert instrument.question("age_band").choice_list.codes() == (1, 2, 3, 4, 5, 6)
    assert len(instrument.content_hash) == 64


def test_instrument_is_immutable_and_hash_tracks_content():
    a = parse_instrument(MINI, "mini.yaml")
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.title = "x"
    with pytest.raises(TypeError):
        a.choice_lists["new"] = None
    b = parse_instrument(MINI.replace("質問1", "質問いち"), "mini.yaml")
    assert a.content_hash != b.content_hash


def test_show_if_is_evaluated_on_answers():
    inst = parse_instrument(MINI)
    q2 = inst.question("q2")
    assert not inst.is_visible(q2, {})
    assert not inst.is_visible(q2, {"q1": 1})
    assert inst.is_visible(q2, {"q1": 2})


MALFORMED = [
    ("YAML syntax", MINI.replace("title: 主", "title: [主"), r"mini\.yaml:\d+: malformed YAML"),
    ("not a mapping", "- a\n- b\n", r"mini\.yaml:1: instrument: the file must be a YAML mapping"),
    ("missing id", MINI.replace("id: mini\n", ""), r"instrument: missing 'id'"),
    ("duplicate question id", MINI.replace("id: q2,", "id: q1,"), r"mini\.yaml:19: question 'q1': duplicate id 'q1'"),
    ("unknown type", MINI.replace("type: text", "type: essay"), r":19: question 'q2': unknown type 'essay'"),
    ("unknown choice list", MINI.replace("choices: agree4,", "choices: agree5,"),
     r":18: question 'q1': unknown choice list 'agree5'"),
    ("duplicate choice code", MINI.replace("{code: 2, text: そう思わない}", "{code: 1, text: そう思わない}"),
     r":\d+: choice list 'agree4': duplicate code 1"),
    ("show_if refers forward", MINI.replace("question: q1, in: [2]", "question: age, in: [2]"),
     r":19: question 'q2': show_if refers to 'age', which is not an earlier question"),
    ("show_if invalid code", MINI.replace("in: [2]", "in: [7]"),
     r"question 'q2': show_if code\(s\) \[7\] are not choices of 'q1'"),
    ("indicator on text question", MINI.replace("question: q1, positive", "question: q2, positive"),
     r":22: indicator 'ind1': question 'q2' must be a single choice, not 'text'"),
    ("indicator invalid code", MINI.replace("positive: [1]", "positive: [5]"),
     r"indicator 'ind1': positive code\(s\) \[5\] are not choices of 'q1'"),
    ("indicator unknown question", MINI.replace("question: q1, positive", "question: zz, positive"),
     r"indicator 'ind1': unknown question 'zz'"),
    ("weighting on text", MINI.replace("type: text,", "type: text, weighting: true,"),
     r"question 'q2': a weighting question must be a single choice"),
    ("undeclared language", MINI.replace("[ja, en]", "[ja, fr]"), r"unsupported language\(s\) \['fr'\]"),
    ("source not declared", MINI.replace("[ja, en]", "[en]"), r"source_language 'ja' is not among languages"),
    ("bad base", MINI.replace("title: 指標", "title: 指標, base: some"), r"base must be 'valid' or 'all'"),
    ("baseline out of range", MINI.replace("value: 50.0", "value: 150"), r"value must be a percentage"),
    ("question without text", MINI.replace(", text: 年齢", ""), r":20: question 'age': missing 'text'"),
    ("decimals on text", MINI.replace("type: text,", "type: text, decimals: 1,"),
     r"question 'q2': 'decimals' is for number questions"),
    ("decimals not whole", MINI.replace("type: text,", "type: number, decimals: 1.5,"),
     r"question 'q2': 'decimals' must be a whole number from 0 to 6"),
    ("a form field's name", MINI.replace("id: q2,", "id: nav,"), r"question 'nav': the id 'nav' is a field of every survey form"),
    ("bad id characters", MINI.replace("id: q1,", "id: Q-1,"), r"id 'Q-1' must be lower-case"),
]


@pytest.mark.parametrize("label,text,pattern", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_instruments_name_file_line_and_id(label, text, pattern):
    with pytest.raises(InstrumentError, match=pattern) as info:
        parse_instrument(text, "mini.yaml")
    assert "\n" not in str(info.value)


def test_a_number_question_takes_whole_numbers_unless_it_says_decimals():
    whole = parse_instrument(MINI.replace("type: text,", "type: number,"), "mini.yaml").question("q2")
    tenths = parse_instrument(MINI.replace("type: text,", "type: number, decimals: 1,"), "mini.yaml").question("q2")
    assert (whole.decimals, tenths.decimals) == (0, 1)
    assert parse_instrument(MINI.replace("type: text,", "type: number,"), "mini.yaml").measurement() != \
        parse_instrument(MINI.replace("type: text,", "type: number, decimals: 1,"), "mini.yaml").measurement()


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(InstrumentError, match="no such file"):
        load_instrument(tmp_path / "none.yaml")
    bad = tmp_path / "sjis.yaml"
    bad.write_bytes(MINI.encode("cp932"))
    with pytest.raises(InstrumentError, match="not UTF-8"):
        load_instrument(bad)


def test_health_kpi_is_a_yes_no_fact_in_a_new_version():
    """「健康を維持するために心掛けていることがある市民割合」 counts residents who answer はい."""
    instrument = load_instrument(bundled_path())
    assert instrument.version == 2
    kenko = instrument.question("kenko")
    assert [c.text for c in kenko.choices] == ["はい", "いいえ"]
    assert instrument.indicator("health").positive == frozenset({1})
