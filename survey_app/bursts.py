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

from sqlalchemy import bindparam, select
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


# Core statements built once on the table: the ORM's UPDATE (which first checks the session's
# objects for rows to keep in step) and its unit of work made this 40 % of starting a response.
_COUNTS = OpenStartCount.__table__
_ONE_MORE = (_COUNTS.update()
             .where(_COUNTS.c.survey_id == bindparam("survey"), _COUNTS.c.day == bindparam("on_day"),
                    _COUNTS.c.address_key == bindparam("key"))
             .values(count=_COUNTS.c.count + 1))
_FIRST = _COUNTS.insert().values(survey_id=bindparam("survey"), day=bindparam("on_day"),
                                 address_key=bindparam("key"), count=1)


def note_open_start(session: Session, survey_id: str, secret: str, address: str | None,
                    now: datetime | None = None) -> None:
    """Count one open start for the address today (JST); one small transaction."""
    if not address:
        return
    day = ((now or utcnow()) + JST).date()
    params = {"survey": survey_id, "on_day": day, "key": address_key(secret, day, address)}
    conn = session.connection()
    if rows_changed(conn.execute(_ONE_MORE, params)):
        session.commit()
        return
    try:
        conn.execute(_FIRST, params)
        session.commit()
    except IntegrityError:  # the same address started twice at the same moment: count on the row it made
        session.rollback()
        session.connection().execute(_ONE_MORE, params)
        session.commit()


def bursts(session: Session, survey_id: str, threshold: int = BURST_THRESHOLD) -> list[Burst]:
    rows = session.execute(select(OpenStartCount.day, OpenStartCount.count)
                           .where(OpenStartCount.survey_id == survey_id, OpenStartCount.count >= threshold)
                           .order_by(OpenStartCount.count.desc(), OpenStartCount.day)).all()
    return [Burst(day, starts) for day, starts in rows]
