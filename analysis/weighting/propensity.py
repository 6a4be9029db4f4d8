"""Non-response adjustment by response propensity, optionally followed by raking.

For an *invited* sample (invitation letters drawn from the resident register, each with
the frame's stratum variables such as age band, sex and district) a logistic regression
of responding on those variables (main effects, one-hot, no penalty: the classical
response-propensity model) estimates each respondent's probability of responding
``p̂(x)``; the adjusted weight is ``design weight / p̂(x)``. "Responded" means a complete
response: a started but abandoned questionnaire is a non-response for analysis.
Undeliverable letters are not part of the invited base (they never reached anyone).

When population margins are given, the adjusted weights are then raked to them (the
propensity step corrects non-response within the sample, raking aligns the totals with
the register); the variance then uses the raking calibration with the propensity-adjusted
weights as pre-calibration weights. The propensity model itself is treated as fixed in
the variance (its estimation error is not propagated), as is usual for weighting-class
adjustments.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError
from analysis.notices import Notice
from survey_app.i18n import N_

from .base import WeightingInput, WeightingResult
from .rake import rake

if TYPE_CHECKING:
    from sklearn.linear_model import LogisticRegression


def _one_hot(frame: pd.DataFrame, variables: list[str], levels: dict[str, list]) -> np.ndarray:
    blocks = [(frame[v].to_numpy()[:, None] == np.array(levels[v])[None, 1:]).astype(float) for v in variables]
    return np.hstack(blocks) if blocks else np.zeros((len(frame), 0))


def fit_propensity(invited: pd.DataFrame, variables: list[str]
                   ) -> tuple[LogisticRegression, dict[str, list]]:
    """Logistic regression of responding on the stratum variables, fitted on cell counts."""
    # imported on use: scikit-learn is heavy and only this method needs it
    from sklearn.linear_model import LogisticRegression

    if invited["invited"].sum() <= 0:
        raise AnalysisError("propensity weighting needs an invited sample (invitations with a stratum)")
    levels = {v: sorted(invited[v].dropna().unique().tolist()) for v in variables}
    x = _one_hot(invited, variables, levels)
    responded = invited["responded"].to_numpy(dtype=float)
    missed = (invited["invited"] - invited["responded"]).clip(lower=0).to_numpy(dtype=float)
    features = np.vstack([x, x])
    outcome = np.concatenate([np.ones(len(x)), np.zeros(len(x))])
    counts = np.concatenate([responded, missed])
    keep = counts > 0
    if len(np.unique(outcome[keep])) < 2:
        raise AnalysisError("propensity weighting needs both respondents and non-respondents among the invited")
    model = LogisticRegression(C=np.inf, max_iter=5000, tol=1e-10)  # C=inf: no penalty
    model.fit(features[keep], outcome[keep], sample_weight=counts[keep])
    return model, levels


def propensity(sample: WeightingInput, *, then_rake: bool = True) -> WeightingResult:
    if sample.invited is None or sample.sampling is None:
        raise AnalysisError(N_("Propensity weighting needs the survey's letters with their sampling strata "
                               "(machikoe invitations create --stratify-by); none are recorded for these "
                               "responses."))
    variables = [c for c in sample.invited.columns if c not in ("invited", "responded")]
    if not variables:
        raise AnalysisError("propensity weighting needs stratum variables on the invitations")
    unknown = sample.sampling[variables].isna().any(axis=1)
    if unknown.any():
        raise AnalysisError(f"{int(unknown.sum())} respondent(s) have no invitation stratum: propensity weighting "
                            "applies to invited samples only")
    model, levels = fit_propensity(sample.invited, variables)
    p = model.predict_proba(_one_hot(sample.sampling, variables, levels))[:, 1]
    notices = tuple(Notice("propensity_unrepresented", {"cell": ", ".join(f"{k}={v}" for k, v in row.items())})
                    for row in sample.invited.loc[sample.invited["responded"].eq(0), variables]
                    .drop_duplicates().to_dict("records")[:5])
    adjusted = sample.design_weights / p
    if then_rake and sample.margins:
        raked = rake(replace(sample, design_weights=adjusted))
        return replace(raked, method="propensity", notices=notices + raked.notices)
    return WeightingResult("propensity", adjusted, None, notices)
