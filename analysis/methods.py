"""The one list of weighting methods and interval methods, with their names for people.

The CLI's ``click.Choice``, the API's OpenAPI enums, the staff pages and
:class:`analysis.indicators.Options` all read these tuples, which come from the
registries that implement the methods (:data:`analysis.weighting.METHODS`,
:data:`analysis.intervals.INTERVALS`), so a new method appears everywhere at once.
"""
from __future__ import annotations

from analysis.intervals import INTERVALS
from analysis.weighting import METHODS
from survey_app.i18n import N_

WEIGHTING_METHODS: tuple[str, ...] = tuple(METHODS)
CI_METHODS: tuple[str, ...] = tuple(INTERVALS)
DEFAULT_CI = "logit"
DEFAULT_LEVEL = 0.95

# Short names for buttons and captions (msgids; translate with gettext).
WEIGHTING_LABELS: dict[str, str] = {
    "none": N_("Unweighted"),
    "design": N_("Design weights only"),
    "rake": N_("Weighted (raking)"),
    "poststratify": N_("Weighted (post-stratification)"),
    "propensity": N_("Weighted (response propensity)"),
}
