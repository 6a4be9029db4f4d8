"""Indicator results: the overall share, breakdowns, change from baseline, distance to target.

All percentages are in percentage points (0–100) at full precision.

Breakdowns (``--by``): one cell per choice of the breakdown question, estimated as a
domain of the full design; ``--by locale`` (:data:`BY_LOCALE`) gives one cell per language the
responses were given in, labelled with the language's own name from the registry. Cells with fewer than ``suppress_below`` respondents (default
10) are *suppressed* — no estimate, no interval, no n — together with as many other cells as
needed so that none can be recovered by subtraction from the overall line or the other cells
(:mod:`analysis.suppression`). Cells below ``caution_below`` (default 30) carry the flag
``"caution"`` ("interpret with caution").

Change from baseline: :mod:`analysis.change`.

Distance to target (when the city has set one): ``target − estimate``; positive means
still below target.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import overload

import numpy as np

from analysis.estimate import Estimate, WeightedSample, proportion
from analysis.guards import effective_size
from analysis.notices import Notice
from analysis.result import GroupResult, Target, Thresholds
from analysis.suppression import hidden_groups
from survey_app.i18n import N_, locales
from survey_app.i18n.catalogs import gettext
from survey_app.i18n.texts import InstrumentTexts
from survey_app.instrument import Indicator, Instrument

#: The breakdown by the language a response was given in (not a question of the instrument).
BY_LOCALE = "locale"
BY_LOCALE_LABEL = N_("Language of the answer")


def short_label(instrument: Instrument, qid: str, lang: str) -> str:
    """A group's name in table titles (「問1 × 年齢」) and in the margins a figure was weighted to: the
    instrument's ``short_name`` in ``lang`` (:meth:`InstrumentTexts.short_name`, the name notices use
    too), else the question's text."""
    if qid == BY_LOCALE:
        return gettext(lang, BY_LOCALE_LABEL)
    return InstrumentTexts(instrument, lang).short_name(qid)


def margin_label(instrument: Instrument, margin: str, lang: str) -> str:
    """A margin's name for people: ``age_band:sex`` → 「年齢 × 性別」 (a dimension no question has stays as is)."""
    return " × ".join(short_label(instrument, d, lang) if instrument.has_question(d) or d == BY_LOCALE else d
                      for d in margin.split(":"))


@overload
def pp(value: float) -> float: ...
@overload
def pp(value: None) -> None: ...
def pp(value: float | None) -> float | None:
    """A share (0–1) in percentage points."""
    return None if value is None else 100.0 * value


def indicator_masks(instrument: Instrument, indicator: Indicator, values: np.ndarray,
                    base_rule: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(positive, base) under the indicator's base rule (or ``base_rule``, e.g. a baseline's).

    ``valid``: answered and not a code marked missing (e.g. わからない);
    ``all``: every respondent (no answer and "missing" codes count as not positive).
    """
    question = instrument.question(indicator.question)
    missing = list(question.choice_list.missing_codes()) if question.choice_list else []
    answered = ~np.isnan(values)
    positive = answered & np.isin(values, list(indicator.positive))
    if (base_rule or indicator.base) == "valid":
        return positive, answered & ~np.isin(values, missing)
    return positive, np.ones(len(values), dtype=bool)


def locale_labels(instrument: Instrument, answered_in: np.ndarray) -> dict[str, str]:
    """Tag → own name, in menu order: every language the survey offers, and any other found in the rows.

    Own names (「Tiếng Việt」, 「اردو」) in every staff language, as in the language menus: the
    group is the language, and its name is how its speakers and the city's staff know it.
    """
    present = set(answered_in.tolist())
    return {tag: locales.native_name(tag) for tag in locales.supported()
            if tag in instrument.languages or tag in present}


def target_block(indicator: Indicator, estimate: Estimate) -> Target | None:
    target = indicator.target
    if target is None:
        return None
    distance = None
    if target.value is not None and estimate.estimate is not None:
        distance = target.value - pp(estimate.estimate)
    return Target(target.value, target.year, distance)


def group_rows(sample: WeightedSample, positive: np.ndarray, base: np.ndarray, by_values: np.ndarray,
               by: str, labels: Mapping[int | str, str], method: str, level: float, thresholds: Thresholds,
               indicator: str = "") -> list[GroupResult]:
    """One row per category; small groups and their complements hidden (:mod:`analysis.suppression`).

    A published group at 0 % or 100 % carries notice ``degenerate_group``.
    """
    estimates = [proportion(sample, positive, base, by_values == code, method, level) for code in labels]
    # Respondents in no group (the breakdown question left blank) are in the overall line: the
    # overall minus the groups gives them back, so they count as one more group — never shown,
    # protected like any other (three blanks, all positive, were recoverable by subtraction).
    unlisted = base & ~np.isin(by_values, list(labels))
    hidden = hidden_groups([e.n for e in estimates] + [int(unlisted.sum())],
                           [e.n_positive or 0 for e in estimates] + [int((unlisted & positive).sum())],
                           thresholds.suppress_below)
    rows = []
    for i, ((code, label), est) in enumerate(zip(labels.items(), estimates, strict=True)):
        if i in hidden:
            rows.append(GroupResult(by, code, label, None, None, None, None, "suppressed"))
            continue
        notices: tuple[Notice, ...] = ()
        if est.estimate in (0.0, 1.0):
            notices = (Notice("degenerate_group", {"indicator": indicator, "group": f"{by}={label}",
                                                   "estimate": est.estimate}),)
        rows.append(GroupResult(by, code, label, pp(est.estimate), pp(est.ci_low), pp(est.ci_high), est.n,
                                thresholds.flag(est.n), notices, effective_size(est)[0], est.kish_n_eff))
    return rows
