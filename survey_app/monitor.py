"""Response monitor: how the fieldwork is going, from aggregate queries only.

All counts are computed in the database (GROUP BY), so the monitor costs the same for a
thousand or a million responses. Days are Japan Standard Time (UTC+9, no daylight
saving), the day a city office would name.

Response rate per stratum = complete invited responses ÷ (letters sent − letters marked
undeliverable), the AAPOR RR1 idea restricted to what the system can know.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, cast, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from survey_app.bursts import Burst, bursts
from survey_app.i18n import N_
from survey_app.instrument import Instrument
from survey_app.models import Answer, Invitation, Response
from survey_app.responses import ERASED

JST_OFFSET_HOURS = 9
# How channels and samples are named to staff (monitor page and the published report).
CHANNEL_LABELS = {"web": N_("Web form"), "telegram": N_("Telegram chat"), "line": N_("LINE chat"),
                  "paper": N_("Paper questionnaire")}
SOURCE_LABELS = {"invited": N_("Invited (letter code)"), "open": N_("Open (no code)")}


@dataclass(frozen=True)
class StratumRate:
    dimension: str
    code: int | None  # None: the stratum attribute was not in the frame
    invited: int
    undeliverable: int
    responded: int
    partial: int

    @property
    def delivered(self) -> int:
        return self.invited - self.undeliverable

    @property
    def rate(self) -> float | None:
        """Share of delivered letters answered completely, in percent; None without delivered letters."""
        return 100.0 * self.responded / self.delivered if self.delivered > 0 else None


@dataclass
class MonitorReport:
    survey_id: str
    complete: int = 0
    partial: int = 0
    per_day: list[tuple[date, int]] = field(default_factory=list)
    by_channel: dict[str, int] = field(default_factory=dict)
    by_language: dict[str, int] = field(default_factory=dict)
    by_source: dict[str, int] = field(default_factory=dict)
    by_question: dict[str, dict[int | None, int]] = field(default_factory=dict)
    rates: list[StratumRate] = field(default_factory=list)
    invited_total: int = 0
    bursts: list[Burst] = field(default_factory=list)


def _day_expression(session: Session, column: InstrumentedAttribute[datetime | None]) -> ColumnElement[Any]:
    """The JST calendar day of a UTC timestamp column, on SQLite and PostgreSQL."""
    if session.get_bind().dialect.name == "sqlite":
        return func.date(column, f"+{JST_OFFSET_HOURS} hours")
    return cast(func.timezone("Asia/Tokyo", column), Date)


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def submissions_per_day(session: Session, survey_id: str) -> list[tuple[date, int]]:
    day = _day_expression(session, Response.submitted_at)
    stmt = (select(day.label("day"), func.count()).where(Response.survey_id == survey_id,
                                                          Response.status == "complete")
            .group_by(day).order_by(day))
    return [(_as_date(d), n) for d, n in session.execute(stmt)]


def counts_by(session: Session, survey_id: str, column: InstrumentedAttribute[str],
              status: str = "complete") -> dict[str, int]:
    stmt = (select(column, func.count()).where(Response.survey_id == survey_id, Response.status == status)
            .group_by(column).order_by(column))
    return {str(key): n for key, n in session.execute(stmt)}


def status_counts(session: Session, survey_id: str) -> dict[str, int]:
    stmt = select(Response.status, func.count()).where(Response.survey_id == survey_id).group_by(Response.status)
    return dict(session.execute(stmt).all())


def answers_by_code(session: Session, survey_id: str, question_id: str) -> dict[int | None, int]:
    """Complete responses by their answer to a single-choice question; None = not answered."""
    stmt = (select(Answer.code, func.count()).join(Response, Response.id == Answer.response_id)
            .where(Response.survey_id == survey_id, Response.status == "complete",
                   Answer.question_id == question_id)
            .group_by(Answer.code).order_by(Answer.code))
    counts: dict[int | None, int] = dict(session.execute(stmt).all())
    total = session.scalar(select(func.count()).select_from(Response).where(
        Response.survey_id == survey_id, Response.status == "complete")) or 0
    unanswered = total - sum(counts.values())
    if unanswered:
        counts[None] = unanswered
    return counts


def _group_json(session: Session, model: type[Invitation] | type[Response], dimension: str,
                *conditions: ColumnElement[bool]) -> dict[tuple[Any, ...], int]:
    key = model.stratum[dimension].as_integer()
    extra = [model.undeliverable] if issubclass(model, Invitation) else [model.status]
    stmt = select(key, *extra, func.count()).where(*conditions).group_by(key, *extra)
    return {tuple(row[:-1]): row[-1] for row in session.execute(stmt)}


def response_rates(session: Session, instrument: Instrument) -> list[StratumRate]:
    """Invited vs responded for each code of each weighting question present in the frame."""
    rates = []
    for question in instrument.weighting_questions():
        sent = _group_json(session, Invitation, question.id, Invitation.survey_id == instrument.id)
        answered = _group_json(session, Response, question.id, Response.survey_id == instrument.id,
                               Response.source == "invited")
        if all(code is None for code, _ in sent):
            continue  # not a column of the sampling frame
        table: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for (code, undeliverable), n in sent.items():
            table[code]["invited"] += n
            if undeliverable:
                table[code]["undeliverable"] += n
        for (code, status), n in answered.items():
            if status == ERASED:  # erased by the resident: neither an answer nor a partial one
                continue
            table[code]["responded" if status == "complete" else "partial"] += n
        for code in sorted(table, key=lambda c: (c is None, c or 0)):
            counts = table[code]
            rates.append(StratumRate(question.id, code, counts["invited"], counts["undeliverable"],
                                     counts["responded"], counts["partial"]))
    return rates


def invited_total(session: Session, survey_id: str) -> int:
    return session.scalar(select(func.count()).select_from(Invitation).where(
        Invitation.survey_id == survey_id)) or 0


def monitor(session: Session, instrument: Instrument, questions: tuple[str, ...] = ("district", "age_band")
            ) -> MonitorReport:
    statuses = status_counts(session, instrument.id)
    report = MonitorReport(instrument.id, complete=statuses.get("complete", 0), partial=statuses.get("partial", 0))
    report.per_day = submissions_per_day(session, instrument.id)
    report.by_channel = counts_by(session, instrument.id, Response.channel)
    report.by_language = counts_by(session, instrument.id, Response.locale)
    report.by_source = counts_by(session, instrument.id, Response.source)
    report.by_question = {qid: answers_by_code(session, instrument.id, qid)
                          for qid in questions if instrument.has_question(qid)}
    report.rates = response_rates(session, instrument)
    report.invited_total = invited_total(session, instrument.id)
    report.bursts = bursts(session, instrument.id)
    return report


def fill_days(per_day: list[tuple[date, int]]) -> list[tuple[date, int]]:
    """Days without submissions as zeros between the first and the last day (for the chart)."""
    if not per_day:
        return []
    counts = dict(per_day)
    first, last = per_day[0][0], per_day[-1][0]
    return [(first + timedelta(days=i), counts.get(first + timedelta(days=i), 0))
            for i in range((last - first).days + 1)]

