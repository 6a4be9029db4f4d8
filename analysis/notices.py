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
        "%(n)s response(s) came without an invitation (open link): they get the average design weight."),
    "degenerate_interval": N_(
        "'%(indicator)s' is %(estimate)s in its base: the interval is the exact (Clopper–Pearson) interval on "
        "the Kish effective sample size."),
    "no_base": N_("'%(indicator)s' has no respondent in its base: no estimate."),
    # Added by the staff console (survey_app.web.staff.indicators) while the margins are the bundled example.
    "illustrative_margins": N_(
        "Population margins: illustrative (例示用（実際の住民基本台帳ではありません）), not the resident register's. "
        "Import the register's margins before publishing any weighted figure."),
}

#: How a parameter of this name is shown in a message (others: ``str``).
DISPLAY: dict[str, Callable[[Any], str]] = {
    "gap": lambda v: f"{v:.3%}",
    "total": lambda v: f"{v:,.0f}",
    "lower": lambda v: f"{v:.4g}",
    "upper": lambda v: f"{v:.4g}",
    "error": lambda v: f"{v:.2%}",
    "estimate": lambda v: f"{v:.0%}",
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
        """The message in ``locale`` (the English msgid where a catalog has no entry)."""
        shown = {k: DISPLAY.get(k, str)(v) for k, v in self.params.items()}
        return gettext(locale, MESSAGES[self.code], **shown)
