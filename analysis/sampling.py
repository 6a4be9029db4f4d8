"""From a frame to its sampling design and, for propensity weighting, its invited sample.

CSV frames carry their design in the columns ``weight``, ``stratum``, ``psu``, ``fpc``.

Database frames take it from what was *recorded* when the letters were made
(:mod:`survey_app.design`), never from attribute heuristics. The frame given here is the
invited sample (responses that came with a letter's code). An invited respondent in
sampling stratum h gets the design weight ``N_h / r_h`` (r_h: complete invited responses
of the stratum): the letters' inclusion probability n_h/N_h adjusted for non-response
within the stratum, i.e. respondents treated as a stratified random sample of their
stratum, with fpc N_h — R's ``svydesign(ids=~1, strata=~h, fpc=~N_h)`` on the
respondents. A stratum with letters but no respondent yet is named in a notice (its
population is then carried only by calibration). Without a recorded design the sample is
analysed as a simple random sample with equal weights, and a ``no_recorded_design``
notice says so.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from analysis.design import SamplingDesign
from analysis.frame import Frame
from analysis.notices import Notice

UNRECORDED = "unrecorded"


def csv_design(frame: Frame) -> SamplingDesign:
    d = frame.design
    return SamplingDesign.build(len(frame), weights=d.get("weight"), strata=d.get("stratum"),
                                psu=d.get("psu"), fpc=d.get("fpc"))


def _deliverable(frame: Frame) -> pd.DataFrame:
    inv = frame.invitations
    if inv is None or inv.empty:
        return pd.DataFrame()
    return inv.loc[~inv["_undeliverable"]]


def stratum_variables(frame: Frame) -> list[str]:
    """Variables present on every deliverable invitation's stratum."""
    inv = _deliverable(frame)
    if inv.empty:
        return []
    return [c for c in inv.columns if not c.startswith("_") and inv[c].notna().all()]


def database_design(frame: Frame) -> tuple[SamplingDesign, tuple[Notice, ...]]:
    """The recorded design of the invited respondents in ``frame`` (see module docstring)."""
    n = len(frame)
    recorded = frame.recorded
    if recorded is None:
        return SamplingDesign.build(n), (Notice("no_recorded_design", {}),)
    known = recorded.by_key()
    rows = frame.sampling.to_dict("records") if frame.sampling is not None else [{}] * n
    found = (recorded.stratum_of(row) for row in rows)
    keys = [k if k is not None and k in known else UNRECORDED for k in found]
    respondents = Counter(keys)
    population_total = sum(s.population for s in known.values())
    recorded_n = n - respondents.get(UNRECORDED, 0)
    # Responses whose letter carries no recorded stratum: the average weight, no fpc (with replacement).
    average = population_total / max(recorded_n, 1)
    weights = np.array([known[k].population / respondents[k] if k != UNRECORDED else average for k in keys])
    fpc = np.array([known[k].population if k != UNRECORDED else np.inf for k in keys])
    name = ":".join(recorded.variables)
    strata = np.array([f"{name}={k}" if k != UNRECORDED else UNRECORDED for k in keys], dtype=object)
    notices: list[Notice] = []
    if respondents.get(UNRECORDED):
        notices.append(Notice("unrecorded_stratum", {"n": respondents[UNRECORDED]}))
    empty = [f"{name}={k}" for k, s in known.items() if s.letters > s.undeliverable and not respondents.get(k)]
    if empty:
        notices.append(Notice("stratum_without_respondents", {"strata": ", ".join(empty)}))
    return SamplingDesign.build(n, weights=weights, strata=strata, fpc=fpc), tuple(notices)


def invited_sample(frame: Frame) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """(cells of the invited sample with ``invited``/``responded`` counts, respondents' stratum variables)."""
    variables = stratum_variables(frame)
    if not variables or frame.sampling is None:
        return None, None
    inv = _deliverable(frame)
    invited = inv.groupby(variables).size().rename("invited")
    sampling = frame.sampling.reindex(columns=variables)
    respondents = sampling.loc[frame.sampling["_invited"].to_numpy(dtype=bool)].dropna()
    responded = respondents.groupby(variables).size().rename("responded")
    cells = pd.concat([invited, responded], axis=1).fillna(0).reset_index()
    cells["responded"] = np.minimum(cells["responded"], cells["invited"])
    return cells, sampling
