"""Guards on weights: sparse cells merged or refused, extreme weights named, n_eff never above n."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.errors import AnalysisError, MarginError
from analysis.frame import frame_from_csv
from analysis.indicators import Options, compute
from analysis.report import document
from analysis.weighting import WeightingInput, margin, rake
from analysis.weighting.collapse import collapse_sparse
from survey_app.instrument import parse_instrument
from tests.support.instruments import MINI_HEADER

INSTRUMENT = MINI_HEADER + """\
choice_lists:
  agree:
    - {code: 1, text: そう思う}
    - {code: 2, text: そう思わない}
  ages:
    - {code: 1, text: 若い}
    - {code: 2, text: 中年}
    - {code: 3, text: 高齢}
  sexes:
    - {code: 1, text: 男性}
    - {code: 2, text: 女性}
sections:
  - id: main
    title: 主
    questions:
      - {id: q1, type: single, choices: agree, text: 質問1}
      - {id: age, type: single, choices: ages, weighting: true, ordered: true, text: 年齢}
      - {id: sex, type: single, choices: sexes, weighting: true, text: 性別}
indicators:
  - {id: ind1, question: q1, positive: [1], title: 指標}
"""
AGE = margin("age", {1: 30_000, 2: 35_000, 3: 35_000})
SEX = margin("sex", {1: 48_000, 2: 52_000})


def responses(young: int, middle: int = 200, old: int = 300, seed: int = 3) -> str:
    rng = np.random.default_rng(seed)
    ages = [1] * young + [2] * middle + [3] * old
    rows = ["q1,age,sex"] + [f"{1 + int(rng.random() < 0.4)},{a},{1 + i % 2}" for i, a in enumerate(ages)]
    return "\n".join(rows) + "\n"


def run(text: str, **options) -> dict:
    inst = parse_instrument(INSTRUMENT, "mini.yaml")
    result = compute(frame_from_csv(text, inst), (AGE, SEX), Options(weighting="rake", lang="en", by=("age",),
                                                                     **options))
    return document(result, "en")


def codes(doc: dict) -> set[str]:
    return {n["code"] for n in doc["notices"]}


def test_an_ordered_margin_merged_down_to_one_category_is_said_to_be_merged_away():
    """12 replies: age merged 1..2, then 1..3 — and the last step was reported as 「調整区分 年齢=18〜29歳 …
    区分に順序がないため統合できません」 (sparse_margin_dropped): age is ordered, and that cell was all 12."""
    doc = run(responses(young=4, middle=4, old=4))
    found = codes(doc)
    assert "sparse_margin_merged_away" in found and "sparse_margin_dropped" not in {
        n["code"] for n in doc["notices"] if "'age'" in n["message"]}
    merged = [n["message"] for n in doc["notices"] if n["code"] == "sparse_cell_collapsed"]
    assert merged and all("age=1.." in m for m in merged)  # each merge names the range it made


def test_a_sparse_ordered_cell_is_merged_with_its_neighbour():
    doc = run(responses(young=3))
    assert "sparse_cell_collapsed" in codes(doc)
    message = next(n["message"] for n in doc["notices"] if n["code"] == "sparse_cell_collapsed")
    assert "age=1" in message and "age=1..2" in message  # worded 「年齢=18〜29歳、30〜39歳」 where people read it
    assert "extreme_weight" not in codes(doc)


def test_without_the_guard_the_lone_young_respondents_carry_extreme_weights_and_n_eff_stays_below_n():
    doc = run(responses(young=3), min_cell=1)
    assert "sparse_cell_collapsed" not in codes(doc) and "extreme_weight" in codes(doc)
    for ind in doc["indicators"]:
        assert ind["n_eff"] <= ind["n"] and ind["kish_n_eff"] <= ind["n"]
        assert ind["n_eff_basis"] in ("design", "kish")
        for group in ind["groups"]:
            assert group["kish_n_eff"] is None or group["kish_n_eff"] <= group["n"]


def test_design_n_eff_above_n_is_replaced_by_kish_and_said():
    # agreement explained almost entirely by age: raking removes most of the variance
    lines = ["q1,age,sex"] + [f"{1 if a == 1 else 2},{a},{1 + i % 2}" for i, a in
                              enumerate([1] * 150 + [2] * 150 + [3] * 150)]
    lines += ["1,2,1", "1,3,2", "2,1,1"]
    doc = run("\n".join(lines) + "\n")
    ind = doc["indicators"][0]
    assert ind["deff"] < 0.1  # the design-based n_eff would be about 30 times n
    assert ind["n_eff_basis"] == "kish" and ind["n_eff"] == ind["kish_n_eff"] <= ind["n"]
    assert "n_eff_kish" in codes(doc)


def test_a_sparse_cell_without_order_leaves_its_margin_out_by_name():
    data = pd.DataFrame({"age": [1.0, 2.0, 3.0] * 30, "sex": [1.0] * 88 + [2.0] * 2})
    sample = WeightingInput(data, np.ones(len(data)), (AGE, SEX))
    kept, notices = collapse_sparse(sample, 20, frozenset({"age"}))
    assert [m.name for m in kept.margins] == [AGE.name]  # sex is not calibrated on two respondents
    assert [(n.code, n.params["cell"], n.params["n"]) for n in notices] == [("sparse_margin_dropped", "sex=2", 2)]
    assert "sex=2" in notices[0].message("en") and "lower the minimum cell size" in notices[0].message("en")


def test_collapsed_margins_keep_the_total_and_rake_meets_them():
    data = pd.DataFrame({"age": [1.0] * 5 + [2.0] * 40 + [3.0] * 45, "sex": [1.0, 2.0] * 45})
    sample, notices = collapse_sparse(WeightingInput(data, np.ones(len(data)), (AGE, SEX)), 20,
                                      frozenset({"age"}))
    assert [n.code for n in notices] == ["sparse_cell_collapsed"]
    merged = sample.margins[0]
    assert dict(zip(merged.cells, merged.counts, strict=True)) == {(1,): 65_000, (3,): 35_000}
    assert set(sample.data["age"]) == {1.0, 3.0}
    weights = rake(sample).weights
    assert weights.sum() == pytest.approx(100_000)
    assert weights.max() / weights.mean() < 3


def test_cli_names_a_margin_left_out_for_a_sparse_cell(tmp_path):
    from click.testing import CliRunner

    from survey_app.cli import main

    (tmp_path / "i.yaml").write_text(INSTRUMENT, encoding="utf-8")
    text = responses(young=40).replace(",2\n", ",1\n").replace(",1\n", ",1\n", 1)
    lines = text.splitlines()
    lines[1] = lines[1][:-1] + "2"  # one woman
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "p.csv").write_text("dimension,category,count\nage,1,30000\nage,2,35000\nage,3,35000\n"
                                    "sex,1,48000\nsex,2,52000\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["indicators", "--instrument", str(tmp_path / "i.yaml"), "--responses",
                                       str(tmp_path / "r.csv"), "--population", str(tmp_path / "p.csv"),
                                       "--weighting", "rake", "--lang", "en", "--format", "json"])
    assert result.exit_code == 0, result.output
    notices = {n["code"]: n["message"] for n in json.loads(result.output)["notices"]}
    assert "Calibration cell sex=2 has 1 respondent(s)" in notices["sparse_margin_dropped"]
    assert "margin 'sex' was left out of the weighting" in notices["sparse_margin_dropped"]
    assert "Traceback" not in result.output


def test_analysis_error_is_what_the_cli_catches():
    assert issubclass(MarginError, AnalysisError)
