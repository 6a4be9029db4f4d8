"""From a frame to its sampling design and, for propensity weighting, its invited sample.

CSV frames carry their design in the columns ``weight``, ``stratum``, ``psu``, ``fpc``.

Database frames derive it from the invitations (the mailing drawn from the resident
register): the sampling strata are the cells of the most detailed population margin whose
variables all appear on every invitation's stratum (for example ``district``; the most
dimensions first, then the most cells); the design
weight of a response from stratum *h* is ``N_h / invited_h`` (population ÷ deliverable
invitations of the stratum) and ``N_h`` is its fpc. Responses that came through the open
link have no stratum: they get the average design weight ``N / invited`` and form their
own stratum, and the fpc is then left out (conservative). Without invitations or without
a margin that fits, the design is a simple random sample with equal weights.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.design import SamplingDesign
from analysis.frame import Frame
from analysis.notices import Notice
from analysis.weighting import Margin


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


def _stratum_margin(frame: Frame, margins: tuple[Margin, ...]) -> Margin | None:
    variables = set(stratum_variables(frame))
    fitting = [m for m in margins if set(m.dims) <= variables]
    return max(fitting, key=lambda m: (len(m.dims), len(m.cells)), default=None)


def database_design(frame: Frame, margins: tuple[Margin, ...]) -> tuple[SamplingDesign, tuple[Notice, ...]]:
    n = len(frame)
    margin = _stratum_margin(frame, margins)
    if margin is None or frame.sampling is None:
        return SamplingDesign.build(n), ()
    inv = _deliverable(frame)
    dims = list(margin.dims)
    invited_keys = inv[dims].astype(int).astype(str).agg(":".join, axis=1)
    invited = invited_keys.value_counts()
    population = {":".join(map(str, cell)): count for cell, count in zip(margin.cells, margin.counts, strict=True)}
    sampling = frame.sampling.reindex(columns=dims)
    known = sampling.notna().all(axis=1).to_numpy() & frame.sampling["_invited"].to_numpy(dtype=bool)
    keys = np.full(n, "open", dtype=object)
    if known.any():
        keys[known] = sampling.loc[known, dims].astype(int).astype(str).agg(":".join, axis=1).to_numpy()
    overall = sum(population.values()) / max(len(inv), 1)
    weights = np.array([population.get(k, 0) / invited.get(k, 1) if k != "open" else overall for k in keys])
    weights = np.where(weights > 0, weights, overall)
    n_open = int(np.sum(keys == "open"))
    notices = (Notice("open_responses", {"n": n_open}),) if n_open else ()
    fpc = None if n_open else np.array([population[k] for k in keys])
    strata = np.array([f"{margin.name}={k}" if k != "open" else "open" for k in keys], dtype=object)
    return SamplingDesign.build(n, weights=weights, strata=strata, fpc=fpc), notices


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
