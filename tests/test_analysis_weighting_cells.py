"""Joint cells from one key per respondent equal the per-margin coding, errors included."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import MarginError
from analysis.weighting import margin
from analysis.weighting.cells import _per_margin, code_respondents

AGE = margin("age", {a: 100.0 * a for a in range(1, 5)})
SEX = margin("sex", {1: 480.0, 2: 520.0})
AGE_SEX = margin(("age", "sex"), {(a, s): 50.0 + a + s for a in range(1, 5) for s in (1, 2)})
DISTRICT = margin("district", {d: 90.0 + d for d in (-2, -1, 0, 1, 2)})


def respondents(n: int, seed: int, *, floats: bool) -> pd.DataFrame:
    """Codes as the frame gives them (floats with blanks) or as integers; 3 = 'other' for sex."""
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({"age": rng.integers(1, 5, n), "sex": rng.integers(1, 4, n),
                         "district": rng.integers(-2, 3, n)})
    if floats:
        data = data.astype(float)
        data.loc[rng.random(n) < 0.05, "age"] = np.nan
    return data


def assert_same_coding(data: pd.DataFrame, margins, missing) -> None:
    weights = np.random.default_rng(7).uniform(0.5, 2.0, len(data))
    codings, cells = code_respondents(data, margins, weights, missing)
    expected_codings, expected = _per_margin(data, margins, weights, missing)
    np.testing.assert_array_equal(cells.codes, expected.codes)
    np.testing.assert_array_equal(cells.of_respondent, expected.of_respondent)
    # several keys may share a cell (a blank and a missing code): the same sum, added in another order
    np.testing.assert_allclose(cells.weights, expected.weights, rtol=1e-14, atol=0)
    for coding, other in zip(codings, expected_codings, strict=True):
        assert coding.n_missing == other.n_missing
        np.testing.assert_array_equal(coding.index, other.index)


@pytest.mark.parametrize("floats", [False, True])
@pytest.mark.parametrize("margins", [(AGE, SEX, DISTRICT), (AGE_SEX, DISTRICT), (AGE_SEX, AGE, SEX)])
def test_one_key_per_respondent_codes_like_each_margin_alone(floats: bool, margins) -> None:
    assert_same_coding(respondents(3000, 11, floats=floats), margins, {"sex": frozenset({3})})


def test_a_single_margin_without_missing_codes() -> None:
    data = respondents(500, 3, floats=False)
    assert_same_coding(data[data["sex"] < 3], (SEX,), {})


@pytest.mark.parametrize("floats", [False, True])
def test_a_code_no_margin_lists_names_the_first_respondent_who_gave_it(floats: bool) -> None:
    data = respondents(400, 5, floats=floats)
    data.loc[[17, 230], "age"] = [9, 8]
    margins = (AGE, SEX)
    weights = np.ones(len(data))
    with pytest.raises(MarginError) as ours:
        code_respondents(data, margins, weights, {"sex": frozenset({3})})
    with pytest.raises(MarginError) as theirs:
        _per_margin(data, margins, weights, {"sex": frozenset({3})})
    assert str(ours.value) == str(theirs.value)
    assert "no category 9" in str(ours.value)


def test_a_variable_nobody_gave_and_a_missing_column_are_named() -> None:
    data = respondents(200, 2, floats=True)
    data["sex"] = np.nan
    with pytest.raises(MarginError, match="no respondent gave 'sex'"):
        code_respondents(data, (AGE, SEX), np.ones(len(data)), {})
    with pytest.raises(MarginError, match="no column 'district'"):
        code_respondents(data.drop(columns="district"), (AGE, DISTRICT), np.ones(len(data)), {})


def every_combination(n: int, seed: int) -> pd.DataFrame:
    """Every age × sex × district answered, no missing code: each key is its own cell."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"age": rng.integers(1, 5, n), "sex": rng.integers(1, 3, n),
                         "district": rng.integers(-2, 3, n)})


@pytest.mark.parametrize("margins", [(AGE, SEX, DISTRICT), (AGE_SEX, DISTRICT)])
def test_when_every_key_is_its_own_cell_the_key_is_the_cell(margins) -> None:
    data = every_combination(2000, 4)
    assert_same_coding(data, margins, {})
    _, cells = code_respondents(data, margins, np.ones(len(data)), {})
    assert len(cells.codes) == 4 * 2 * 5
    assert cells.of_respondent.dtype == np.intp


def test_the_cells_never_share_memory_with_the_callers_columns() -> None:
    """A single integer variable starting at 0 is its own key: it must still be a copy, or a later
    change to the caller's frame would move respondents between cells of a finished weighting."""
    data = pd.DataFrame({"district": np.random.default_rng(1).integers(0, 3, 300)})
    district = margin("district", {0: 10.0, 1: 20.0, 2: 30.0})
    _, cells = code_respondents(data, (district,), np.ones(len(data)), {})
    np.testing.assert_array_equal(cells.of_respondent, data["district"].to_numpy())
    assert not np.shares_memory(cells.of_respondent, data["district"].to_numpy())


def test_very_large_codes_are_shifted_before_the_key_is_made() -> None:
    """Codes near 10¹⁵ (an identifier used as a code): Σ code · stride would overflow int64."""
    rng = np.random.default_rng(9)
    big = 10**15
    data = pd.DataFrame({"age": rng.integers(1, 5, 1000), "sex": rng.integers(1, 3, 1000) + big})
    sex = margin("sex", {big + 1: 480.0, big + 2: 520.0})
    assert_same_coding(data, (AGE, sex), {})
    assert_same_coding(data.iloc[:, ::-1], (sex, AGE), {})
