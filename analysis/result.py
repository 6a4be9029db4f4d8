"""The typed indicator result: what :func:`analysis.compute` returns and every renderer reads.

All shares are in **percentage points** (0–100) at full precision; rounding is for
display only (:mod:`analysis.report`). ``None`` means "cannot be computed" (no base, a
suppressed group, no baseline). Every class is frozen; add a field with a default and
the renderers that need it — nothing else changes. The JSON document of the API and
``--format json`` is :func:`analysis.report.document` of a :class:`SurveyResult`.
"""
from __future__ import annotations

from dataclasses import dataclass

from analysis.notices import Notice

CAUTION_BELOW = 30
SUPPRESS_BELOW = 10


@dataclass(frozen=True)
class Thresholds:
    """Breakdown cells with n below ``suppress_below`` are hidden, below ``caution_below`` flagged."""

    caution_below: int = CAUTION_BELOW
    suppress_below: int = SUPPRESS_BELOW

    def flag(self, n: int) -> str | None:
        if n < self.suppress_below:
            return "suppressed"
        if n < self.caution_below:
            return "caution"
        return None


@dataclass(frozen=True)
class YearValue:
    """A published figure: ``value`` in points (``None`` if not set) and its fiscal ``year``."""

    value: float | None
    year: int | None


@dataclass(frozen=True)
class Baseline(YearValue):
    """The published baseline and what the instrument states of it: ``se`` in points (given, or
    from ``n`` and ``deff``; ``None`` when unknown), ``base`` and ``weighting`` (``None``: not stated)."""

    se: float | None = None
    n: int | None = None
    deff: float | None = None
    base: str | None = None
    weighting: str | None = None


@dataclass(frozen=True)
class OtherBase:
    """The indicator recomputed on another base (the baseline's), shown beside the official figure."""

    base: str
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int


@dataclass(frozen=True)
class Target(YearValue):
    """The city's target; ``distance`` = target − estimate in points (positive: still below)."""

    distance: float | None = None


@dataclass(frozen=True)
class Change:
    """Estimate − baseline in points with its interval; ``verdict`` is one of :data:`VERDICTS`.

    With the baseline's standard error (``method`` ``two_sample_z``): ``improved`` when the
    whole interval is above 0, ``worsened`` below, else ``no detectable change``. Without it
    (``estimate_interval_only``) the verdict is ``indicative`` (see :mod:`analysis.change`).
    ``compared_on_base`` is the base of the figure compared (the baseline's, if it states one).
    """

    estimate: float
    ci_low: float
    ci_high: float
    verdict: str
    baseline_se: float | None = None
    method: str = "two_sample_z"
    compared_on_base: str = "valid"


VERDICTS = ("improved", "no detectable change", "worsened", "indicative")


@dataclass(frozen=True)
class GroupResult:
    """One cell of a breakdown: ``by`` (question id), ``category`` (code), ``label`` (its words).

    ``flag`` is ``"suppressed"`` (n below the suppression threshold: estimate, interval and
    n are ``None``), ``"caution"`` or ``None``; ``notices`` concern this group only.
    """

    by: str
    category: int | str
    label: str | None
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    flag: str | None
    notices: tuple[Notice, ...] = ()
    n_eff: float | None = None
    kish_n_eff: float | None = None


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator: the share of its base answering one of its positive codes.

    ``base`` is ``"valid"`` or ``"all"``; ``n`` respondents in the base, ``n_positive`` of them
    positive; ``n_eff`` the effective sample size — design-based (R's ``svyciprop``) when it is
    at most ``n``, else Kish's, as ``n_eff_basis`` says (:mod:`analysis.guards`) — beside
    ``kish_n_eff`` = (Σw)²/Σw²; ``deff`` the design effect (``None`` without a base); ``se``,
    ``ci_low``, ``ci_high`` in points. ``on_baseline_base``: the figure on the baseline's base
    when that differs.
    """

    id: str
    title: str
    base: str
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    n_positive: int
    n_eff: float | None
    deff: float | None
    baseline: Baseline | None
    target: Target | None
    change: Change | None
    groups: tuple[GroupResult, ...] = ()
    notices: tuple[Notice, ...] = ()
    combined: CombinedParts | None = None
    n_eff_basis: str | None = None
    kish_n_eff: float | None = None
    on_baseline_base: OtherBase | None = None


@dataclass(frozen=True)
class CombinedParts:
    """How a ``sample="combined"`` figure was made (:mod:`analysis.combined`), in points.

    ``invited`` is the invited sample's design estimate, ``open_dr`` the Chen–Li–Wu doubly
    robust estimate from the open responses, ``weight_invited`` the composite's weight λ.
    """

    invited: float
    open_dr: float
    weight_invited: float


@dataclass(frozen=True)
class OpenShare:
    """One indicator among the open responses: unweighted ``share`` (points) and ``n``; never an interval.
    Fewer than the suppression threshold in its base: ``share`` and ``n_positive`` withheld, ``flag``
    ``suppressed`` (one open response in Urdu, beside the monitor's language counts, was one person's answers)."""

    id: str
    share: float | None
    n: int
    n_positive: int | None
    flag: str | None = None


@dataclass(frozen=True)
class OpenSummary:
    """The open (self-selected) responses reported beside the invited sample's figures."""

    n_respondents: int
    indicators: tuple[OpenShare, ...] = ()


@dataclass(frozen=True)
class SurveyResult:
    """The indicators of one survey under one set of options.

    ``weighting`` and ``ci_method`` are names from :mod:`analysis.methods`, ``level`` the
    confidence level (0.95); ``margins`` the population margins the weights were calibrated
    to (their names, e.g. ``age_band`` or ``age_band:sex``; post-stratification: the one joint
    table it used; empty when unweighted or propensity without raking); ``thresholds`` the
    suppression/caution limits of the breakdowns. ``notices`` are survey-level; each
    indicator and group carries its own (:meth:`all_notices` gathers them in order).
    ``sample`` says which responses the figures come from (``invited``: the letters' random
    sample; ``open``; ``combined``) and ``n_respondents`` counts those; ``open`` summarises the
    open responses beside them (:mod:`analysis.samples`).
    """

    survey: str
    weighting: str
    ci_method: str
    level: float
    n_respondents: int
    indicators: tuple[IndicatorResult, ...]
    notices: tuple[Notice, ...] = ()
    margins: tuple[str, ...] = ()
    thresholds: Thresholds = Thresholds()
    sample: str = "invited"
    open: OpenSummary = OpenSummary(0)
    margin_labels: tuple[str, ...] = ()  # the margins named for people in the result's language (年齢 × 性別)
    # The method the weights were made by when it is not ``weighting`` (a fallback: design weights
    # only, or post-stratification to one margin; the notice weighting_fallback says why).
    applied_weighting: str | None = None

    @property
    def weighting_used(self) -> str:
        """The method the published figures were weighted by: what footnotes and headers name."""
        return self.applied_weighting or self.weighting

    def indicator(self, indicator_id: str) -> IndicatorResult | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)

    def all_notices(self) -> tuple[Notice, ...]:
        """Survey, indicator and group notices, each once, in that order."""
        found = [*self.notices]
        for ind in self.indicators:
            found += ind.notices
            for group in ind.groups:
                found += group.notices
        return tuple({notice.key(): notice for notice in reversed(found)}.values())[::-1]
