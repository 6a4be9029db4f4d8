"""Typed answers, callback data, Urdu isolates, message splitting: pure functions, no I/O."""
from __future__ import annotations

import pytest

from bot import bidi, callbacks, parsing
from bot.render import all_labels, split_text
from survey_app.instrument import bundled_path, load_instrument, parse_instrument


@pytest.fixture(scope="module")
def ins():
    return load_instrument(bundled_path())


def labels(ins, qid):
    return all_labels(ins, ins.question(qid).choice_list.id)


@pytest.mark.parametrize("typed, code", [
    ("1", 1), ("１", 1), ("١", 1), ("۱", 1), (" 2. ", 2), ("(3)", 3), ("５", 9),
    ("そう思う", 1), ("そう思う。", 1), ("Don't know", 9), ("don't KNOW!", 9),
    ("Đồng ý", 1), ("đồng ý", 1),
])
def test_single_choice_by_number_or_text_in_any_language(ins, typed, code):
    q = ins.question("kurashiyasui")
    assert parsing.match_choice(typed, q, labels(ins, "kurashiyasui")) == code


def test_urdu_label_is_recognised(ins):
    q = ins.question("has_children")
    urdu_yes = labels(ins, "has_children")[1][3]
    assert parsing.match_choice(urdu_yes, q, labels(ins, "has_children")) == 1
    assert parsing.match_choice("có", q, labels(ins, "has_children")) == 1
    assert parsing.match_choice("はい", q, labels(ins, "has_children")) == 1


@pytest.mark.parametrize("typed", ["", "0", "6", "99", "maybe", "1 2", "x" * 5000, "🙂"])
def test_single_choice_rejects_garbage(ins, typed):
    q = ins.question("kurashiyasui")
    assert parsing.match_choice(typed, q, labels(ins, "kurashiyasui")) is None


@pytest.mark.parametrize("typed, codes", [
    ("1, 3", (1, 3)), ("１、３", (1, 3)), ("1، 3", (1, 3)), ("۱، ۳", (1, 3)), ("۱؛۳", (1, 3)),
    ("2 4", (2, 4)),
    ("3", (3,)), ("4,2,2", (2, 4)),
])
def test_multi_choice_lists(ins, typed, codes):
    q = ins.question("kosodate_needs")
    assert parsing.match_choices(typed, q, labels(ins, "kosodate_needs")) == codes


def test_multi_choice_rejects_unknown_part(ins):
    q = ins.question("kosodate_needs")
    assert parsing.match_choices("1, banana", q, labels(ins, "kosodate_needs")) is None
    assert parsing.match_choices("1 9", q, labels(ins, "kosodate_needs")) is None


@pytest.mark.parametrize("typed, number", [
    ("3", "3"), ("３", "3"), ("٣", "3"), ("۳ افراد", "3"), ("3人", "3"), ("4 people", "4"), ("2.5", "2.5"),
    ("three", "three"),
])
def test_number_text(typed, number):
    assert parsing.number_text(typed) == number


@pytest.mark.parametrize("word", ["stop", "STOP", "/stop", "停止", "dừng", "Dừng", "روکیں", " stop. "])
def test_stop_words(word):
    assert parsing.is_stop_word(word)


def test_stop_word_only_as_the_whole_message():
    assert not parsing.is_stop_word("please don't stop the music")


def test_callback_data_round_trip_and_limit(ins):
    for q in ins.questions:
        for c in q.choices or ():
            data = callbacks.encode(ins, callbacks.ANSWER, q.id, c.code)
            assert len(data.encode()) <= 64
            decoded = callbacks.decode(data)
            assert callbacks.question_of(ins, decoded) is q and decoded.code == c.code
            assert callbacks.belongs_to(ins, decoded) and callbacks.is_current_version(ins, decoded)


def test_long_question_id_is_replaced_by_its_position():
    long_id = "q" + "x" * 60
    text = f"""
id: long-ids
version: 3
title: t
source_language: ja
languages: [ja]
privacy_notice: p
contact: c
choice_lists:
  yn: [{{code: 1, text: はい}}, {{code: 2, text: いいえ}}]
sections:
  - id: s
    title: s
    questions:
      - {{id: first, type: single, choices: yn, text: a}}
      - {{id: {long_id}, type: single, choices: yn, text: b}}
"""
    ins = parse_instrument(text, "long.yaml")
    data = callbacks.encode(ins, callbacks.ANSWER, long_id, 2)
    assert len(data.encode()) <= 64 and "#1" in data
    assert callbacks.question_of(ins, callbacks.decode(data)).id == long_id


@pytest.mark.parametrize("data", ["", "x", "A|zz", "A|1|x|q|notanumber", "Q|abcd|1|q", "A|abcd|v|q|1"])
def test_garbage_callback_data_is_refused(data):
    with pytest.raises(callbacks.BadCallback):
        callbacks.decode(data)


def test_another_surveys_button_is_recognised(ins):
    other = callbacks.decode("A|ffff|1|kurashiyasui|1")
    assert not callbacks.belongs_to(ins, other)


def test_urdu_isolates_latin_runs_and_numbers():
    text = bidi.for_locale("ur", "کوڈ K7QF-3MZD-8WXP-R2TA اور /start (011-382-5151) 3/17")
    assert f"{bidi.FSI}K7QF-3MZD-8WXP-R2TA{bidi.PDI}" in text
    assert f"{bidi.FSI}/start{bidi.PDI}" in text
    assert f"{bidi.FSI}011-382-5151{bidi.PDI}" in text
    assert f"{bidi.FSI}3/17{bidi.PDI}" in text
    assert bidi.for_locale("ur", text) == text  # idempotent
    assert bidi.for_locale("vi", "K7QF 3/17") == "K7QF 3/17"


def test_urdu_keeps_accented_latin_and_several_words_in_one_isolate():
    """「Tiếng Việt」 on the Urdu language menu was six isolates, cut at its accented letters; words
    isolated one by one read in reverse order in a right-to-left line."""
    assert bidi.for_locale("ur", "Tiếng Việt") == f"{bidi.FSI}Tiếng Việt{bidi.PDI}"
    reason = bidi.for_locale("ur", "وجہ: Trường học ít café، شکریہ")
    assert f"{bidi.FSI}Trường học ít café{bidi.PDI}" in reason
    assert bidi.for_locale("ur", "Parks، Schools").count(bidi.FSI) == 2  # an Urdu comma parts two runs


def test_split_text_keeps_every_character_under_the_limit():
    text = "\n".join(f"line {i} " + "あ" * 50 for i in range(200)) + "\n" + "x" * 9000
    chunks = split_text(text, limit=1000)
    assert all(len(c) <= 1000 for c in chunks)
    assert "".join(chunks).replace("\n", "") == text.replace("\n", "")


def test_urdu_phone_number_in_a_sentence_is_isolated_for_chat():
    from survey_app.i18n.bidi import FSI, PDI, isolated_html
    assert f"{FSI}011-382-5151{PDI}" in bidi.for_locale("ur", "فون: 011-382-5151۔")
    html = isolated_html("ایبیتسو سٹی ہال (江別市役所) فون 011-382-5151", rtl=True)
    assert '<bdi dir="ltr" class="ltr">011-382-5151</bdi>' in html
    assert '<span class="keep" lang="ja">江別市役所</span>' in html


# Issue 14: digits from other scripts (str.isdigit() says yes, int() refuses or NFKC changes them).
@pytest.mark.parametrize("typed", ["፩", "①", "²", "߁", "१", "(፩)", "፩."])
def test_single_choice_refuses_digits_of_other_scripts(ins, typed):
    q = ins.question("kurashiyasui")
    assert parsing.match_choice(typed, q, labels(ins, "kurashiyasui")) is None


@pytest.mark.parametrize("typed", ["10²", "3¹人", "፩", "①"])
def test_number_text_never_reads_superscripts_or_other_scripts_as_digits(ins, typed):
    from survey_app.instrument import InvalidAnswer, question_type

    q = ins.question("household_size")
    assert parsing.number_text(typed) not in ("10", "102", "3", "31", "1")
    with pytest.raises(InvalidAnswer):
        question_type("number").parse(q, parsing.number_text(typed))


@pytest.mark.parametrize("data", ["A|abcd|፩|q", "A|abcd|1|q|፩", "A|abcd|1|q|-፩", "A|abcd|²|q", "E|abcd|1|#፩"])
def test_callback_data_with_other_scripts_digits_is_refused(ins, data):
    try:
        decoded = callbacks.decode(data)
    except callbacks.BadCallback:
        return
    assert callbacks.question_of(ins, decoded) is None  # '#፩' names no question, and raises nothing
