"""Indicators broken down by the language each resident answered in (issue 15): one cell per language,
labelled by its own name from the registry, small languages suppressed like every breakdown."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from analysis import AnalysisError, Options, compute, compute_for_survey
from analysis.breakdown import BY_LOCALE, indicator_masks
from analysis.frame import frame_from_csv, frame_from_database
from survey_app import queries
from survey_app.csvio import CsvError
from survey_app.demo import synthetic_rows
from survey_app.i18n import locales
from survey_app.instrument import bundled_path
from survey_app.population import margins_for
from survey_app.responses import bulk_complete

# The subject is the labels of the language breakdown, not storage: SQLite alone; every statement sent here reaches
# PostgreSQL in another test (tests/support/db.py, checked by tests/support/sql_reach.py).
pytestmark = pytest.mark.databases("sqlite")

UNWEIGHTED = Options(weighting="none", by=(BY_LOCALE,), strict=False)


@pytest.fixture
def demo(session, instrument, load_demo):
    load_demo(instrument, 400, seed=7)
    margins = margins_for(session, instrument.id)
    # The demo's foreign residents are few (a dozen in 400); add residents who answered on LINE in
    # やさしい日本語 and Vietnamese, so that more than one language is large enough to publish.
    extra = synthetic_rows(instrument, margins, 45, seed=11)
    for index, row in enumerate(extra):
        row["_locale"] = "ja-x-easy" if index < 30 else "vi"
    bulk_complete(session, instrument, extra, channel="line", source="invited")


def _by_language(session, instrument, question: str) -> dict[str, np.ndarray]:
    """Each language's answers to ``question``, read straight from the stored responses."""
    responses = queries.complete_responses(session, instrument.id)
    values = {r.response_id: r.code for r in queries.complete_values(session, instrument.id, [question])}
    answers: dict[str, list[float]] = {}
    for response in responses:
        code = values.get(response.id)
        answers.setdefault(response.locale, []).append(np.nan if code is None else float(code))
    return {tag: np.asarray(codes) for tag, codes in answers.items()}


def test_demo_responses_break_down_by_language_with_own_names(session, instrument, demo):
    result = compute_for_survey(session, instrument, UNWEIGHTED)
    spoken = Counter(r.locale for r in queries.complete_responses(session, instrument.id))
    assert len(spoken) >= 3 and spoken[locales.default()] > 100  # a mixed-language sample
    indicator = instrument.indicators[0]
    groups = result.indicator(indicator.id).groups
    assert [g.category for g in groups] == list(instrument.languages)  # every offered language, menu order
    assert [g.label for g in groups] == [locales.native_name(tag) for tag in instrument.languages]
    answers = _by_language(session, instrument, indicator.question)
    published = [g for g in groups if g.flag != "suppressed"]
    assert {g.category for g in published} >= {"ja", "ja-x-easy"} and all(g.by == BY_LOCALE for g in groups)
    for group in published:
        positive, base = indicator_masks(instrument, indicator, answers[group.category])
        assert group.n == int(base.sum())
        assert group.estimate == pytest.approx(100 * positive.sum() / base.sum())
    # The small languages are hidden, and with them enough others that subtraction reveals none.
    hidden = [g.category for g in groups if g.flag == "suppressed"]
    small = [tag for tag in hidden if 0 < spoken[tag] < UNWEIGHTED.thresholds.suppress_below]
    assert small and all(g.n is None and g.estimate is None for g in groups if g.flag == "suppressed")
    assert sum(spoken[tag] for tag in hidden) >= UNWEIGHTED.thresholds.suppress_below
    assert len([tag for tag in hidden if spoken[tag] > 0]) >= 2


def test_labels_stay_the_languages_own_names_in_every_staff_language(session, instrument, demo):
    frame = frame_from_database(session, instrument)
    for lang in locales.staff_locales():
        groups = compute(frame, options=Options(weighting="none", by=(BY_LOCALE,), lang=lang)).indicators[0].groups
        assert {g.category: g.label for g in groups}["ur"] == "اردو"


CSV_HEADER = "age_band,sex,district,nationality,kurashiyasui,kosodate,hatarakiyasui,kyosei,kenko,locale\n"


def _row(i: int, tag: str) -> str:
    answer = 1 + i % 4
    return f"{1 + i % 6},{1 + i % 2},1,1,{answer},{answer},{answer},{answer},{1 + i % 2},{tag}\n"


def test_a_responses_file_may_say_the_language_and_a_wrong_tag_is_refused(bundled_instrument):
    rows = "".join(_row(i, tag) for i, tag in enumerate(["ja"] * 12 + ["vi"] * 12))
    frame = frame_from_csv(CSV_HEADER + rows, bundled_instrument)
    assert frame.locales.tolist() == ["ja"] * 12 + ["vi"] * 12
    assert frame.subset(np.arange(24) >= 12).locales.tolist() == ["vi"] * 12
    groups = compute(frame, options=UNWEIGHTED).indicators[0].groups
    assert {g.category: g.n for g in groups if g.n} == {"ja": 12, "vi": 12}
    with pytest.raises(CsvError, match=r"line 3.*'locale': 'klingon' is not a language tag"):
        frame_from_csv(CSV_HEADER + _row(0, "ja") + _row(1, "klingon"), bundled_instrument)


def test_without_the_language_the_breakdown_is_refused_in_words(bundled_instrument):
    frame = frame_from_csv("age_band,kurashiyasui\n1,1\n2,2\n", bundled_instrument)
    with pytest.raises(AnalysisError, match=r"cannot break down by locale: .*'locale' column"):
        compute(frame, options=UNWEIGHTED)


def test_cli_breaks_down_by_language(cli, tmp_path, bundled_instrument):
    responses = tmp_path / "answers.csv"
    rows = "".join(_row(i, tag) for i, tag in enumerate(["ja"] * 15 + ["ur"] * 15 + ["en"] * 3 + ["vi"] * 9))
    responses.write_text(CSV_HEADER + rows, encoding="utf-8")
    printed = cli("indicators", "--instrument", str(bundled_path()), "--responses", str(responses),
                  "--by", "locale", "--lang", "en")
    assert printed.exit_code == 0, printed.output
    lines = printed.output.splitlines()
    assert any(line.strip().startswith("اردو") and " 15 " in line for line in lines)
    assert any(line.strip().startswith("日本語") for line in lines)
    english = next(line for line in lines if line.strip().startswith("English"))
    assert "suppressed" in english and " 3 " not in english  # 3 respondents: hidden, and Tiếng Việt with it
    assert "suppressed" in next(line for line in lines if line.strip().startswith("Tiếng Việt"))
