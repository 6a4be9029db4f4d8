"""Baselines, targets and published history of the indicators, as survey metadata set by staff.

The instrument YAML may carry them (``baseline``/``target``/``history``), but a city sets its KPI target
after the questionnaire is fixed — that is not a rewording and must not need a new instrument version.
Values set here (console or ``machikoe survey targets``) are stored in ``IndicatorValue`` rows, audited,
and override the instrument's: :func:`apply` returns the instrument every staff view, the API and the
CLI compute with.

- ``baseline`` and ``target``: one per indicator (setting one replaces the other year's value);
  ``value`` None clears the target explicitly ("not set by the city").
- ``history``: one value per fiscal year; setting a year's value to None removes that year.
Values are percentages (0–100) of the indicator's own base; years are fiscal years (FY2025 = 令和7年度).
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, replace

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from survey_app import audit
from survey_app.i18n import N_
from survey_app.i18n.fmt import parse_fiscal_year
from survey_app.instrument import Indicator, Instrument
from survey_app.instrument.model import Published, Target
from survey_app.models import IndicatorValue

KINDS = ("baseline", "target", "history")
YEARS = range(1989, 2101)


class IndicatorValueError(ValueError):
    """A refused value; ``message % params`` (a msgid) says why."""

    def __init__(self, message: str, **params: object) -> None:
        self.message, self.params = message, params
        super().__init__(message % params if params else message)


@dataclass(frozen=True)
class Assignment:
    indicator_id: str
    kind: str
    value: float | None
    year: int


_ASSIGNMENT = re.compile(r"^(?P<id>[a-z][a-z0-9_]*)(?:\.(?P<kind>baseline|target|history))?=(?P<value>[^@]*)@(?P<year>.+)$")


def parse_assignment(text: str) -> Assignment:
    """``childcare=60@2029`` (target), ``childcare.baseline=55.0@2023``, ``childcare.history=52.1@令和4年度``;
    an empty value (``childcare=@2029``) clears it."""
    cleaned = unicodedata.normalize("NFKC", text or "").replace(" ", "").replace("%", "")
    match = _ASSIGNMENT.match(cleaned)
    if not match:
        raise IndicatorValueError(N_("'%(text)s' is not ID=VALUE@YEAR (e.g. childcare=60@2029 or "
                             "childcare.baseline=55.0@2023)."), text=text)
    try:
        year = parse_fiscal_year(match["year"])
    except ValueError:
        raise IndicatorValueError(N_("'%(year)s' is not a fiscal year (e.g. 2029 or 令和11年度)."), year=match["year"]) from None
    return Assignment(match["id"], match["kind"] or "target", _percentage(match["value"]), year)


def _percentage(text: str) -> float | None:
    if text.strip() == "":
        return None
    try:
        value = float(text)
    except ValueError:
        raise IndicatorValueError(N_("'%(value)s' is not a percentage between 0 and 100."), value=text) from None
    if not math.isfinite(value) or not 0 <= value <= 100:
        raise IndicatorValueError(N_("'%(value)s' is not a percentage between 0 and 100."), value=text)
    return value


def set_value(session: Session, instrument: Instrument, assignment: Assignment, actor: str | None) -> None:
    """Store one value (validated, audited with the old and new value); commits."""
    ids = [i.id for i in instrument.indicators]
    if assignment.indicator_id not in ids:
        raise IndicatorValueError(N_("Unknown indicator '%(id)s' (indicators: %(ids)s)."), id=assignment.indicator_id,
                          ids=", ".join(ids))
    if assignment.kind not in KINDS:
        raise IndicatorValueError(N_("Unknown kind '%(kind)s'."), kind=assignment.kind)
    if assignment.year not in YEARS:
        raise IndicatorValueError(N_("'%(year)s' is not a fiscal year (e.g. 2029 or 令和11年度)."), year=assignment.year)
    before = _current(apply(session, instrument).indicator(assignment.indicator_id), assignment.kind,
                      assignment.year)
    where = [IndicatorValue.survey_id == instrument.id, IndicatorValue.indicator_id == assignment.indicator_id,
             IndicatorValue.kind == assignment.kind]
    if assignment.kind != "history":
        session.execute(delete(IndicatorValue).where(*where))
    else:
        session.execute(delete(IndicatorValue).where(*where, IndicatorValue.year == assignment.year))
    # A history year set to None is stored too: it hides a value the instrument publishes for that year.
    session.add(IndicatorValue(survey_id=instrument.id, indicator_id=assignment.indicator_id,
                               kind=assignment.kind, year=assignment.year, value=assignment.value,
                               updated_by=actor))
    audit.record(session, actor, "indicator_values", instrument.id,
                 {"indicator": assignment.indicator_id, "kind": assignment.kind, "year": assignment.year,
                  "old": before, "new": assignment.value}, commit=False)
    session.commit()


def _current(indicator: Indicator, kind: str, year: int) -> float | None:
    if kind == "history":
        return next((h.value for h in indicator.history if h.year == year), None)
    target = indicator.baseline if kind == "baseline" else indicator.target
    return target.value if target else None


def apply(session: Session, instrument: Instrument) -> Instrument:
    """The instrument with staff-set baselines, targets and history in place of the YAML's."""
    rows = session.execute(select(IndicatorValue.indicator_id, IndicatorValue.kind, IndicatorValue.year,
                                  IndicatorValue.value).where(IndicatorValue.survey_id == instrument.id)).all()
    if not rows:
        return instrument
    by_indicator: dict[str, list] = {}
    for row in rows:
        by_indicator.setdefault(row.indicator_id, []).append(row)
    indicators = tuple(_override(ind, by_indicator.get(ind.id, [])) for ind in instrument.indicators)
    return replace(instrument, indicators=indicators)


def _override(indicator: Indicator, rows: list) -> Indicator:
    if not rows:
        return indicator
    changes: dict = {}
    history = {h.year: h.value for h in indicator.history}
    for row in rows:
        if row.kind == "history":
            history[row.year] = row.value
        elif row.kind == "baseline":
            # a baseline set in the console states value and year only: its precision is unknown
            changes[row.kind] = Published(row.value, row.year)
        else:
            changes[row.kind] = Target(row.value, row.year)
    changes["history"] = tuple(Published(v, y) for y, v in sorted(history.items(), key=lambda kv: kv[0] or 0)
                               if v is not None)
    return replace(indicator, **changes)
