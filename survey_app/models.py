"""Typed SQLAlchemy 2.0 models.

Privacy rules visible in the schema:
- A Response never stores an invitation id. It stores the invitation's *stratum*
  (age band, sex, district copied from the sampling frame) and ``access_key``, an
  HMAC of the code under a different domain than ``Invitation.code_hmac``: a
  database dump alone cannot join answers to invitations.
- An Invitation keeps no trace of its use: no time, no channel, no "used" flag. Its row
  id is random with respect to the sampling frame (rows are inserted shuffled), and it is
  never updated when a resident starts, so neither its values nor its place in the table
  (PostgreSQL moves updated rows) follow the order of use. How many invitations of a
  stratum were used is counted from the responses, which carry the stratum anyway.
- Chat ids live only as HMAC pseudonyms (``BotSession.chat_key``).
- Answers hold question ids and choice codes, never labels.
"""
from __future__ import annotations

import uuid as uuid_mod
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from survey_app.i18n import locales

ROLES = ("admin", "analyst", "viewer")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[type, Any]] = {datetime: DateTime(timezone=True)}
    if TYPE_CHECKING:  # every model here maps one Table (DeclarativeBase types it as any FromClause)
        __table__: ClassVar[Table]


class Survey(Base):
    __tablename__ = "surveys"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    definition: Mapped[str] = mapped_column(Text)  # the instrument YAML, as loaded
    allow_open: Mapped[bool] = mapped_column(Boolean, default=True)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[str] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    code_hmac: Mapped[str] = mapped_column(String(64), unique=True)
    stratum: Mapped[dict] = mapped_column(JSON, default=dict)
    batch: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)  # one instant per batch
    undeliverable: Mapped[bool] = mapped_column(Boolean, default=False)


class DesignStratum(Base):
    """One sampling stratum of one mailing batch: the recorded design (never inferred from attributes).

    ``variables`` names the frame columns that define the strata (``district`` or
    ``age_band:sex``), ``stratum`` the stratum's codes (``3`` or ``3:1``); ``population``
    is N_h, ``letters`` the letters of this batch in the stratum (n_h adds up over
    batches) and ``undeliverable`` how many of them came back.
    """

    __tablename__ = "design_strata"
    __table_args__ = (UniqueConstraint("survey_id", "batch", "stratum", name="uq_design_batch_stratum"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[str] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    batch: Mapped[str] = mapped_column(String(64))
    variables: Mapped[str] = mapped_column(String(200))
    stratum: Mapped[str] = mapped_column(String(200))
    population: Mapped[float] = mapped_column(Float)
    letters: Mapped[int] = mapped_column(Integer)
    undeliverable: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OpenStartCount(Base):
    """How many open (code-less) responses one address started on one day — never the address.

    ``address_key`` is an HMAC of the day and the address under its own domain: it changes
    every day, so it cannot follow anyone across days; a past day's is replaced by a random key
    (``survey_app.bursts.forget_past_addresses``), so even with the secret it cannot be tried back.
    It is never joined to a response; the monitor shows only the counts (bursts).
    """

    __tablename__ = "open_start_counts"
    __table_args__ = (UniqueConstraint("survey_id", "day", "address_key", name="uq_open_start_day_address"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[str] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    address_key: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer, default=0)


class Response(Base):
    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid_mod.uuid4()))
    survey_id: Mapped[str] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    survey_version: Mapped[int] = mapped_column(Integer)  # started under; once submitted, submitted under
    channel: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(16))  # BCP 47 tags such as ja-x-easy
    source: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(8), default="partial", index=True)
    stratum: Mapped[dict] = mapped_column(JSON, default=dict)
    access_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    resume_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(index=True)

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("response_id", "question_id", name="uq_answer_response_question"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(String(64))
    code: Mapped[int | None] = mapped_column(Integer)
    codes: Mapped[list | None] = mapped_column(JSON)
    number: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    response: Mapped[Response] = relationship(back_populates="answers")


class PopulationMargin(Base):
    __tablename__ = "population_margins"
    __table_args__ = (UniqueConstraint("survey_id", "dimension", "category", name="uq_margin_cell"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[str] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    dimension: Mapped[str] = mapped_column(String(200))  # "age_band" or joint "age_band:sex"
    category: Mapped[str] = mapped_column(String(200))  # "3" or joint "3:1"
    count: Mapped[float] = mapped_column(Float)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(16), default=locales.default)
    # Bumped by logout, password change, disable and role change: every cookie carrying an
    # older number is refused on its next request (``survey_app.staff.revoke_sessions``).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    api_token_expires: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column()
    # A one-time password an admin issued: the next login must choose a new one.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class SurveySetting(Base):
    """One administrative setting of a survey (回答期限, sender, contact phone, …): not part of the
    instrument, so changing it never needs a new instrument version. Keys: ``survey_app.survey_settings``."""
    __tablename__ = "survey_settings"
    __table_args__ = (UniqueConstraint("survey_id", "key", name="uq_survey_setting"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[str] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(254))


class IndicatorValue(Base):
    """A baseline, target or published history value of an indicator, set by staff (survey metadata:
    it overrides the instrument's ``baseline``/``target``/``history`` without a version bump)."""
    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("survey_id", "indicator_id", "kind", "year", name="uq_indicator_value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[str] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # "baseline" | "target" | "history"
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float | None] = mapped_column(Float)  # None: explicitly "no value set"
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(254))


class LoginThrottle(Base):
    """Failed logins counted per (e-mail, address) and per e-mail over all addresses.

    Keys are HMACs (``survey_app.lockout``): the table does not list addresses or which
    e-mail addresses were tried, and unknown e-mail addresses are counted like real ones, so
    the lock answer does not reveal which accounts exist.
    """

    __tablename__ = "login_throttle"

    subject: Mapped[str] = mapped_column(String(64), primary_key=True)  # HMAC of the e-mail address
    address: Mapped[str] = mapped_column(String(64), primary_key=True)  # HMAC of the client, or "*"
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class BotSession(Base):
    __tablename__ = "bot_sessions"
    __table_args__ = (UniqueConstraint("channel", "chat_key", "survey_id", name="uq_bot_chat_survey"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_key: Mapped[str] = mapped_column(String(64))  # HMAC pseudonym of the chat id
    survey_id: Mapped[str] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    locale: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(32))
    question_id: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # retries, pending code, ...
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id", ondelete="SET NULL"))
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    last_activity: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BotReminder(Base):
    """A pending reminder for an unfinished chat (one per conversation), sent by any bot process.

    ``address`` is the channel's chat address (Telegram chat id, LINE user id) ENCRYPTED
    (``survey_app/sealing.py``, AES-256-GCM under a key derived from SECRET_KEY): the
    pseudonym alone cannot be written to.
    The row — address included — is deleted when the reminder is sent for the last time, when
    the resident stops, finishes or erases, and with the conversation (CASCADE).
    ``claimed_by``/``claimed_at``: the process that took it (an atomic UPDATE), so it is sent once.
    """

    __tablename__ = "bot_reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("bot_sessions.id", ondelete="CASCADE"), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(index=True)
    address: Mapped[str] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column()


class BotSeenEvent(Base):
    """Ids of webhook events already taken (LINE ``webhookEventId``): a redelivery is dropped.

    The unique constraint makes taking an event atomic across bot processes. Rows are pruned
    after a week (LINE redelivers for far less). Holds no personal data.
    """

    __tablename__ = "bot_seen_events"
    __table_args__ = (UniqueConstraint("channel", "event_id", name="uq_bot_seen_event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
