"""Suppression that holds: an attacker subtracting published figures recovers no hidden group."""
from __future__ import annotations

import numpy as np
import pytest

from analysis.frame import frame_from_csv
from analysis.indicators import Options, compute
from analysis.report import document, table_rows
from analysis.suppression import hidden_groups, hidden_rows
from analysis.weighting import margins_from_rows
from survey_app.instrument import bundled_path
from survey_app.population import read_population_csv

POPULATION = bundled_path().parent / "ebetsu-2025-population.csv"


def responses(seed: int = 4) -> str:
    """District 3 has 6 respondents (5 agree); age band 1 has 4; everyone gave district and age."""
    rng = np.random.default_rng(seed)
    rows = ["kurashiyasui,kosodate,hatarakiyasui,kyosei,kenko,age_band,sex,district"]
    for i in range(300):
        district = 3 if i < 6 else 1 + i % 2
        age = 1 if 6 <= i < 10 else 2 + i % 5
        agree = (1 if i < 5 else 4) if i < 6 else int(rng.integers(1, 5))
        rows.append(f"{agree},{1 + i % 4},{1 + i % 3},{2 + i % 3},{1 + i % 2},{age},{1 + i % 2},{district}")
    return "\n".join(rows) + "\n"


def attack(doc: dict) -> list[str]:
    """Everything subtraction recovers: (indicator, breakdown) pairs that give a hidden group away.

    The attacker knows the overall n and number of positives, every published group's n and
    share, and that every respondent is in exactly one group (no missing breakdown answers).
    A hidden group is recovered when it is the only hidden one, or when the hidden groups
    together are all positive or all negative (every hidden respondent's answer is then known).
    """
    recovered = []
    for ind in doc["indicators"]:
        for by in {g["by"] for g in ind["groups"]}:
            groups = [g for g in ind["groups"] if g["by"] == by]
            hidden = [g for g in groups if g["n"] is None]
            if not hidden:
                continue
            rest_n = ind["n"] - sum(g["n"] for g in groups if g["n"] is not None)
            rest_positive = ind["n_positive"] - sum(round(g["estimate"] * g["n"] / 100) for g in groups
                                                    if g["n"] is not None)
            if rest_n > 0 and (len(hidden) == 1 or rest_positive in (0, rest_n) or rest_n == len(hidden)):
                recovered.append(f"{ind['id']} by {by}: {rest_n} respondents, {rest_positive} positive")
    return recovered


@pytest.fixture(scope="module")
def frame(request):
    from survey_app.instrument import load_instrument

    return frame_from_csv(responses(), load_instrument(bundled_path()))


def test_primary_suppression_alone_would_be_undone():
    sizes, positives = [150, 144, 6], [70, 60, 5]
    assert hidden_groups(sizes, positives, 10) == {2, 1}  # the complement: the smallest other group
    assert hidden_groups([150, 144, 0], [70, 60, 0], 10) == {2}  # an empty group needs no complement


def test_two_small_groups_that_answered_alike_are_protected_in_a_cross_table():
    # Rows: groups; columns: answers 1..3. Groups 2 and 3 (3 and 4 respondents) are both hidden by the
    # primary rule, but everyone in them chose answer 1: total − the published groups would say so.
    sizes = [120, 90, 3, 4]
    columns = [[40, 40, 40], [30, 30, 30], [3, 0, 0], [4, 0, 0]]
    hidden = hidden_rows(sizes, columns, 10)
    assert hidden == {1, 2, 3}
    together = [sum(columns[i][j] for i in hidden) for j in range(3)]
    assert sum(sizes[i] for i in hidden) >= 10 and max(together) < sum(sizes[i] for i in hidden)


def test_a_multiple_choice_column_everybody_hidden_chose_is_not_given_away():
    # Overlapping columns (multi-choice): the two hidden groups all ticked answer 1, some also answer 2.
    sizes = [100, 6, 5]
    columns = [[50, 50], [6, 2], [5, 1]]
    assert hidden_rows(sizes, columns, 10) == {0, 1, 2}  # nothing else can break the tie: all hidden


def test_the_yes_no_rule_is_the_two_column_case():
    sizes, positives = [150, 144, 6], [70, 60, 5]
    assert hidden_groups(sizes, positives, 10) == hidden_rows(sizes, [[70, 80], [60, 84], [5, 1]], 10)


@pytest.mark.parametrize("weighting", ["none", "rake"])
def test_every_published_view_resists_subtraction(frame, weighting):
    margins = margins_from_rows(read_population_csv(POPULATION, frame.instrument))
    result = compute(frame, margins, Options(weighting=weighting, by=("district", "age_band", "sex"), lang="en",
                                             min_cell=1))
    doc = document(result, "en")
    hidden = {(ind["id"], g["by"], g["category"]) for ind in doc["indicators"] for g in ind["groups"]
              if g["n"] is None}
    assert ("living", "district", 3) in hidden and ("living", "age_band", 1) in hidden
    assert attack(doc) == []
    # the CSV/XLSX table (CLI and staff exports) and the text table render the same rows: nothing hidden
    # in the document is shown there
    table = list(table_rows(result, "en"))
    for ind in doc["indicators"]:
        for g in ind["groups"]:
            if g["n"] is None:
                cells = next(r for r in table if r[:4] == [ind["id"], ind["title"], g["by"], g["category"]])
                assert cells[5:11] == ["", "", "", "", "", ""]


def blanks_attack(doc: dict, indicator: str, below: int = 10) -> list[str]:
    """Subtraction when some respondents left the breakdown question blank: the overall line minus
    the published groups is the hidden groups and the blanks together; it gives someone away when
    it is small, when it answered alike, or when it is a single group (nothing hidden: the blanks)."""
    recovered = []
    for ind in (i for i in doc["indicators"] if i["id"] == indicator):
        for by in {g["by"] for g in ind["groups"]}:
            shown = [g for g in ind["groups"] if g["by"] == by and g["n"] is not None]
            hidden = [g for g in ind["groups"] if g["by"] == by and g["n"] is None and g.get("flag") != "empty"]
            rest_n = ind["n"] - sum(g["n"] for g in shown)
            rest_positive = ind["n_positive"] - sum(round(g["estimate"] * g["n"] / 100) for g in shown)
            if rest_n > 0 and (rest_n < below or rest_positive in (0, rest_n) or not hidden):
                recovered.append(f"{ind['id']} by {by}: {rest_n} respondents, {rest_positive} positive")
    return recovered


def _with_other_indicators(rows: list[str]) -> str:
    """``kurashiyasui,nationality`` rows; the other indicators' questions answered 1 by everybody
    (their figures, 100 % everywhere, give nothing away that the overall line does not)."""
    return "\n".join(["kurashiyasui,nationality,kosodate,hatarakiyasui,kyosei,kenko",
                      *(f"{row},1,1,1,1" for row in rows)]) + "\n"


def test_respondents_who_left_the_breakdown_blank_are_protected_too():
    """12 Japanese (6 agree), 10 not (5 agree), 3 blank (all agree): both groups were published, and the
    overall line minus them gave the three blanks' answers (the security review's case)."""
    from survey_app.instrument import load_instrument

    rows = ["1,1"] * 6 + ["4,1"] * 6 + ["1,2"] * 5 + ["4,2"] * 5 + ["1,"] * 3
    frame = frame_from_csv(_with_other_indicators(rows), load_instrument(bundled_path()))
    doc = document(compute(frame, (), Options(by=("nationality",), lang="en")), "en")
    living = next(ind for ind in doc["indicators"] if ind["id"] == "living")
    assert (living["n"], living["n_positive"]) == (25, 14)
    assert [g["n"] for g in living["groups"] if g["category"] in (1, 2)] == [12, None]  # 10 hidden with the blanks
    assert blanks_attack(doc, "living") == []


def test_a_blank_group_of_ten_or_more_needs_no_protection():
    from survey_app.instrument import load_instrument

    rows = ["1,1"] * 6 + ["4,1"] * 6 + ["1,2"] * 5 + ["4,2"] * 5 + ["1,", "4,"] * 6
    frame = frame_from_csv(_with_other_indicators(rows), load_instrument(bundled_path()))
    doc = document(compute(frame, (), Options(by=("nationality",), lang="en")), "en")
    living = next(ind for ind in doc["indicators"] if ind["id"] == "living")
    assert [g["n"] for g in living["groups"] if g["category"] in (1, 2)] == [12, 10]


def test_the_attack_finds_what_primary_suppression_alone_leaves(frame, monkeypatch):
    """The attacker is real: without the complement it gets the issue's "6 respondents, 5 positive" back."""
    import analysis.breakdown

    monkeypatch.setattr(analysis.breakdown, "hidden_groups",
                        lambda sizes, _positives, below: {i for i, n in enumerate(sizes) if n < below})
    doc = document(compute(frame, (), Options(by=("district",), lang="en")), "en")
    assert "living by district: 6 respondents, 5 positive" in attack(doc)
