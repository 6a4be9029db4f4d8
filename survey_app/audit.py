"""Audit log of staff actions: who did what, to which survey, when.

Events never carry resident data: no invitation codes, no answers — only counts and
ids (a paper entry records the survey, not the code typed).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.i18n import N_
from survey_app.models import AuditEvent

# action -> description msgid (shown on the audit page in the staff member's language)
ACTIONS: dict[str, str] = {
    "login": N_("Logged in"),
    "login_failed": N_("Failed login"),
    "password_change_failed": N_("Wrong current password when changing it"),
    "logout": N_("Logged out"),
    "export": N_("Export"),
    "invitations_create": N_("Invitation codes created"),
    "invitations_undeliverable": N_("Letters marked undeliverable"),
    "invitations_delivered": N_("Letters counted as delivered again"),
    "population_replace": N_("Population margins replaced"),
    "survey_settings": N_("Survey settings changed"),
    "indicator_values": N_("Baselines, targets or history changed"),
    "letters_print": N_("Letters printed"),
    "paper_entry": N_("Paper return entered"),
    "responses_import": N_("Returns imported from a file"),
    "staff_create": N_("Staff account created"),
    "token_issue": N_("API token issued"),
    "token_revoke": N_("API token revoked"),
    "staff_password": N_("Password changed"),
    "staff_sessions_revoked": N_("Sessions ended"),
    "staff_disable": N_("Account disabled"),
    "staff_enable": N_("Account enabled"),
    "staff_role": N_("Role changed"),
    "staff_unlock": N_("Login lock lifted"),
}


def record(session: Session, actor: str | None, action: str, target: str | None = None,
           detail: dict[str, Any] | None = None, commit: bool = True) -> AuditEvent:
    """Store one event; ``commit=False`` lets it join the caller's transaction (all or nothing)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action '{action}'")
    event = AuditEvent(actor=actor, action=action, target=target, detail=dict(detail or {}))
    session.add(event)
    if commit:
        session.commit()
    return event


@dataclass(frozen=True)
class Page:
    events: list[AuditEvent]
    next_before: int | None  # id to pass as ``before_id`` for the next (older) page


def query(session: Session, *, action: str | None = None, actor: str | None = None,
          before_id: int | None = None, limit: int = 100) -> Page:
    """Newest first, keyset-paginated by id (stable while new events arrive)."""
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit + 1)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if actor:
        stmt = stmt.where(AuditEvent.actor == actor.strip().lower())
    if before_id:
        stmt = stmt.where(AuditEvent.id < before_id)
    events = list(session.scalars(stmt))
    more = len(events) > limit
    events = events[:limit]
    return Page(events, events[-1].id if more and events else None)
