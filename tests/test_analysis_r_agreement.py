"""Agreement with R's survey package (Lumley), version 4.1.1, on data(api) — issue 6, part 7.

The reference numbers (quoted in issue 6, from R) correspond to:

    dclus1 <- svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1)
    svymean(~api00, dclus1)
    rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
         control=list(maxit=100, epsilon=1e-12))               # raked to convergence
    postStratify(dclus1, ~stype+sch.wide, xtabs(~stype+sch.wide, apipop))
    dclus1n <- svydesign(id=~dnum, fpc=~fpc, data=apiclus1)    # no weights: from fpc
    svyciprop(~I(ell==0), dclus1n, method="logit"); ... method="beta"

In apiclus1, ``fpc`` is the number of school districts (PSUs) in the population (757).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.design import SamplingDesign
from analysis.estimate import WeightedSample, mean, proportion
from analysis.weighting import WeightingInput, margin, poststratify, rake

DATA = Path(__file__).parent / "data"
RELATIVE = 1e-6
STYPE = {"E": 1, "H": 2, "M": 3}
YES_NO = {"No": 1, "Yes": 2}


@pytest.fixture(scope="module")
def apiclus1() -> pd.DataFrame:
    return pd.read_csv(DATA / "apiclus1.csv")


@pytest.fixture(scope="module")
def dclus1(apiclus1) -> SamplingDesign:
    return SamplingDesign.build(len(apiclus1), weights=apiclus1.pw, psu=apiclus1.dnum, fpc=apiclus1.fpc)


def codes(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"stype": frame.stype.map(STYPE), "sch.wide": frame["sch.wide"].map(YES_NO)})


def test_cluster_design_mean(apiclus1, dclus1):
    est = mean(WeightedSample(dclus1.weights, dclus1), apiclus1.api00.to_numpy(float))
    assert est.estimate == pytest.approx(644.1693989071, rel=RELATIVE)
    assert est.se == pytest.approx(23.5422406938, rel=RELATIVE)
    assert est.df == 14


def test_raked_mean_and_calibrated_se(apiclus1, dclus1):
    margins = (margin("stype", {1: 4421, 2: 755, 3: 1018}), margin("sch.wide", {1: 1072, 2: 5122}))
    result = rake(WeightingInput(codes(apiclus1), dclus1.weights, margins))
    est = mean(WeightedSample(result.weights, dclus1, result.calibration), apiclus1.api00.to_numpy(float))
    assert est.estimate == pytest.approx(641.2303209268, rel=RELATIVE)
    assert est.se == pytest.approx(23.7036168879, rel=RELATIVE)
    assert result.max_error <= 1e-10


def test_poststratified_on_joint_population_table(apiclus1, dclus1):
    population = codes(pd.read_csv(DATA / "apipop.csv")).value_counts().to_dict()
    cells = margin(("stype", "sch.wide"), population)
    result = poststratify(WeightingInput(codes(apiclus1), dclus1.weights, (cells,)))
    est = mean(WeightedSample(result.weights, dclus1, result.calibration), apiclus1.api00.to_numpy(float))
    assert est.estimate == pytest.approx(643.1504097750, rel=RELATIVE)
    assert est.se == pytest.approx(22.8300289150, rel=RELATIVE)
    assert result.weights.sum() == pytest.approx(6194)


@pytest.mark.parametrize(("method", "low", "high"), [
    ("logit", 0.0023046913, 0.1777477665),
    ("beta", 0.0002161468, 0.1375077639),
])
def test_svyciprop_intervals_weights_from_fpc(apiclus1, method, low, high):
    design = SamplingDesign.build(len(apiclus1), psu=apiclus1.dnum, fpc=apiclus1.fpc)
    assert design.weights == pytest.approx(np.full(len(apiclus1), 757 / 15))
    est = proportion(WeightedSample(design.weights, design), (apiclus1.ell == 0).to_numpy(),
                     np.ones(len(apiclus1), dtype=bool), method=method)
    assert est.estimate == pytest.approx(0.0218579235, rel=RELATIVE)
    assert est.ci_low == pytest.approx(low, rel=RELATIVE)
    assert est.ci_high == pytest.approx(high, rel=RELATIVE)


def test_stratified_design_matches_published_output():
    """``svymean(~api00, dstrat)`` as printed in the package's documentation: 662.29 (SE 9.4089)."""
    apistrat = pd.read_csv(DATA / "apistrat.csv")
    design = SamplingDesign.build(len(apistrat), weights=apistrat.pw, strata=apistrat.stype, fpc=apistrat.fpc)
    est = mean(WeightedSample(design.weights, design), apistrat.api00.to_numpy(float))
    assert est.estimate == pytest.approx(662.29, abs=0.005)
    assert est.se == pytest.approx(9.4089, abs=0.00005)
    assert est.df == 200 - 3


def test_domain_estimate_keeps_the_full_design(apiclus1, dclus1):
    """A share within a group equals the weighted share, and its variance uses all PSUs."""
    elementary = (apiclus1.stype == "E").to_numpy()
    yes = (apiclus1["sch.wide"] == "Yes").to_numpy()
    est = proportion(WeightedSample(dclus1.weights, dclus1), yes, np.ones(len(apiclus1), bool), elementary)
    assert est.estimate == pytest.approx(yes[elementary].mean())
    assert est.n == elementary.sum()
    assert est.se > 0
