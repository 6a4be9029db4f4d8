"""Notices: anything unusual about a result, as a stable ``code`` and its parameters.

The registry :data:`MESSAGES` maps each code to an English msgid of the ``messages``
gettext domain; :meth:`Notice.message` words it in the reader's language (ja, en, vi,
ur) so the JSON, the table, the exports and the staff pages say the same thing. API
clients match on ``code`` (stable), people read ``message``.

Parameters stay raw numbers in the result; :data:`DISPLAY` formats them for the message
(``gap`` 0.0123 → ``1.230%``) so a translation only places ``%(gap)s``.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from survey_app.i18n import N_
from survey_app.i18n.catalogs import gettext
from survey_app.i18n.fmt import fiscal_year_label

MESSAGES: dict[str, str] = {
    "missing_weighting_variable": N_(
        "%(n)s respondent(s) did not give '%(dimension)s' (blank or a 'missing' code): they keep the weight from "
        "the other margins and the known '%(dimension)s' cells share the rest of the population."),
    "totals_rescaled": N_(
        "Population margin totals differ by up to %(gap)s; all margins were rescaled to the total of "
        "'%(reference)s' (%(total)s)."),
    "trimmed": N_("Weights trimmed to [%(lower)s, %(upper)s] (%(n)s weight(s) outside, strict)."),
    "trimmed_margins": N_(
        "Weights trimmed to [%(lower)s, %(upper)s] (%(n)s weight(s) outside, strict): the largest relative "
        "margin error after trimming is %(error)s."),
    "ignored_margins": N_("Post-stratification uses the cells of '%(used)s'; margin(s) %(ignored)s were not used."),
    "propensity_unrepresented": N_(
        "No invited resident with %(cell)s responded: that part of the population is represented only through "
        "the model."),
    "open_responses": N_(
        "%(n)s response(s) came without an invitation code (open link, chat or paper form): they get the average "
        "design weight."),
    "degenerate_interval": N_(
        "'%(indicator)s' is %(estimate)s in its base: the interval is the exact (Clopper–Pearson) interval on "
        "the Kish effective sample size."),
    "no_base": N_("'%(indicator)s' has no respondent in its base: no estimate."),
    # issue 11: samples, the recorded design, never a dead dashboard
    "open_responses_excluded": N_(
        "%(n)s open response(s) (no invitation code: open link, chat or paper form without a code) are not in "
        "these figures, which come from the invited random sample; they are shown separately without an "
        "interval."),
    "no_invited_responses": N_(
        "No invited (randomly sampled) resident has responded yet: there is no figure for the indicators; "
        "%(n)s open response(s) are shown separately."),
    "open_sample": N_(
        "These figures come from the %(n)s open responses: a self-selected sample, unweighted, without an "
        "interval; they do not represent the city's residents."),
    "combined_estimator": N_(
        "Combined estimate (Chen, Li & Wu 2020, doubly robust): the invited sample is the reference "
        "probability sample for the %(n_open)s open response(s), combined with the invited estimate by "
        "minimum variance. Assumption: taking part through the open link depends only on %(covariates)s; if "
        "it depends on the opinion itself, the figure is biased."),
    "combined_invited_only": N_(
        "'%(indicator)s': the open responses add nothing to its combined figure (none of them is in its base, "
        "or the participation model could not be fitted to them), so it is the invited sample's estimate."),
    "combined_without_open": N_(
        "There are no open responses: the combined figure is the invited sample's design estimate."),
    "no_recorded_design": N_(
        "No sampling design is recorded for this survey (its letters were made without their sampling strata): "
        "the invited sample is analysed as a simple random sample."),
    "unrecorded_stratum": N_(
        "%(n)s invited response(s) carry no recorded sampling stratum: they get the average design weight."),
    "stratum_without_respondents": N_(
        "No respondent yet in sampling stratum %(strata)s: its population is represented only through "
        "calibration to the margins."),
    "lonely_psu": N_(
        "Sampling stratum %(strata)s has a single respondent: its variance is estimated as R's "
        "survey.lonely.psu = \"adjust\" (centred at the overall mean; conservative)."),
    "weighting_fallback:collapsed": N_(
        "The weighting could not meet every margin: categories without respondents were merged (%(merged)s); "
        "margins left out: %(dropped)s."),
    "weighting_fallback:poststratified": N_(
        "The weighting could not meet every margin: post-stratified to '%(used)s' only (merged: %(merged)s; "
        "left out: %(dropped)s)."),
    "weighting_fallback": N_(
        "The weighting could not meet the margins (for example a category without respondents): the figures "
        "use the design weights only."),
    # issue 12: honest change, guards on weights, calibrated trimming, all-or-nothing groups
    "baseline_without_se": N_(
        "The baseline of '%(indicator)s' (%(year)s) is published without its standard error or sample size: its "
        "own sampling error is unknown, so the change is only indicative (never 'improved' or 'worsened')."),
    "baseline_not_comparable": N_(
        "The baseline of '%(indicator)s' was computed with %(what)s '%(baseline)s', this figure with "
        "'%(figure)s': they are not directly comparable."),
    "sparse_cell_collapsed": N_(
        "Calibration cell %(cell)s has %(n)s respondent(s) (fewer than %(min_cell)s): '%(dimension)s' categories "
        "%(merged)s were merged for weighting."),
    "sparse_margin_merged_away": N_(
        "Every category of margin '%(margin)s' had to be merged for weighting (fewer than %(min_cell)s respondents "
        "each): it was left out, as one cell would only set the total."),
    "sparse_margin_dropped": N_(
        "Calibration cell %(cell)s has %(n)s respondent(s) (fewer than %(min_cell)s) and its categories have no "
        "order to merge by: margin '%(margin)s' was left out of the weighting (merge categories in the population "
        "margins, or lower the minimum cell size, to keep it)."),
    "extreme_weight": N_(
        "The largest weight is %(ratio)s times the mean (limit %(limit)s); %(n)s respondent(s) carry such weights, "
        "and the figures move with their answers."),
    "n_eff_kish": N_(
        "'%(indicator)s': the design-based effective sample size (%(design)s) exceeds the %(n)s respondents; the "
        "Kish effective sample size is reported instead."),
    "trimmed_calibrated": N_(
        "Weights bounded to [%(lower)s, %(upper)s] inside the calibration (%(n)s weight(s) at a bound); the margins "
        "still hold (largest relative error %(error)s)."),
    "degenerate_group": N_(
        "'%(indicator)s' is %(estimate)s in the group %(group)s: every respondent there answered alike; its "
        "interval is the exact (Clopper–Pearson) interval on the Kish effective sample size."),
    # Added by the staff console (survey_app.web.staff.indicators) while the margins are the bundled example.
    "illustrative_margins": N_(
        "Population margins: illustrative (例示用（実際の住民基本台帳ではありません）), not the resident register's. "
        "Import the register's margins before publishing any weighted figure."),
}

#: The stable codes (a ``code:step`` key is a wording variant of ``code``, not a code).
CODES: tuple[str, ...] = tuple(sorted(code for code in MESSAGES if ":" not in code))

#: How a parameter of this name is shown in a message (others: ``str``).
DISPLAY: dict[str, Callable[[Any], str]] = {
    "gap": lambda v: f"{v:.3%}",
    "total": lambda v: f"{v:,.0f}",
    "lower": lambda v: f"{v:.4g}",
    "upper": lambda v: f"{v:.4g}",
    "error": lambda v: f"{v:.2%}",
    "estimate": lambda v: f"{v:.0%}",
    "ratio": lambda v: f"{v:.1f}",
    "limit": lambda v: f"{v:g}",
    "design": lambda v: f"{v:.0f}",
}


@dataclass(frozen=True)
class Notice:
    """``code`` (a key of :data:`MESSAGES`) and the raw ``params`` its message needs."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in MESSAGES:
            raise KeyError(f"unknown notice code '{self.code}' (add it to analysis.notices.MESSAGES)")

    def key(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        """Hashable identity (params are a mapping), for removing repeats."""
        return self.code, tuple(sorted((k, repr(v)) for k, v in self.params.items()))

    def message(self, locale: str = "en") -> str:
        """The message in ``locale`` (the English msgid where a catalog has no entry).

        A code with variants (``weighting_fallback``) words its ``step`` by ``code:step``.
        """
        shown = {k: DISPLAY.get(k, str)(v) for k, v in self.params.items()}
        if isinstance(self.params.get("year"), int):  # 令和5年度 as in every table, not 2023年度
            shown["year"] = fiscal_year_label(self.params["year"], locale)
        msgid = MESSAGES.get(f"{self.code}:{self.params.get('step')}", MESSAGES[self.code])
        return gettext(locale, msgid, **shown)
