"""The weighting fallback (issue 11): collapse sparse categories → post-stratify → design weights."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import MarginError
from analysis.fallback import weigh_with_fallback
from analysis.weighting import WeightingInput, margin

AGE = margin("age_band", {1: 300, 2: 300, 3: 400})
SEX = margin("sex", {1: 480, 2: 520})


def sample(ages, sexes, margins=(AGE, SEX)) -> WeightingInput:
    data = pd.DataFrame({"age_band": np.array(ages, float), "sex": np.array(sexes, float)})
    return WeightingInput(data, np.ones(len(ages)), margins)


def test_margins_that_can_be_met_are_not_touched():
    result = weigh_with_fallback("rake", sample([1, 2, 3, 1, 2, 3], [1, 2, 1, 2, 1, 2]))
    assert result.notices == () and result.weights.sum() == pytest.approx(1000)


def test_an_empty_category_is_merged_with_its_neighbour_and_named():
    result = weigh_with_fallback("rake", sample([1, 1, 3, 3, 1, 3], [1, 2, 1, 2, 2, 1]))
    notice = result.notices[0]
    assert (notice.code, notice.params["step"]) == ("weighting_fallback", "collapsed")
    assert notice.params["merged"] == "age_band=2→3"
    ages = np.array([1, 1, 3, 3, 1, 3])
    assert result.weights[ages == 3].sum() == pytest.approx(700)  # 300 + 400: the merged cell's population
    assert "age_band=2→3" in notice.message("en") and "統合" in notice.message("ja")


def test_contradicting_margins_post_stratify_on_what_can_be_met():
    """Age band fixes sex (structural zeros) and the sex totals contradict the age totals."""
    result = weigh_with_fallback("rake", sample([1, 1, 2, 2, 3, 3], [1, 1, 1, 1, 2, 2]))
    notice = result.notices[0]
    assert notice.params["step"] == "poststratified" and notice.params["used"] == "age_band"
    assert result.weights.sum() == pytest.approx(1000)


def test_nothing_usable_leaves_the_design_weights():
    result = weigh_with_fallback("rake", sample([1, 2], [1, 2], margins=()))
    assert result.notices[0].params["step"] == "design" and np.all(result.weights == 1)


def test_strict_refuses_margins_that_contradict_the_data():
    wrong = margin("age_band", {1: 500, 2: 500})  # respondents answered 3, which the margin lacks
    with pytest.raises(MarginError, match="has no category 3"):
        weigh_with_fallback("rake", sample([1, 2, 3], [1, 2, 1], margins=(wrong,)), strict=True)
    lenient = weigh_with_fallback("rake", sample([1, 2, 3], [1, 2, 1], margins=(wrong,)))
    assert lenient.notices[0].params["step"] == "design"
