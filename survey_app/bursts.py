"""Bursts of open responses from one address, counted without keeping the address.

Open (code-less) answers can be stuffed by one person reloading the open link. Each open
start adds 1 to a count keyed by ``HMAC(secret, "open-start:<day>:<address>")`` — the key
changes every (Japan) day, the address cannot be recovered from it, and it is never stored
with a response. The monitor lists the days on which one address started at least
``BURST_THRESHOLD`` open responses (the count only). Analysis is unaffected; the figure
staff publish comes from the invited sample anyway.

Once a day is over its keys are not needed: the first count of a new day forgets the earlier
days' — counts below the threshold are deleted, bursts keep their count under a random key. With a
database dump *and* ``SECRET_KEY`` the day's addresses could otherwise be found by trying every
IPv4 address (about four core-hours a day) and lined up with the open responses by order; now only
the current day's could.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey_app.db import rows_changed
from survey_app.models import OpenStartCount, utcnow

BURST_THRESHOLD = 20
FORGOTTEN = "x"  # prefix of a past burst's random key (an HMAC is lower-case hex: never starts with x)
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
        forget_past_addresses(session, survey_id, day)
        session.commit()
    except IntegrityError:  # the same address started twice at the same moment: count on the row it made
        session.rollback()
        session.connection().execute(_ONE_MORE, params)
        session.commit()


def forget_past_addresses(session: Session, survey_id: str, today: date,
                          threshold: int = BURST_THRESHOLD) -> None:
    """Before ``today``: counts below the threshold deleted, a burst's key replaced by a random one
    (the caller commits). Cheap after the first call of a day: only past bursts remain."""
    past = (OpenStartCount.survey_id == survey_id, OpenStartCount.day < today)
    session.execute(delete(OpenStartCount).where(*past, OpenStartCount.count < threshold))
    keyed = session.execute(select(OpenStartCount.id).where(*past, ~OpenStartCount.address_key.startswith(FORGOTTEN)))
    for (row_id,) in keyed.all():
        session.execute(update(OpenStartCount).where(OpenStartCount.id == row_id)
                        .values(address_key=FORGOTTEN + secrets.token_hex(16)))


def bursts(session: Session, survey_id: str, threshold: int = BURST_THRESHOLD) -> list[Burst]:
    rows = session.execute(select(OpenStartCount.day, OpenStartCount.count)
                           .where(OpenStartCount.survey_id == survey_id, OpenStartCount.count >= threshold)
                           .order_by(OpenStartCount.count.desc(), OpenStartCount.day)).all()
    return [Burst(day, starts) for day, starts in rows]
