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
