"""``machikoe indicators`` end to end: demo data, formats, languages, and one-line errors."""
from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from survey_app.instrument import bundled_path
from tests.support.survey import SURVEY_OPTION

# The subject is the CLI's output and messages, not storage: SQLite alone; every statement sent here reaches
# PostgreSQL in another test (tests/support/db.py, checked by tests/support/sql_reach.py).
pytestmark = pytest.mark.databases("sqlite")

KEYS = {"survey", "sample", "weighting", "weighting_applied", "ci_method", "level", "n_respondents", "indicators", "open", "notices",
        "warnings"}
INDICATOR_KEYS = {"id", "title", "base", "estimate", "se", "ci_low", "ci_high", "n", "n_positive", "n_eff", "n_eff_basis",
                  "kish_n_eff", "deff", "on_baseline_base",
                  "baseline", "target", "change_vs_baseline", "groups"}
GROUP_KEYS = {"by", "category", "label", "estimate", "ci_low", "ci_high", "n", "n_eff", "kish_n_eff", "flag"}


@pytest.fixture
def demo(cli, bundled_instrument, load_demo):
    """``machikoe setup`` then the 400 responses of ``machikoe demo --responses 400 --seed 3``
    (built once per module: tests/support/demo.py; the command itself is tested in test_cli_core)."""
    assert cli("setup").exit_code == 0
    load_demo(bundled_instrument, 400, seed=3, illustrative=True)
    return cli


def test_raked_table_by_age_in_japanese_for_the_yearly_review(demo):
    result = demo("indicators", *SURVEY_OPTION, "--weighting", "rake", "--by", "age_band", "--lang", "ja")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "江別市が暮らしやすいと思う市民割合" in out and "18〜29歳" in out and "95%信頼区間" in out
    assert "レイキング" in out and "ロジット法" in out and "母数" in out
    assert "（年齢、地区、性別）" in out and "age_band" not in out  # the margins actually used, named for people
    assert "明確な変化なし" in out or "改善" in out or "悪化" in out


def test_json_follows_the_schema_in_percentage_points(demo):
    result = demo("indicators", *SURVEY_OPTION, "--weighting", "rake", "--by", "district", "--format", "json",
                  "--ci", "beta", "--level", "0.9")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert set(doc) == KEYS and doc["weighting"] == "rake" and doc["ci_method"] == "beta" and doc["level"] == 0.9
    assert doc["n_respondents"] == 400
    for ind in doc["indicators"]:
        assert set(ind) == INDICATOR_KEYS
        assert 0 <= ind["ci_low"] < ind["estimate"] < ind["ci_high"] <= 100
        assert ind["n_positive"] <= ind["n"] <= 400
        assert ind["change_vs_baseline"]["verdict"] == "indicative"  # the strategy publishes no SE
        assert ind["baseline"]["year"] in (2022, 2023) and ind["target"]["year"] == 2029
        assert [g["category"] for g in ind["groups"]] == [1, 2, 3]
        assert all(set(g) == GROUP_KEYS for g in ind["groups"])
    first = doc["indicators"][0]
    assert round(first["estimate"], 1) != first["estimate"]  # full precision: rounding is for display only


def test_design_weights_without_a_recorded_design_say_every_response_counts_equally(demo):
    """The footnote said each respondent stood for their stratum "as recorded when the letters were
    made" beside the notice that no design is recorded (the demo's letters have none)."""
    table = demo("indicators", *SURVEY_OPTION, "--weighting", "design", "--format", "csv", "--lang", "en").output
    assert "no sampling design is recorded for these letters, so every invited response counts equally" in table
    assert "as recorded when the letters were made" not in table


def test_figures_weighted_to_the_example_margins_say_so_as_the_staff_pages_do(demo, tmp_path):
    """``machikoe setup`` loads illustrative margins: every figure weighted to them carries the notice,
    first, in JSON and CSV; unweighted figures and margins given with --population do not."""
    def notices(*args):
        doc = json.loads(demo("indicators", *SURVEY_OPTION, "--format", "json", *args).output)
        return [n["code"] for n in doc["notices"]]

    assert notices("--weighting", "rake")[0] == "illustrative_margins"
    assert "illustrative_margins" not in notices("--weighting", "none") + notices("--weighting", "design")
    assert "illustrative_margins" not in notices("--weighting", "rake", "--sample", "open")
    table = demo("indicators", *SURVEY_OPTION, "--weighting", "rake", "--format", "csv", "--lang", "ja").output
    assert "例示用" in table
    population = tmp_path / "register.csv"
    population.write_text(bundled_path().with_name("ebetsu-2025-population.csv").read_text(encoding="utf-8"),
                          encoding="utf-8")
    assert "illustrative_margins" not in notices("--weighting", "rake", "--population", str(population))


def test_weighting_and_trimming_change_the_estimate(demo):
    def run(*args):
        return json.loads(demo("indicators", *SURVEY_OPTION, "--format", "json", "--lang", "en", *args).output)

    raked, unweighted = run("--weighting", "rake"), run("--weighting", "none")
    assert raked["indicators"][0]["estimate"] != unweighted["indicators"][0]["estimate"]
    assert raked["indicators"][0]["deff"] > 1  # unequal weights cost precision
    trimmed = run("--weighting", "rake", "--trim", "0.3,2.6")
    assert trimmed["indicators"][0]["estimate"] != raked["indicators"][0]["estimate"]
    assert any(w.startswith("Weights bounded to") and "the margins still hold" in w for w in trimmed["warnings"])
    assert "trimmed_calibrated" in [n["code"] for n in trimmed["notices"]]
    refused = demo("indicators", *SURVEY_OPTION, "--weighting", "rake", "--trim", "0.9,1.1")
    assert refused.exit_code == 1 and "trim_infeasible" in refused.output
    assert len(refused.output.strip().splitlines()) == 1
    assert [n["message"] for n in trimmed["notices"]] == trimmed["warnings"]


def test_csv_and_xlsx_exports_in_english(demo, tmp_path):
    csv_out = demo("indicators", *SURVEY_OPTION, "--weighting", "rake", "--format", "csv", "--lang", "en", "--by", "sex")
    assert csv_out.exit_code == 0
    table = list(csv.reader(io.StringIO(csv_out.output)))
    # One layout for the CLI and the staff console's exports (see analysis.report.table_rows).
    assert table[0][:6] == ["Indicator id", "Indicator", "Breakdown by", "Category code", "Category", "Estimate (%)"]
    assert float(table[1][5]) > 0 and table[2][2:5] == ["sex", "1", "Male"]
    notes = [row[0] for row in table if len(row) == 1]
    assert "Weighted by raking to the population margins (Age group, District, Sex); the intervals account for " \
           "the weighting." in notes
    assert any(note.startswith("Interval: 95% confidence interval by the logit method") for note in notes)
    path = tmp_path / "indicators.xlsx"
    xlsx = demo("indicators", *SURVEY_OPTION, "--format", "xlsx", "--output", str(path), "--lang", "en")
    assert xlsx.exit_code == 0, xlsx.output
    sheet = load_workbook(path).active
    assert sheet["B1"].value == "Indicator" and isinstance(sheet["F2"].value, float)
    nowhere = demo("indicators", *SURVEY_OPTION, "--format", "csv", "--output", str(tmp_path / "no" / "x.csv"))
    assert nowhere.exit_code == 1 and "the folder" in nowhere.output and "does not exist" in nowhere.output
    assert len(nowhere.output.strip().splitlines()) == 1 and "FileNotFoundError" not in nowhere.output
    (tmp_path / "file.csv").write_text("")
    inside_a_file = demo("indicators", *SURVEY_OPTION, "--format", "csv", "--output", str(tmp_path / "file.csv" / "x"))
    assert inside_a_file.exit_code == 1 and "is a file, not a folder" in inside_a_file.output


def responses_csv(path, sex, district) -> str:
    rows = ["kurashiyasui,kosodate,hatarakiyasui,kyosei,kenko,age_band,sex,district"]
    rows += [f"{1 + i % 4},{1 + i % 3},{1 + i % 4},{2 + i % 3},{1 + i % 2},{1 + i % 6},{sex(i)},{district(i)}"
             for i in range(144)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return str(path)


def test_responses_csv_with_population_file(cli, tmp_path):
    responses = responses_csv(tmp_path / "r.csv", lambda i: 1 + (i // 6) % 2, lambda i: 1 + (i // 12) % 3)
    population = bundled_path().parent / "ebetsu-2025-population.csv"
    result = cli("indicators", "--instrument", str(bundled_path()), "--responses", responses,
                 "--population", str(population), "--weighting", "rake", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["n_respondents"] == 144


def test_margins_the_sample_cannot_meet_fall_back_and_say_so(cli, tmp_path):
    """Age band fixes sex and district here (structural zeros): no weights meet all three margins, so the
    figure falls back (issue 11) and the notice names the step it used."""
    responses = responses_csv(tmp_path / "r.csv", lambda i: 1 + i % 2, lambda i: 1 + i % 3)
    population = bundled_path().parent / "ebetsu-2025-population.csv"
    result = cli("indicators", "--instrument", str(bundled_path()), "--responses", responses,
                 "--population", str(population), "--weighting", "rake", "--format", "json", "--lang", "en")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    fallback = [n["message"] for n in doc["notices"] if n["code"] == "weighting_fallback"]
    assert len(fallback) == 1 and "post-stratified to 'age_band' only" in fallback[0]
    assert all(i["estimate"] is not None for i in doc["indicators"])


@pytest.mark.parametrize(("population", "message"), [
    ("dimension,category,count\nage_band,7,100\n", "line 2: Category '7' is not a code of 'age_band'"),
    ("dimension,category,count\nage_band,1,100\nsex,1,300\n", "Margin 'sex' sums to 300"),
])
def test_bad_population_file_is_one_line_with_the_line_number(demo, tmp_path, population, message):
    path = tmp_path / "pop.csv"
    path.write_text(population, encoding="utf-8")
    result = demo("indicators", *SURVEY_OPTION, "--population", str(path), "--weighting", "rake")
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_margins_that_do_not_fit_the_sample_are_refused(demo, tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("dimension,category,count\nage_band:sex,1:1,10\nage_band:sex,1:2,10\n", encoding="utf-8")
    result = demo("indicators", *SURVEY_OPTION, "--population", str(path), "--weighting", "poststratify")
    assert result.exit_code == 1
    assert "opulation margin 'age_band:sex' has no category" in result.output


def test_unknown_columns_and_bad_codes_in_responses(cli, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("kurashiyasui,favourite_colour\n1,red\n", encoding="utf-8")
    result = cli("indicators", "--instrument", str(bundled_path()), "--responses", str(path))
    assert result.exit_code == 1 and "Unknown column(s): favourite_colour" in result.output
    path.write_text("kurashiyasui\n1\n5\n", encoding="utf-8")
    result = cli("indicators", "--instrument", str(bundled_path()), "--responses", str(path))
    assert result.exit_code == 1 and "line 3: 'kurashiyasui': 5 is not a code" in result.output


def test_all_answers_missing_exits_non_zero(cli, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("kurashiyasui,kosodate\n" + "9,1\n" * 10, encoding="utf-8")
    result = cli("indicators", "--instrument", str(bundled_path()), "--responses", str(path))
    assert result.exit_code == 1 and "every answer to 'kurashiyasui' is missing" in result.output


def test_fewer_than_ten_responses_are_withheld_unless_the_threshold_is_lowered(cli, tmp_path):
    """Three replies, beside the monitor's counts by language and district, are three residents' answers."""
    path = tmp_path / "r.csv"
    path.write_text("kurashiyasui,kosodate,hatarakiyasui,kyosei,kenko\n" + "1,1,1,1,1\n" * 3, encoding="utf-8")
    result = cli("indicators", "--instrument", str(bundled_path()), "--responses", str(path))
    assert result.exit_code == 1 and "There are 3 invited responses, fewer than 10" in result.output
    lowered = cli("indicators", "--instrument", str(bundled_path()), "--responses", str(path),
                  "--suppress-below", "3", "--format", "json")
    assert lowered.exit_code == 0, lowered.output


def test_usage_errors(cli):
    assert cli("indicators").exit_code == 2
    both = cli("indicators", *SURVEY_OPTION, "--instrument", str(bundled_path()))
    assert both.exit_code == 2
    assert cli("indicators", *SURVEY_OPTION, "--trim", "2,3").exit_code == 2
    assert cli("indicators", *SURVEY_OPTION, "--format", "xlsx").exit_code == 2


def test_propensity_needs_invitations(demo):
    result = demo("indicators", *SURVEY_OPTION, "--weighting", "propensity")
    assert result.exit_code == 1 and "needs the survey's letters with their sampling strata" in result.output


def test_survey_without_responses(cli):
    cli("setup")
    result = cli("indicators", *SURVEY_OPTION)
    assert result.exit_code == 1
    assert result.output.strip() == "Error: survey 'ebetsu-2025' has no complete responses"
