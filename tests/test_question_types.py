"""The question-type registry: what each type does (parse, store, export, read back, analyse,
display, web/paper/chat specifics), and that no module outside it switches on a type's name."""
from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from survey_app.instrument import REGISTRY, InvalidAnswer, InvalidCell
from survey_app.instrument.model import Choice, ChoiceList, Question
from survey_app.instrument.types import ANSWER_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
AGREE = ChoiceList("agree", (Choice(1, "Agree"), Choice(2, "Disagree"), Choice(9, "Don't know", missing=True)))


def question(qtype: str, **fields) -> Question:
    choices = AGREE if REGISTRY[qtype].has_choices else None
    return Question(id=f"q_{qtype}", type=qtype, text="?", section_id="s", line=1, choice_list=choices, **fields)


def label(choice_list: ChoiceList, choice: Choice) -> str:
    return f"{choice_list.id}:{choice.text}"


# ---------------------------------------------------------------- what each type is

def test_flags_say_what_each_type_is():
    flags = {name: (t.has_choices, t.multiple, t.numeric, t.free_text, t.one_code, t.groups_residents, t.analysed)
             for name, t in REGISTRY.items()}
    assert flags == {
        "single": (True, False, False, False, True, True, True),
        "scale": (True, False, False, False, True, False, True),
        "multi": (True, True, False, False, False, False, False),
        "number": (False, False, True, False, False, False, True),
        "text": (False, False, False, True, False, False, False),
    }
    assert all(t.column in ANSWER_COLUMNS for t in REGISTRY.values())


# ---------------------------------------------------------------- parse, store, export, read back

@pytest.mark.parametrize(("qtype", "raw", "value", "column", "stored", "cell"), [
    ("single", "２", 2, "code", 2, 2),
    ("scale", 9, 9, "code", 9, 9),
    ("multi", ["2", "1"], (1, 2), "codes", [1, 2], "1;2"),
    ("multi", "1,2", (1, 2), "codes", [1, 2], "1;2"),
    ("number", "3", 3.0, "number", 3.0, 3),
    ("number", "2.5", 2.5, "number", 2.5, 2.5),
    ("text", "  公園を増やして\u202e  ", "公園を増やして", "text", "公園を増やして", "公園を増やして"),
])
def test_a_raw_answer_is_parsed_stored_exported_and_read_back(qtype, raw, value, column, stored, cell):
    q = question(qtype, decimals=1) if qtype == "number" else question(qtype)
    kind = q.kind
    assert kind.parse(q, raw) == value
    columns = kind.to_columns(value)
    assert columns.pop(column) == stored
    assert set(columns) == set(ANSWER_COLUMNS) - {column} and set(columns.values()) == {None}
    exported = kind.export_cell(stored)
    assert exported == cell and type(exported) is type(cell)
    assert kind.read_cell(q, str(exported)) == value  # the frame reads what the export writes


@pytest.mark.parametrize(("qtype", "raw", "message"), [
    ("single", "4", "Choose one of the answers."),
    ("single", True, "Choose one of the answers."),
    ("multi", ["1", "9"], "\"Don't know\" cannot be combined with other answers."),
    ("multi", "1,,7", "'7' is not one of the answers: give their numbers, for example 1,3."),  # not "choose one"
    ("number", "inf", "Enter a number, for example 3."),
    ("number", "-1", "Enter a number of at least 0."),
    ("number", "2.5", "Enter a whole number, for example 3."),  # 2.5 people: refused, not rounded
])
def test_an_invalid_answer_names_its_problem(qtype, raw, message):
    q = question(qtype, minimum=0.0)
    with pytest.raises(InvalidAnswer) as caught:
        q.kind.parse(q, raw)
    assert str(caught.value) == message  # the msgid with its parameters filled in


@pytest.mark.parametrize(("decimals", "raw", "value", "message"), [
    (0, "3.0", 3.0, None),
    (1, "2.5", 2.5, None),
    (1, "2.25", None, "Enter a number in steps of 0.1, for example 2.5."),
    (2, "0.07", 0.07, None),
    (2, "1.005", None, "Enter a number in steps of 0.01, for example 2.25."),
    # a decimal comma, as Vietnamese residents write it; a thousands group stays thousands
    (1, "2,5", 2.5, None), (2, "０，７５", 0.75, None), (1, "-1,5", -1.5, None), (1, "1,500", 1500.0, None),
    (3, "0,750", 0.75, None),  # no thousands group starts with 0
    (0, "2,5", None, "Enter a whole number, for example 3."),
    (1, "1,2,3", None, "Enter a number, for example 3."), (1, "2,5.1", None, "Enter a number, for example 3."),
])
def test_a_number_keeps_to_its_decimals(decimals, raw, value, message):
    q = question("number", decimals=decimals)
    if message is None:
        assert q.kind.parse(q, raw) == value
    else:
        with pytest.raises(InvalidAnswer) as caught:
            q.kind.parse(q, raw)
        assert str(caught.value) == message


def test_a_multi_choice_respects_its_maximum():
    q = question("multi", max_choices=1)
    with pytest.raises(InvalidAnswer) as caught:
        q.kind.parse(q, ["1", "2"])
    assert caught.value.params == {"n": 1}


@pytest.mark.parametrize(("qtype", "cell", "message"), [
    ("single", "x", "'x' is not a choice code"),
    ("scale", "7", "7 is not a code of this question (codes: 1, 2, 9)"),
    ("multi", "1;5", "5 is not a code of this question (codes: 1, 2, 9)"),
    ("number", "many", "'many' is not a number"),
    ("number", "nan", "'nan' is not a number"),
    ("number", "9" * 400, "is not a finite number"),
])
def test_a_bad_export_cell_is_refused_in_words_for_staff(qtype, cell, message):
    q = question(qtype)
    with pytest.raises(InvalidCell, match=re.escape(message)):
        q.kind.read_cell(q, cell)


def test_a_multi_cell_accepts_either_separator_and_ignores_blanks():
    q = question("multi")
    assert q.kind.read_cell(q, " 2 | 1;;") == (1, 2)


@pytest.mark.parametrize("typed", ["1,2", "１，２", "1、2", "1，2", "１；２", "1؛2", "2، 1", " 1 ; 2 "])
def test_a_multi_choice_typed_with_any_keyboards_list_separator_is_read(typed):
    """Paper entry refused 「１，３」 and 「1、3」 (a Japanese IME's comma) that the bots accept."""
    q = question("multi")
    assert q.kind.parse(q, typed) == (1, 2) and q.kind.read_cell(q, typed) == (1, 2)


# ---------------------------------------------------------------- web form values

def test_a_web_field_reads_every_ticked_box_or_the_first_string():
    assert REGISTRY["multi"].form_value(["1", "3"]) == ["1", "3"]
    assert REGISTRY["multi"].form_value([]) == []
    assert REGISTRY["single"].form_value(["2", "3"]) == "2"
    assert REGISTRY["text"].form_value([]) == ""


def test_a_web_field_shows_the_stored_answer():
    assert REGISTRY["multi"].field_values((1, 3)) == {"1", "3"}
    assert REGISTRY["number"].field_values(3.0) == {"3"}
    assert REGISTRY["number"].field_values(2.5) == {"2.5"}
    assert REGISTRY["scale"].field_values(4) == {"4"}


def test_every_type_names_an_existing_field_template():
    templates = ROOT / "survey_app" / "web" / "templates"
    for kind in REGISTRY.values():
        assert (templates / kind.field_template).is_file(), kind.name
        assert (kind.input_type is not None) == kind.has_choices, kind.name


# ---------------------------------------------------------------- analysis and reports

def test_analysed_types_give_a_frame_value_and_the_others_refuse():
    assert REGISTRY["single"].frame_value(2) == 2.0
    assert REGISTRY["number"].frame_value(2.5) == 2.5
    for name in ("multi", "text"):
        with pytest.raises(TypeError, match=name):
            REGISTRY[name].frame_value("1")


def test_a_summary_has_a_row_per_choice_or_per_distinct_number():
    assert REGISTRY["single"].summary_codes(question("single"), [2.0, 2.0]) == [1, 2, 9]
    assert REGISTRY["number"].summary_codes(question("number"), [3.0, math.nan, 1.0, 3.0]) == [1.0, 3.0]


# ---------------------------------------------------------------- display (web review page, bot)

@pytest.mark.parametrize(("qtype", "value", "parts"), [
    ("single", 2, ["agree:Disagree"]),
    ("multi", (1, 9), ["agree:Agree", "agree:Don't know"]),
    ("multi", (1, 5), ["agree:Agree"]),  # a code the list no longer has shows nothing
    ("number", 3.0, ["3"]),
    ("text", "いいね", ["いいね"]),
])
def test_an_answer_in_words(qtype, value, parts):
    q = question(qtype)
    assert q.kind.answer_parts(q, value, label) == parts


def test_an_answer_on_one_line_uses_the_separator_and_number_format():
    multi, number = question("multi"), question("number")
    assert multi.kind.format_answer(multi, (1, 2), label, separator="、") == "agree:Agree、agree:Disagree"
    assert number.kind.format_answer(number, 1234.0, label, number=lambda x: f"{x:,.0f}") == "1,234"


# ---------------------------------------------------------------- paper entry and chat

def test_paper_entry_keys_codes_and_numbers_on_a_keypad_and_comments_in_a_text_area():
    entries = {name: (t.paper.digits, t.paper.multiline) for name, t in REGISTRY.items()}
    assert entries == {"single": (True, False), "scale": (True, False), "multi": (False, False),
                       "number": (True, False), "text": (False, True)}
    assert REGISTRY["multi"].paper.hint == "codes separated by commas, e.g. 1,3"


def test_chat_messages_are_catalog_msgids_and_only_choices_can_be_misunderstood():
    from survey_app.i18n.catalogs import gettext

    for kind in REGISTRY.values():
        assert gettext("ja", kind.chat_instruction) != kind.chat_instruction, kind.name  # translated
        assert (kind.chat_not_understood is not None) == kind.has_choices, kind.name
    assert "Done" in REGISTRY["multi"].chat_instruction


# ---------------------------------------------------------------- no switch on a type's name outside the registry

NAMES = "|".join(REGISTRY)
SWITCH = re.compile(
    rf"""(?<!chat)\.type\s*(==|!=|\bnot\s+in\b|\bin\b)   # q.type == ..., question.type in (...), not chat.type
    |\bqtype\s*(==|!=)                                   # qtype == "multi"
    |(==|!=)\s*["']({NAMES})["']                         # ... == "multi"
    |[(\[{{]\s*["']({NAMES})["']\s*,\s*["']({NAMES})["'] # ("single", "scale"): a set of type names
    |\[\s*[\w.]+\.type\s*\]|\.get\(\s*[\w.]+\.type\b        # TABLE[q.type], TABLE.get(q.type): a table by name
    """, re.VERBOSE)
REGISTRY_FILE = Path("survey_app/instrument/types.py")


def switches(package: str) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*")):
        if path.suffix not in (".py", ".html", ".txt") or path.relative_to(ROOT) == REGISTRY_FILE:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if SWITCH.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


@pytest.mark.parametrize("line", [
    'if question.type == "multi":',
    "if q.type in ANALYSED_TYPES",
    "{% if f.type == 'text' %}",
    'elif qtype != "single":',
    'CLOSED_TYPES = ("single", "scale", "multi")',
    'template, input_type = FIELD_TEMPLATES[q.type]',
    '"hint": TYPE_HINTS.get(q.type, ""),',
])
def test_the_search_finds_a_switch(line):
    assert SWITCH.search(line)


@pytest.mark.parametrize("line", [
    'if response.mimetype == "text/html":',
    'if spec.kind == "date" and value:',
    'NUMBER_OR_NULL = {"type": "number", "nullable": True}',
    'if question.kind.multiple:',
    '{"id": q.id, "number": number, "text": words.question(q), "type": q.type}',
    'if update.effective_chat.type != "private":',
])
def test_the_search_passes_what_is_no_switch(line):
    assert not SWITCH.search(line)


@pytest.mark.parametrize("package", ["survey_app", "analysis", "bot"])
def test_no_module_switches_on_a_type_name(package):
    assert switches(package) == []
