"""Post-stratification to joint population cells.

Every respondent's weight in cell *c* is multiplied by ``N_c / Ŵ_c`` (population count over
the weighted sample count), so the weights reproduce the cell counts exactly in one step.
With several margins the one with the most dimensions (the joint table) is used and the
others are reported as not used; two equally detailed tables are ambiguous and refused —
raking is the method for several margins. Respondents missing a cell variable follow the
policy in :mod:`analysis.weighting.margins`.

Variance: residuals of the scores from their cell means weighted by the pre-calibration
weights (R's ``postStratify``).
"""
from __future__ import annotations

from dataclasses import replace

from analysis.errors import MarginError
from analysis.notices import Notice

from .base import Calibration, WeightingInput, WeightingResult, dummy_matrix
from .rake import ipf, prepare


def choose_cells(sample: WeightingInput) -> tuple[WeightingInput, tuple[Notice, ...]]:
    margins = sample.margins
    if not margins:
        raise MarginError("post-stratification needs population cells (dimension,category,count)")
    widest = max(len(m.dims) for m in margins)
    candidates = [m for m in margins if len(m.dims) == widest]
    if len(candidates) > 1:
        names = ", ".join(m.name for m in candidates)
        raise MarginError(f"post-stratification needs one table of joint cells, got {names}: "
                          "give a joint margin (e.g. age_band:sex) or use --weighting rake")
    used = candidates[0]
    ignored = [m.name for m in margins if m is not used]
    notices = (Notice("ignored_margins", {"used": used.name, "ignored": ", ".join(ignored)}),) if ignored else ()
    return replace(sample, margins=(used,)), notices


def poststratify(sample: WeightingInput) -> WeightingResult:
    chosen, chosen_notices = choose_cells(sample)
    codings, total, notices, cells = prepare(chosen)
    factor, sweeps, error = ipf(cells.weights, cells.codes, codings, total, tolerance=1e-12, max_sweeps=3)
    weights = chosen.design_weights * factor[cells.of_respondent]
    calibration = Calibration(cells.of_respondent, dummy_matrix(cells.codes, codings), chosen.design_weights)
    return WeightingResult("poststratify", weights, calibration, chosen_notices + notices, sweeps, error,
                           tuple(c.margin for c in codings), codings)
