"""The analysis frame from CSV files and from the database; the design derived from invitations."""
from __future__ import annotations

import numpy as np
import pytest

from analysis.errors import AnalysisError
from analysis.frame import frame_from_csv, frame_from_database
from analysis.indicators import Options, compute
from analysis.report import document
from analysis.sampling import csv_design, database_design
from analysis.weighting import margins_from_rows
from survey_app.csvio import CsvError
from survey_app.instrument import bundled_path
from survey_app.invitations import create_invitations
from survey_app.population import read_population_csv
from survey_app.responses import bulk_complete

POPULATION = bundled_path().parent / "ebetsu-2025-population.csv"


def test_csv_frame_reads_codes_blanks_and_design_columns(bundled_instrument):
    body = ("kurashiyasui,kosodate,age_band,household_size,kosodate_needs,weight,stratum,psu,fpc\n"
            "1,9,3,2,1;4,10.5,north,a,100\n"
            "4,,6,,,20,north,b,100\n"
            "2,1,1,3,,5,south,c,50\n"
            "2,1,1,3,,5,south,d,50\n")
    frame = frame_from_csv(body, bundled_instrument)
    assert len(frame) == 4
    assert frame.values("kosodate")[:2].tolist()[0] == 9 and np.isnan(frame.values("kosodate")[1])
    assert frame.values("household_size")[0] == 2
    design = csv_design(frame)
    assert design.weights.tolist() == [10.5, 20, 5, 5]
    assert design.stratum_names == ("north", "south") and design.degrees_of_freedom() == 2
    assert design.sampling_fraction.tolist() == pytest.approx([2 / 100, 2 / 50])


@pytest.mark.parametrize(("body", "pattern"), [
    ("kurashiyasui,colour\n1,red\n", r"line 1: Unknown column\(s\): colour"),
    ("kurashiyasui,age_band\n1,3\n7,3\n", r"line 3: 'kurashiyasui': 7 is not a code of this question \(codes: 1, 2"),
    ("kurashiyasui,age_band\n1,x\n", r"line 2: 'age_band': 'x' is not a choice code"),
    ("kurashiyasui,weight\n1,0\n", r"line 2: 'weight': 0 must be a positive number"),
    ("kurashiyasui,stratum\n1,\n", r"line 2: the design column 'stratum' is empty"),
    ("household_size\nmany\n", r"line 2: 'household_size': 'many' is not a number"),
    ("kosodate_needs\n1;8\n", r"line 2: 'kosodate_needs': 8 is not a code"),
])
def test_csv_errors_name_line_and_column(bundled_instrument, body, pattern):
    with pytest.raises(CsvError, match=pattern):
        frame_from_csv(body, bundled_instrument)


def test_csv_without_rows_is_refused(bundled_instrument):
    with pytest.raises(AnalysisError, match="no rows"):
        frame_from_csv("kurashiyasui,age_band\n", bundled_instrument)


def test_all_answers_missing_is_an_error_not_a_number(bundled_instrument):
    frame = frame_from_csv("kurashiyasui,age_band\n" + "9,1\n9,2\n" * 5, bundled_instrument)
    with pytest.raises(AnalysisError, match="indicator 'living': every answer to 'kurashiyasui' is missing"):
        compute(frame, (), Options())
    lenient = compute(frame, (), Options(strict=False))
    assert lenient.indicators[0].estimate is None
    assert lenient.indicators[0].notices[0].code == "no_base"
    assert lenient.indicators[0].notices[0].message("en") == "'living' has no respondent in its base: no estimate."
    assert [n.params["indicator"] for n in lenient.all_notices()] == [i.id for i in lenient.indicators]


def demo_rows(n: int, stratum: bool = False):
    rng = np.random.default_rng(7)
    for i in range(n):
        district = int(rng.integers(1, 4))
        row = {"kurashiyasui": int(rng.integers(1, 5)), "age_band": int(rng.integers(1, 7)),
               "sex": int(rng.integers(1, 3)), "district": district, "kenko": 1 + i % 2,
               "kosodate": (1, 2, 3, 4, 9)[i % 5], "hatarakiyasui": 1 + i % 3, "kyosei": 2 + i % 3}
        if stratum:
            row["_stratum"] = {"district": district}
        yield row


def test_database_frame_holds_complete_responses_as_codes(session, instrument):
    bulk_complete(session, instrument, list(demo_rows(40)), channel="web")
    frame = frame_from_database(session, instrument)
    assert len(frame) == 40
    assert set(np.unique(frame.values("district"))) <= {1.0, 2.0, 3.0}
    assert np.isnan(frame.values("employment")).all()  # never answered in these rows
    assert not frame.sampling["_invited"].any()
    design, notices = database_design(frame)
    assert np.all(design.weights == 1) and [n.code for n in notices] == ["no_recorded_design"]


def test_design_weights_from_the_recorded_design_and_propensity(session, instrument, secret):
    letters = [{"district": d} for d in (1, 2, 3) for _ in range(72)]
    create_invitations(session, instrument, secret, letters, stratify_by=("district",),
                       stratum_sizes={"1": 32300, "2": 45500, "3": 23200})
    rows = list(demo_rows(120, stratum=True))
    bulk_complete(session, instrument, rows, channel="paper", source="invited")
    margins = margins_from_rows(read_population_csv(POPULATION, instrument))
    frame = frame_from_database(session, instrument)
    design, notices = database_design(frame)
    districts = frame.values("district")
    assert design.weights[districts == 1] == pytest.approx(32300 / np.sum(districts == 1))  # N_h / r_h
    assert design.stratum_names == ("district=1", "district=2", "district=3") and notices == ()
    result = compute(frame, margins, Options(weighting="propensity"))
    assert result.weighting == "propensity" and 0 < result.indicators[0].estimate < 100


def test_open_responses_are_kept_apart_from_the_invited_sample(session, instrument, secret):
    create_invitations(session, instrument, secret, [{"district": d} for d in (1, 2, 3) for _ in range(50)],
                       stratify_by=("district",), stratum_sizes={"1": 32300, "2": 45500, "3": 23200})
    bulk_complete(session, instrument, list(demo_rows(60, stratum=True)), channel="paper", source="invited")
    bulk_complete(session, instrument, list(demo_rows(5)), channel="web")
    frame = frame_from_database(session, instrument)
    result = compute(frame, margins_from_rows(read_population_csv(POPULATION, instrument)), Options(weighting="rake"))
    assert result.sample == "invited" and result.n_respondents == 60 and result.open.n_respondents == 5
    assert "open_responses_excluded" in {n.code for n in result.all_notices()}
    assert all(row.n <= 5 for row in result.open.indicators)
    doc = document(result, "en")
    assert doc["open"]["interval"] is None and all("ci_low" not in row for row in doc["open"]["indicators"])
    # five self-selected residents are a small group: their shares are withheld, as a breakdown's would be
    assert all((row["share"], row["n_positive"], row["flag"]) == (None, None, "suppressed")
               for row in doc["open"]["indicators"] if row["n"])


def test_compute_for_survey_for_pages_and_the_api(session, instrument):
    from analysis import compute_for_survey
    from survey_app.population import replace_margins

    replace_margins(session, instrument.id, read_population_csv(POPULATION, instrument))
    bulk_complete(session, instrument, list(demo_rows(200, stratum=True)), channel="web", source="invited")
    result = compute_for_survey(session, instrument, Options("rake", by=("district",), lang="en", strict=False))
    assert result.weighting == "rake" and result.n_respondents == 200
    assert result.margins == ("age_band", "district", "sex")  # the margins the weighting used
    assert result.indicators[0].title.startswith("Share of residents")
    assert result.indicators[0].groups[0].label == "Ebetsu (江別) area"
    with pytest.raises(ValueError, match="unknown interval method"):
        compute_for_survey(session, instrument, Options(ci="normal"))
