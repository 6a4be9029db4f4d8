"""The typed result's renderers: notice registry and catalogs, JSON document, footnotes, the one table."""
from __future__ import annotations

from dataclasses import replace

import pytest

from analysis import GroupResult, IndicatorResult, Notice, SurveyResult, Target, Thresholds, YearValue
from analysis.notices import MESSAGES
from analysis.report import document, footnotes, render_table, table_rows
from survey_app.i18n.catalogs import get_translations

PARAMS = {"n": 4, "dimension": "sex", "gap": 0.0123, "reference": "age_band", "total": 119000.0, "lower": 0.3,
          "upper": 3.0, "error": 0.0042, "used": "age_band:sex", "ignored": "district", "cell": "district=2",
          "indicator": "living", "estimate": 1.0, "strata": "district=2", "covariates": "age_band, sex",
          "n_open": 300, "merged": "district=3→2", "dropped": "age_band:sex", "year": 2023, "what": "base",
          "baseline": "all", "figure": "valid", "min_cell": 20, "ratio": 12.5, "limit": 10.0, "design": 612.0,
          "group": "district=3", "margin": "sex"}
TRANSLATED = ("ja", "vi", "ur")
DEFAULT = Thresholds()


def result(thresholds: Thresholds = DEFAULT, weighting: str = "rake") -> SurveyResult:
    groups = (GroupResult("age_band", 1, "18〜29歳", None, None, None, None, "suppressed"),
              GroupResult("age_band", 2, "30〜39歳", 70.0, 60.0, 79.0, 40, "caution"))
    living = IndicatorResult("living", "Living", "valid", 78.333333, 1.2, 75.04, 81.26, 95, 74, 80.44, 1.181,
                             YearValue(78.3, 2023), Target(80.0, 2029, 1.666667), None, groups,
                             (Notice("degenerate_interval", {"indicator": "living", "estimate": 1.0}),))
    return SurveyResult("s", weighting, "beta", 0.9, 100, (living,),
                        notices=(Notice("trimmed", {"lower": 0.3, "upper": 3.0, "n": 2}),),
                        margins=("age_band", "sex:district") if weighting != "none" else (), thresholds=thresholds)


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_notice_code_has_a_message_in_every_language(code):
    params = {k: v for k, v in PARAMS.items() if f"%({k})" in MESSAGES[code]}
    english = Notice(code, params).message("en")
    assert "%(" not in english
    for locale in TRANSLATED:
        assert get_translations(locale).find(MESSAGES[code]), f"{code} has no {locale} translation"
        assert Notice(code, params).message(locale) != english


def test_an_unknown_notice_code_is_refused():
    with pytest.raises(KeyError, match="unknown notice code"):
        Notice("something_new")


def test_document_keeps_the_issue6_keys_and_adds_notices_in_the_language_asked():
    english, urdu = document(result(), "en"), document(result(), "ur")
    assert list(english) == ["survey", "sample", "weighting", "weighting_applied", "ci_method", "level",
                             "n_respondents", "indicators", "open", "notices", "warnings"]
    assert [n["code"] for n in english["notices"]] == ["trimmed", "degenerate_interval"]
    assert english["notices"][0]["message"] == "Weights trimmed to [0.3, 3] (2 weight(s) outside, strict)."
    assert english["warnings"] == [n["message"] for n in english["notices"]]
    assert [n["code"] for n in urdu["notices"]] == ["trimmed", "degenerate_interval"]
    assert urdu["notices"][0]["message"] != english["notices"][0]["message"]
    living = english["indicators"][0]
    assert living["estimate"] == 78.333333 and living["target"] == {"value": 80.0, "year": 2029, "distance": 1.666667}
    assert living["change_vs_baseline"] is None and living["groups"][0]["flag"] == "suppressed"


def test_footnotes_name_the_margins_and_thresholds_actually_used():
    notes = footnotes(result(Thresholds(caution_below=80, suppress_below=50)), "en")
    assert "Weighted by raking to the population margins (age_band, sex:district); the intervals account for the " \
           "weighting." in notes
    assert "Interval: 90% confidence interval by the Korn–Graubard (beta) method." in notes
    assert "Groups with fewer than 50 respondents are not shown, nor as many other groups as needed so that none " \
           "can be recovered by subtraction; fewer than 80: interpret with caution." in notes
    assert footnotes(result(weighting="none"), "ja")[2] == "重み付けなし：すべての回答を同じ重みで集計。"
    open_notes = footnotes(replace(result(weighting="none"), sample="open"), "en")  # no interval: none described
    assert not any(note.startswith("Interval:") for note in open_notes)
    assert any("no interval" in note for note in open_notes)


def test_the_one_table_flags_with_the_thresholds_used_and_ends_with_notes():
    rows = list(table_rows(result(Thresholds(caution_below=80, suppress_below=50)), "en"))
    assert len(rows[0]) == 19 and all(len(r) == 19 for r in rows[1:4])  # Kish effective n beside effective n
    assert rows[2][-1] == "suppressed (fewer than 50 respondents, or hidden with such a group)"
    assert rows[3][-1] == "interpret with caution (fewer than 80 respondents)"
    assert rows[4] == [] and rows[-1] == ["Warning: 'living' is 100% in its base: the interval is the exact "
                                          "(Clopper–Pearson) interval on the Kish effective sample size."]
    japanese = list(table_rows(result(), "ja"))
    assert japanese[2][-1] == "非表示（回答者10人未満、またはその区分と併せて非表示）"


def test_text_table_in_vietnamese():
    text = render_table(result(), "vi", "Khảo sát")
    assert text.startswith("Khảo sát: các chỉ số (100 người trả lời)")
    assert "Cảnh báo:" in text and "không hiển thị (dưới 10 người trả lời, hoặc ẩn cùng một nhóm như vậy)" in text


def test_a_tie_is_rounded_up_in_every_table():
    """56.25 % (225 of 400) was 56.2 in the CSV and the terminal table (Python rounds to even)."""
    from dataclasses import replace

    from analysis.report import render_table

    tied = replace(result(), indicators=(replace(result().indicators[0], estimate=56.25, ci_low=51.25, ci_high=61.15),))
    row = list(table_rows(tied, "en"))[1]
    assert row[5:8] == [56.3, 51.3, 61.2]
    table = render_table(tied, "en", "s")
    assert "56.3" in table and "[51.3, 61.2]" in table
