"""Response monitor queries, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from survey_app import monitor, responses
from survey_app.invitations import create_invitations

REQUIRED = {"kurashiyasui": "1", "age_band": "2", "sex": "1", "district": "3"}


def _row(age, district, when, locale="ja"):
    return {"kurashiyasui": 1, "age_band": age, "sex": 1, "district": district, "_locale": locale,
            "_submitted_at": when}


def test_per_day_in_japan_time_and_counts_by_channel_language_question(session, instrument, secret):
    late_utc = datetime(2026, 5, 1, 16, 30, tzinfo=UTC)  # already 2 May in Japan
    responses.bulk_complete(session, instrument, [
        _row(1, 1, datetime(2026, 5, 1, 3, 0, tzinfo=UTC)),
        _row(2, 1, late_utc, locale="vi"),
        _row(2, 2, datetime(2026, 5, 2, 1, 0, tzinfo=UTC), locale="ur"),
    ], channel="web")
    responses.bulk_complete(session, instrument, [_row(6, 3, datetime(2026, 5, 4, 1, 0, tzinfo=UTC))],
                            channel="paper")
    responses.start(session, instrument, secret=secret, channel="telegram", locale="en")  # partial

    report = monitor.monitor(session, instrument)
    assert (report.complete, report.partial) == (4, 1)
    assert report.per_day == [(date(2026, 5, 1), 1), (date(2026, 5, 2), 2), (date(2026, 5, 4), 1)]
    assert monitor.fill_days(report.per_day)[2] == (date(2026, 5, 3), 0)
    assert report.by_channel == {"paper": 1, "web": 3}
    assert report.by_language == {"ja": 2, "ur": 1, "vi": 1}
    assert report.by_question["district"] == {1: 2, 2: 1, 3: 1}
    assert report.by_question["age_band"] == {1: 1, 2: 2, 6: 1}
    assert report.rates == [] and report.invited_total == 0


def test_response_rate_per_stratum(session, instrument, secret):
    frame = [{"age_band": 1, "district": 1}] * 4 + [{"age_band": 6, "district": 2}] * 2 + [{"district": 2}]
    letters = create_invitations(session, instrument, secret, frame)
    young = [lt.code for lt in letters if lt.stratum.get("age_band") == 1]
    for code in young[:2]:
        responses.enter_complete(session, instrument, secret=secret, channel="paper", locale="ja",
                                 raw=REQUIRED, code=code)
    responses.start(session, instrument, secret=secret, channel="web", locale="ja", code=young[2])  # partial
    from survey_app.letters import mark_undeliverable
    mark_undeliverable(session, instrument, secret, young[3])

    rates = {(r.dimension, r.code): r for r in monitor.response_rates(session, instrument)}
    age1 = rates[("age_band", 1)]
    assert (age1.invited, age1.undeliverable, age1.responded, age1.partial) == (4, 1, 2, 1)
    assert age1.rate == 100 * 2 / 3
    assert rates[("age_band", 6)].rate == 0.0
    assert rates[("age_band", None)].invited == 1  # frame row without an age band
    assert rates[("district", 2)].invited == 3
    assert not any(dim == "sex" for dim, _ in rates)  # the frame had no sex column
    assert monitor.invited_total(session, instrument.id) == 7


def test_stratum_rate_without_delivered_letters_is_none():
    assert monitor.StratumRate("age_band", 1, 2, 2, 0, 0).rate is None


def test_bursts_of_open_starts_are_counts_under_a_daily_key(session, instrument, secret):
    """Issue 11: the monitor shows bursts from one address; the address is never stored."""
    from sqlalchemy import select

    from survey_app.bursts import BURST_THRESHOLD, address_key, bursts, note_open_start
    from survey_app.models import OpenStartCount

    may1 = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
    for _ in range(BURST_THRESHOLD):
        note_open_start(session, instrument.id, secret, "203.0.113.7", now=may1)
    note_open_start(session, instrument.id, secret, "198.51.100.2", now=may1)
    note_open_start(session, instrument.id, secret, "203.0.113.7", now=datetime(2026, 5, 2, 3, 0, tzinfo=UTC))
    assert [(b.day, b.starts) for b in bursts(session, instrument.id)] == [(date(2026, 5, 1), BURST_THRESHOLD)]
    keys = session.scalars(select(OpenStartCount.address_key)).all()
    assert len(keys) == 2 and not any("203.0.113.7" in k or "198.51" in k for k in keys)
    assert address_key(secret, date(2026, 5, 1), "203.0.113.7") != address_key(secret, date(2026, 5, 2), "203.0.113.7")
    # once May 1 is over its keys are forgotten: the single start deleted, the burst kept under a random key,
    # so a dump and the secret no longer give back May 1's addresses by trying them all
    may1_keys = {address_key(secret, date(2026, 5, 1), a) for a in ("203.0.113.7", "198.51.100.2")}
    assert not may1_keys & set(keys)
    assert address_key(secret, date(2026, 5, 2), "203.0.113.7") in keys
    assert monitor.monitor(session, instrument).bursts[0].starts == BURST_THRESHOLD


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite's writers queue: no such race
def test_two_first_starts_from_one_address_at_once_count_two(engine, instrument, secret):
    """The other request inserts the day's row between this one's UPDATE (no row yet) and its
    INSERT: the INSERT's unique violation is rolled back and counted on the row the other made."""
    from sqlalchemy import event, select
    from sqlalchemy.orm import Session

    from survey_app.bursts import note_open_start
    from survey_app.models import OpenStartCount

    when = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
    overtaken: list[str] = []

    def the_other_request_first(_conn, _cursor, statement, *_args):
        if statement.startswith("INSERT INTO open_start_counts") and not overtaken:
            overtaken.append(statement)
            with Session(engine) as other:
                note_open_start(other, instrument.id, secret, "203.0.113.7", now=when)

    event.listen(engine, "before_cursor_execute", the_other_request_first)
    try:
        with Session(engine) as mine:
            note_open_start(mine, instrument.id, secret, "203.0.113.7", now=when)
    finally:
        event.remove(engine, "before_cursor_execute", the_other_request_first)
    with Session(engine) as check:
        assert overtaken and check.scalars(select(OpenStartCount.count)).all() == [2]
