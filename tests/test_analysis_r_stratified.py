"""Agreement with R survey 4.1.1 on a stratified sample with UNEQUAL design weights (issue 12).

``apiclus1`` has one constant weight, so it cannot reveal an error in how weights enter the
calibration or its variance. ``apistrat`` is stratified by school type with unequal
allocation (100 / 50 / 50 schools of 4421 / 755 / 1018: weights 44.21, 15.1, 20.36) and an
fpc. Raked to three population margins, the estimates, SEs and domain SEs must equal R's
``calibrate(..., calfun = "raking")`` to 1e-6 relative. The numbers come from
``tests/r/apistrat_calibrate.R`` (its output beside it, ``apistrat_calibrate.out``).

R's ``rake()`` gives the same weights but a different SE (6.3461 against 6.2773 for the mean
of api00, +1.1 %): it linearises margin by margin (iterated ``postStratify``), not by the
joint regression on all calibration variables that ``calibrate`` — and Machikoe — use.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.design import SamplingDesign
from analysis.estimate import WeightedSample, mean, proportion
from analysis.weighting import WeightingInput, margin, rake

DATA = Path(__file__).parent / "data"
RELATIVE = 1e-6
YES_NO = {"No": 1, "Yes": 2}


@pytest.fixture(scope="module")
def apistrat() -> pd.DataFrame:
    frame = pd.read_csv(DATA / "apistrat.csv")
    frame["meals.high"] = np.where(frame.meals > 50, "Yes", "No")
    return frame


@pytest.fixture(scope="module")
def calibrated(apistrat) -> WeightedSample:
    population = pd.read_csv(DATA / "apipop.csv")
    population["meals.high"] = np.where(population.meals > 50, "Yes", "No")
    dims = ("sch.wide", "comp.imp", "meals.high")
    margins = tuple(margin(d, {YES_NO[k]: float(v) for k, v in population[d].value_counts().items()}) for d in dims)
    data = pd.DataFrame({d: apistrat[d].map(YES_NO).astype(float) for d in dims})
    design = SamplingDesign.build(len(apistrat), weights=apistrat.pw, strata=apistrat.stype, fpc=apistrat.fpc)
    result = rake(WeightingInput(data, design.weights, margins))
    assert result.max_error <= 1e-10
    return WeightedSample(result.weights, design, result.calibration)


def test_design_weights_are_unequal_and_so_are_the_calibrated_ones(apistrat, calibrated):
    assert sorted(np.unique(np.round(apistrat.pw, 2))) == [15.1, 20.36, 44.21]
    assert calibrated.weights.min() == pytest.approx(10.126581281433, rel=RELATIVE)
    assert calibrated.weights.max() == pytest.approx(68.533107115530, rel=RELATIVE)


def test_stratified_design_mean_with_fpc(apistrat):
    design = SamplingDesign.build(len(apistrat), weights=apistrat.pw, strata=apistrat.stype, fpc=apistrat.fpc)
    est = mean(WeightedSample(design.weights, design), apistrat.api00.to_numpy(float))
    assert (est.estimate, est.se) == pytest.approx((662.287363159321, 9.408940802785), rel=RELATIVE)


def test_raked_mean_and_se_equal_calibrate_raking(apistrat, calibrated):
    est = mean(calibrated, apistrat.api00.to_numpy(float))
    assert (est.estimate, est.se) == pytest.approx((660.683179172709, 6.277298824646), rel=RELATIVE)


def test_raked_share_and_se(apistrat, calibrated):
    high = (apistrat.api00 > 700).to_numpy()
    est = proportion(calibrated, high, np.ones(len(high), dtype=bool))
    assert (est.estimate, est.se) == pytest.approx((0.397894304662, 0.028159799493), rel=RELATIVE)


@pytest.mark.parametrize(("stype", "estimate", "se"), [("E", 671.400912083152, 8.705915682615),
                                                       ("H", 627.286971972989, 16.330353981762),
                                                       ("M", 635.532047161463, 16.659781170502)])
def test_domain_means_and_ses_equal_svyby(apistrat, calibrated, stype, estimate, se):
    est = mean(calibrated, apistrat.api00.to_numpy(float), domain=(apistrat.stype == stype).to_numpy())
    assert (est.estimate, est.se) == pytest.approx((estimate, se), rel=RELATIVE)


@pytest.mark.parametrize(("awards", "estimate", "se"), [("No", 0.300308305356, 0.050294371043),
                                                        ("Yes", 0.440140552076, 0.040508704798)])
def test_domain_shares_and_ses_equal_svyby(apistrat, calibrated, awards, estimate, se):
    high = (apistrat.api00 > 700).to_numpy()
    est = proportion(calibrated, high, np.ones(len(high), dtype=bool), domain=(apistrat.awards == awards).to_numpy())
    assert (est.estimate, est.se) == pytest.approx((estimate, se), rel=RELATIVE)


def test_rake_differs_from_calibrate_in_its_se_only(apistrat, calibrated):
    """R's rake(): same estimate 660.683179172713, SE 6.346095577800 — not what is matched."""
    est = mean(calibrated, apistrat.api00.to_numpy(float))
    assert est.estimate == pytest.approx(660.683179172713, rel=RELATIVE)
    assert est.se / 6.346095577800 - 1 == pytest.approx(6.277298824646 / 6.346095577800 - 1, abs=1e-6)
