"""Bursts of open responses from one address, counted without keeping the address.

Open (code-less) answers can be stuffed by one person reloading the open link. Each open
start adds 1 to a count keyed by ``HMAC(secret, "open-start:<day>:<address>")`` — the key
changes every (Japan) day, the address cannot be recovered from it, and it is never stored
with a response. The monitor lists the days on which one address started at least
``BURST_THRESHOLD`` open responses (the count only). Analysis is unaffected; the figure
staff publish comes from the invited sample anyway.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey_app.db import rows_changed
from survey_app.models import OpenStartCount, utcnow

BURST_THRESHOLD = 20
JST = timedelta(hours=9)


@dataclass(frozen=True)
class Burst:
    day: date
    starts: int


def address_key(secret: str, day: date, address: str) -> str:
    message = f"open-start:{day.isoformat()}:{address}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def note_open_start(session: Session, survey_id: str, secret: str, address: str | None,
                    now: datetime | None = None) -> None:
    """Count one open start for the address today (JST); one small transaction."""
    if not address:
        return
    day = ((now or utcnow()) + JST).date()
    key = address_key(secret, day, address)
    where = (OpenStartCount.survey_id == survey_id, OpenStartCount.day == day, OpenStartCount.address_key == key)
    if rows_changed(session.execute(update(OpenStartCount).where(*where).values(count=OpenStartCount.count + 1))):
        session.commit()
        return
    session.add(OpenStartCount(survey_id=survey_id, day=day, address_key=key, count=1))
    try:
        session.commit()
    except IntegrityError:  # the same address started twice at the same moment: count on the row it made
        session.rollback()
        session.execute(update(OpenStartCount).where(*where).values(count=OpenStartCount.count + 1))
        session.commit()


def bursts(session: Session, survey_id: str, threshold: int = BURST_THRESHOLD) -> list[Burst]:
    rows = session.execute(select(OpenStartCount.day, OpenStartCount.count)
                           .where(OpenStartCount.survey_id == survey_id, OpenStartCount.count >= threshold)
                           .order_by(OpenStartCount.count.desc(), OpenStartCount.day)).all()
    return [Burst(day, starts) for day, starts in rows]
