"""Retention: purge removes free text, bot sessions and abandoned partials, keeps the statistics."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from survey_app import responses
from survey_app.models import Answer, BotSession, Response
from survey_app.retention import purge

REQUIRED = {"kurashiyasui": "1", "age_band": "2", "sex": "1", "district": "3"}


def test_purge_before_date(session, instrument, secret):
    done = responses.start(session, instrument, secret=secret, channel="web", locale="ja").response
    responses.record(session, instrument, done, {**REQUIRED, "comment": "家の前の道が暗い（江別太郎）"})
    responses.submit(session, instrument, done)
    abandoned = responses.start(session, instrument, secret=secret, channel="web", locale="ja").response
    responses.record(session, instrument, abandoned, {"kurashiyasui": "3"})
    session.add(BotSession(channel="telegram", chat_key="k" * 64, survey_id=instrument.id, state="ask"))
    session.commit()
    old = datetime.now(UTC) - timedelta(days=400)
    session.execute(update(Response).values(updated_at=old))
    session.execute(update(BotSession).values(last_activity=old))
    session.commit()

    counts = purge(session, datetime.now(UTC) - timedelta(days=365))
    assert (counts.free_texts, counts.bot_sessions, counts.partial_responses) == (1, 1, 1)
    remaining = dict(session.execute(select(Answer.question_id, Answer.code)).all())
    assert remaining == {"kurashiyasui": 1, "age_band": 2, "sex": 1, "district": 3}
    assert session.scalar(select(func.count()).select_from(Response)) == 1
    assert session.scalar(select(func.count()).select_from(BotSession)) == 0


def test_purge_cli(cli):
    cli("setup")
    assert cli("purge", "--before", "2020-01-01", "--dry-run").output.startswith("would remove: 0 free-text")
    future = cli("purge", "--before", "2999-01-01")
    assert future.exit_code == 1 and "in the future" in future.output
    bad = cli("purge", "--before", "yesterday")
    assert bad.exit_code == 2 and "'yesterday' does not match the format" in bad.output


def test_purge_leaves_no_time_finer_than_the_day(session, instrument, secret):
    """Issue 14: what a dump still holds after purge has no time of day to line up with."""
    done = responses.start(session, instrument, secret=secret, channel="web", locale="ja").response
    responses.record(session, instrument, done, REQUIRED)
    responses.submit(session, instrument, done)
    recent = responses.start(session, instrument, secret=secret, channel="web", locale="ja").response
    responses.record(session, instrument, recent, REQUIRED)
    responses.submit(session, instrument, recent)
    old = datetime(2025, 3, 4, 13, 57, 21, 123456, tzinfo=UTC)
    session.execute(update(Response).where(Response.id == done.id).values(started_at=old, updated_at=old,
                                                                           submitted_at=old))
    session.execute(update(Answer).where(Answer.response_id == done.id).values(answered_at=old))
    session.commit()

    counts = purge(session, datetime(2025, 6, 1, tzinfo=UTC))
    assert counts.coarsened_responses == 1
    session.expire_all()
    kept = session.get(Response, done.id)
    times = [kept.started_at, kept.updated_at, kept.submitted_at,
             *session.scalars(select(Answer.answered_at).where(Answer.response_id == done.id))]
    assert {(t.year, t.month, t.day, t.hour, t.minute, t.second, t.microsecond) for t in times} == {
        (2025, 3, 4, 0, 0, 0, 0)}
    assert session.get(Response, recent.id).submitted_at.year > 2025  # newer data untouched


def test_purge_forgets_the_last_days_open_start_keys(session, instrument, secret):
    """The next day's first open start forgets a day's keys; after the last day of fieldwork none
    comes, so the last day's HMAC keys stayed for good (a dump and the secret give their addresses)."""
    from survey_app.bursts import BURST_THRESHOLD, address_key, note_open_start
    from survey_app.models import OpenStartCount

    last_day = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
    note_open_start(session, instrument.id, secret, "203.0.113.7", now=last_day)
    for _ in range(BURST_THRESHOLD):
        note_open_start(session, instrument.id, secret, "198.51.100.2", now=last_day)
    purge(session, datetime(2026, 5, 3, tzinfo=UTC))
    rows = session.execute(select(OpenStartCount.address_key, OpenStartCount.count)).all()
    assert [count for _key, count in rows] == [BURST_THRESHOLD]  # the burst's count stays, the single start goes
    assert rows[0][0] != address_key(secret, last_day.date(), "198.51.100.2")
