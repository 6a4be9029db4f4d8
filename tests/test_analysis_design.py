"""The recorded design (issue 11): stratified by district with unequal allocation, against R.

The letters are made with ``machikoe invitations create --stratify-by district`` from a frame
with columns ``age_band,sex,district`` (N_h from the stored population margin of district);
the respondents (tests/data/design_district.csv) are stored as invited responses carrying
their letter's frame attributes. ``--weighting design`` must agree with R

    svydesign(ids=~1, strata=~district, fpc=~N_h, weights=~w)   # w = N_h / r_h

to 1e-6 on estimates and standard errors (R 4.x, survey 4.1.1; the values below are printed
by tests/r/design_reference.R, which reads the same files). ``--weighting none`` is the
plain share.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from analysis.design import SamplingDesign
from analysis.estimate import WeightedSample, proportion
from survey_app import responses
from survey_app.models import DesignStratum

DATA = Path(__file__).parent / "data"
TOLERANCE = 1e-6
INDICATOR = {"kurashiyasui": "living", "kosodate": "childcare", "hatarakiyasui": "work"}
# tests/r/design_reference.R: (estimate, se, ci_low, ci_high) on the 0–1 scale.
R_DESIGN = {
    "kurashiyasui": (0.769680187872, 0.033534502708, 0.697175923778, 0.829080811060),
    "kosodate": (0.545913472217, 0.038882747350, 0.468837235918, 0.620850157326),
    "hatarakiyasui": (0.257611248354, 0.033164286221, 0.197816080744, 0.328088653932),
}
R_LONELY = {  # district 2 reduced to one respondent, options(survey.lonely.psu = "adjust")
    "kurashiyasui": (0.883376426725, 0.055879712874, 0.722192916260, 0.956654300765),
    "kosodate": (0.734924401417, 0.125958313723, 0.436501845487, 0.908451831962),
    "hatarakiyasui": (0.153313719844, 0.073380319405, 0.056062994676, 0.355693658675),
}


def read(name: str) -> list[dict[str, int]]:
    with open(DATA / name, encoding="utf-8") as f:
        return [{k: int(v) for k, v in row.items()} for row in csv.DictReader(f)]


RESPONDENTS = read("design_district.csv")
STRATA = {row["district"]: row for row in read("design_district_strata.csv")}


def write_frame(path: Path) -> Path:
    """One frame row per letter: district allocation 300/150/250, every age band × sex cell in turn
    (so each respondent's cell had letters: analysis.consistency refuses replies without letters)."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["age_band", "sex", "district"])
        for district, row in STRATA.items():
            for i in range(row["letters"]):
                writer.writerow([(i // 2) % 6 + 1, i % 2 + 1, district])
    return path


def store_respondents(session, instrument, rows) -> None:
    # kyosei and kenko are not in the R comparison; answered so that the CLI (strict) has every indicator
    invited = [{**row, "kyosei": 1 + i % 4, "kenko": 1 + i % 2, "_stratum": {"age_band": row["age_band"], "sex": row["sex"], "district": row["district"]}}
               for i, row in enumerate(rows)]
    responses.bulk_complete(session, instrument, invited, channel="paper", source="invited")


@pytest.fixture
def designed(cli, tmp_path, session, instrument):
    assert cli("population", "import", "--survey", "ebetsu-2025", str(population_csv(tmp_path))
               ).exit_code == 0
    result = cli("invitations", "create", "--survey", "ebetsu-2025", "--frame", str(write_frame(tmp_path / "f.csv")),
                 "--out", str(tmp_path / "letters.csv"), "--stratify-by", "district")
    assert result.exit_code == 0, result.output
    return cli


def population_csv(tmp_path: Path) -> Path:
    path = tmp_path / "population.csv"
    lines = ["dimension,category,count"] + [f"district,{d},{row['population']}" for d, row in STRATA.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def indicators(cli, *args) -> dict:
    result = cli("indicators", "--survey", "ebetsu-2025", "--format", "json", "--lang", "en", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_invitations_record_the_design_per_stratum(designed, session):
    rows = session.scalars(select(DesignStratum).order_by(DesignStratum.stratum)).all()
    assert [(r.variables, r.stratum, r.population, r.letters) for r in rows] == [
        ("district", str(d), float(STRATA[d]["population"]), STRATA[d]["letters"]) for d in (1, 2, 3)]


def test_design_weighting_agrees_with_r_svydesign(designed, session, instrument):
    store_respondents(session, instrument, RESPONDENTS)
    doc = indicators(designed, "--weighting", "design")
    assert doc["sample"] == "invited" and doc["n_respondents"] == len(RESPONDENTS)
    assert "no_recorded_design" not in {n["code"] for n in doc["notices"]}
    found = {i["id"]: i for i in doc["indicators"]}
    for qid, (estimate, se, low, high) in R_DESIGN.items():
        block = found[INDICATOR[qid]]
        assert block["estimate"] / 100 == pytest.approx(estimate, abs=TOLERANCE)
        assert block["se"] / 100 == pytest.approx(se, abs=TOLERANCE)
        assert block["ci_low"] / 100 == pytest.approx(low, abs=TOLERANCE)
        assert block["ci_high"] / 100 == pytest.approx(high, abs=TOLERANCE)


def test_weighting_none_is_the_plain_share(designed, session, instrument):
    store_respondents(session, instrument, RESPONDENTS)
    doc = indicators(designed, "--weighting", "none")
    for block in doc["indicators"][:3]:
        qid = {v: k for k, v in INDICATOR.items()}[block["id"]]
        answers = np.array([row[qid] for row in RESPONDENTS])
        valid = answers != 9
        assert block["estimate"] == pytest.approx(100 * np.mean(np.isin(answers[valid], [1, 2])), abs=1e-9)
        assert block["n"] == int(valid.sum())


def test_a_lonely_stratum_is_adjusted_as_r_and_named(designed, session, instrument):
    first_of_2 = next(i for i, row in enumerate(RESPONDENTS) if row["district"] == 2)
    kept = [row for i, row in enumerate(RESPONDENTS) if row["district"] != 2 or i == first_of_2]
    store_respondents(session, instrument, kept)
    doc = indicators(designed, "--weighting", "design")
    assert next(n for n in doc["notices"] if n["code"] == "lonely_psu")["message"].count("district=2") == 1
    found = {i["id"]: i for i in doc["indicators"]}
    for qid, (estimate, se, low, high) in R_LONELY.items():
        block = found[INDICATOR[qid]]
        assert block["estimate"] / 100 == pytest.approx(estimate, abs=TOLERANCE)
        assert block["se"] / 100 == pytest.approx(se, abs=TOLERANCE)
        assert block["ci_low"] / 100 == pytest.approx(low, abs=TOLERANCE)
        assert block["ci_high"] / 100 == pytest.approx(high, abs=TOLERANCE)


def test_lonely_psu_variance_without_a_database():
    """R: svydesign(ids=~1, strata=~s, weights=~w) with survey.lonely.psu='adjust' (no fpc); the same
    number by hand: stratum c's single PSU total is centred at Σz / (PSUs of all strata)."""
    design = SamplingDesign.build(5, strata=["a", "a", "b", "b", "c"])
    y = np.array([1, 0, 1, 0, 1], bool)
    est = proportion(WeightedSample(design.weights, design), y, np.ones(5, bool))
    z = (y - 0.6) / 5
    by_hand = 2 * ((z[0] - z[:2].mean()) ** 2 + (z[1] - z[:2].mean()) ** 2) \
        + 2 * ((z[2] - z[2:4].mean()) ** 2 + (z[3] - z[2:4].mean()) ** 2) + (z[4] - z.sum() / 5) ** 2
    assert est.se == pytest.approx(np.sqrt(by_hand), rel=1e-12)
    assert design.lonely_strata() == ("c",)


def test_a_later_batch_adds_to_the_same_design(designed, tmp_path, session):
    frame = tmp_path / "topup.csv"
    frame.write_text("age_band,sex,district\n1,1,2\n2,2,2\n", encoding="utf-8")
    result = designed("invitations", "create", "--survey", "ebetsu-2025", "--frame", str(frame),
                      "--out", str(tmp_path / "letters2.csv"), "--stratify-by", "district")
    assert result.exit_code == 0, result.output
    from survey_app.design import recorded_design
    design = recorded_design(session, "ebetsu-2025")
    assert design.by_key()["2"].letters == STRATA[2]["letters"] + 2
    refused = designed("invitations", "create", "--survey", "ebetsu-2025", "--frame", str(frame),
                       "--out", str(tmp_path / "letters3.csv"), "--stratify-by", "age_band")
    assert refused.exit_code != 0 and "stratified by district" in refused.output
    without = designed("invitations", "create", "--survey", "ebetsu-2025", "--frame", str(frame),
                       "--out", str(tmp_path / "letters4.csv"))
    assert without.exit_code != 0 and "--stratify-by" in without.output


def test_stratum_sizes_file_and_its_errors(cli, tmp_path, session, instrument):
    sizes = tmp_path / "sizes.csv"
    sizes.write_text("stratum,count\n1,32300\n2,45500\n3,23200\n", encoding="utf-8")
    result = cli("invitations", "create", "--survey", "ebetsu-2025", "--frame", str(write_frame(tmp_path / "f.csv")),
                 "--out", str(tmp_path / "l.csv"), "--stratify-by", "district", "--stratum-sizes", str(sizes))
    assert result.exit_code == 0, result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("stratum,count\n1,abc\n", encoding="utf-8")
    result = cli("invitations", "create", "--survey", "ebetsu-2025", "--frame", str(write_frame(tmp_path / "g.csv")),
                 "--out", str(tmp_path / "m.csv"), "--stratify-by", "district", "--stratum-sizes", str(bad))
    assert result.exit_code != 0 and "line 2" in result.output and "not a number" in result.output


def test_no_margin_for_the_strata_is_one_clear_line(cli, tmp_path, instrument):
    result = cli("invitations", "create", "--survey", "ebetsu-2025", "--frame", str(write_frame(tmp_path / "f.csv")),
                 "--out", str(tmp_path / "l.csv"), "--stratify-by", "district")
    assert result.exit_code != 0 and "--stratum-sizes" in result.output
    assert not (tmp_path / "l.csv").exists()


def test_undeliverable_letters_stay_recorded_in_their_stratum(cli, tmp_path, session, instrument, secret):
    from survey_app.design import recorded_design
    from survey_app.invitations import create_invitations
    from survey_app.letters import mark_undeliverable

    frame = [{"age_band": 1, "sex": 1, "district": d} for d in (1, 1, 2, 3)]
    letters = create_invitations(session, instrument, secret, frame, batch="b1", stratify_by=("district",),
                                 stratum_sizes={"1": 32300, "2": 45500, "3": 23200})
    assert mark_undeliverable(session, instrument, secret, f"{letters[0].code}\n{letters[3].code}\n") == 2
    mark_undeliverable(session, instrument, secret, letters[0].code)  # marked twice: counted once
    design = recorded_design(session, instrument.id).by_key()
    assert (design["1"].letters, design["1"].undeliverable) == (2, 1)
    assert (design["3"].undeliverable, design["2"].undeliverable) == (1, 0)
    assert design["1"].inclusion_probability == pytest.approx(2 / 32300)
