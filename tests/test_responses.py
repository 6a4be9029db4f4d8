"""The one write path, on SQLite and PostgreSQL."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey_app import responses
from survey_app.invitations import create_invitations
from survey_app.models import Answer, Response

REQUIRED = {"kurashiyasui": "1", "age_band": "2", "sex": "1", "district": "3"}


def _invite(session, instrument, secret, n=1, stratum=None):
    return [letter.code for letter in create_invitations(session, instrument, secret, [stratum or {"age_band": 2}] * n)]


def test_open_response_records_validates_and_submits(session, instrument, secret):
    started = responses.start(session, instrument, secret=secret, channel="web", locale="vi")
    r = started.response
    assert (r.source, r.status, r.locale, started.resumed) == ("open", "partial", "vi", False)
    errors = responses.record(session, instrument, r, {"kurashiyasui": "１", "kosodate": "7", "household_size": "abc"})
    assert set(errors) == {"kosodate", "household_size"}
    assert responses.current_answers(session, r) == {"kurashiyasui": 1}  # valid answer kept
    with pytest.raises(responses.MissingRequired) as info:
        responses.submit(session, instrument, r)
    assert info.value.question_ids == ["age_band", "sex", "district"]
    assert not responses.record(session, instrument, r, REQUIRED)
    result = responses.submit(session, instrument, r, channel="web")
    assert not result.already and result.response.status == "complete"
    again = responses.submit(session, instrument, r)
    assert again.already
    with pytest.raises(responses.AlreadySubmitted):
        responses.record(session, instrument, r, {"kurashiyasui": "2"})


def test_a_response_started_before_a_new_version_is_submitted_under_it(session, instrument, secret):
    """The answers were checked against, and mean what, the version they were submitted under."""
    from dataclasses import replace

    started = responses.start(session, instrument, secret=secret, channel="web", locale="ja").response
    assert started.survey_version == instrument.version
    newer = replace(instrument, version=instrument.version + 1)
    assert not responses.record(session, newer, started, REQUIRED)
    responses.submit(session, newer, started)
    session.expire_all()
    assert session.get(Response, started.id).survey_version == instrument.version + 1


def test_hidden_answers_are_dropped_and_empty_clears(session, instrument, secret):
    r = responses.start(session, instrument, secret=secret, channel="web", locale="ja").response
    responses.record(session, instrument, r, {"kosodate": "4", "kosodate_reason": "公園が少ない"})
    assert responses.current_answers(session, r)["kosodate_reason"] == "公園が少ない"
    responses.record(session, instrument, r, {"kosodate": "1"})  # reason no longer shown
    assert "kosodate_reason" not in responses.current_answers(session, r)
    responses.record(session, instrument, r, {"kosodate": ""})
    assert "kosodate" not in responses.current_answers(session, r)


def test_multi_number_text_values(session, instrument, secret):
    r = responses.start(session, instrument, secret=secret, channel="web", locale="ja").response
    errors = responses.record(session, instrument, r, {
        "has_children": "1", "kosodate_needs": ["3", "1"], "household_size": "４", "comment": " よい\x00まち "})
    assert not errors
    assert responses.current_answers(session, r) == {
        "has_children": 1, "kosodate_needs": (1, 3), "household_size": 4.0, "comment": "よいまち"}
    errors = responses.record(session, instrument, r, {"household_size": "99", "kosodate_needs": ["8"]})
    assert errors["household_size"].params == {"max": "20"}
    assert "kosodate_needs" in errors


def test_unknown_question_is_an_error_not_a_write(session, instrument, secret):
    r = responses.start(session, instrument, secret=secret, channel="web", locale="ja").response
    errors = responses.record(session, instrument, r, {"drop_table": "1"})
    assert "drop_table" in errors
    assert session.scalar(select(func.count()).select_from(Answer)) == 0


def test_invitation_code_resumes_then_is_single_use(session, instrument, secret):
    code, = _invite(session, instrument, secret, stratum={"age_band": 6, "sex": 2, "district": 1})
    first = responses.start(session, instrument, secret=secret, channel="web", locale="ja", code=code)
    assert first.response.source == "invited" and first.response.stratum == {"age_band": 6, "sex": 2, "district": 1}
    responses.record(session, instrument, first.response, {"kurashiyasui": "2"})
    again = responses.start(session, instrument, secret=secret, channel="telegram", locale="ur", code=code.lower())
    assert again.resumed and again.response.id == first.response.id
    responses.record(session, instrument, again.response, REQUIRED)
    responses.submit(session, instrument, again.response, channel="paper")
    with pytest.raises(responses.CodeProblem) as info:
        responses.start(session, instrument, secret=secret, channel="web", locale="ja", code=code)
    assert info.value.kind == "used"
    assert session.scalar(select(Response)).channel == "paper"


def test_code_problems(session, instrument, secret):
    code, = _invite(session, instrument, secret)
    kinds = {}
    for label, raw in [("typo", code[:-1] + ("Z" if code[-1] != "Z" else "Y")), ("malformed", "abc"),
                       ("unknown", __import__("survey_app.codes").codes.generate())]:
        with pytest.raises(responses.CodeProblem) as info:
            responses.start(session, instrument, secret=secret, channel="web", locale="ja", code=raw)
        kinds[label] = info.value.kind
    assert kinds == {"typo": "typo", "malformed": "malformed", "unknown": "unknown"}
    with pytest.raises(responses.CodeProblem) as info:
        responses.start(session, instrument, secret="another-city", channel="web", locale="ja", code=code)
    assert info.value.kind == "unknown"


def test_resume_token(session, instrument, secret):
    r = responses.start(session, instrument, secret=secret, channel="web", locale="ja").response
    token = responses.issue_resume_token(session, secret, r)
    assert responses.resume(session, secret, token).id == r.id
    with pytest.raises(responses.ResumeNotFound):
        responses.resume(session, secret, "XXXX")


def test_delete_response_erases_answers(session, instrument, secret):
    r = responses.start(session, instrument, secret=secret, channel="telegram", locale="vi").response
    responses.record(session, instrument, r, REQUIRED)
    responses.delete_response(session, r)
    assert session.scalar(select(func.count()).select_from(Answer)) == 0
    assert session.scalar(select(func.count()).select_from(Response)) == 0


def test_enter_complete_refuses_invalid_entries_whole(session, instrument, secret):
    code, = _invite(session, instrument, secret)
    with pytest.raises(responses.InvalidEntry):
        responses.enter_complete(session, instrument, secret=secret, channel="paper", locale="ja",
                                 raw={**REQUIRED, "kosodate": "8"}, code=code)
    assert session.scalar(select(func.count()).select_from(Response)) == 0
    result = responses.enter_complete(session, instrument, secret=secret, channel="paper", locale="ja",
                                      raw=REQUIRED, code=code)
    assert result.response.status == "complete"


def _parallel(n, fn):
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        barrier.wait()
        try:
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - collected and asserted on
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.mark.parametrize("n", [24])
def test_single_use_under_concurrency(engine, instrument, secret, n):
    with Session(engine) as s:
        code, = _invite(s, instrument, secret)

    def start_and_submit():
        with Session(engine, expire_on_commit=False) as s:
            started = responses.start(s, instrument, secret=secret, channel="web", locale="ja", code=code)
            responses.record(s, instrument, started.response, REQUIRED)
            return responses.submit(s, instrument, started.response)

    results = _parallel(n, start_and_submit)
    submitted = [r for r in results if isinstance(r, responses.SubmitResult) and not r.already]
    others = [r for r in results if r not in submitted]
    assert len(submitted) == 1, results
    # every other attempt was told, politely: already submitted or code used
    assert all((isinstance(r, responses.SubmitResult) and r.already)
               or isinstance(r, (responses.CodeProblem, responses.AlreadySubmitted)) for r in others), others
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Response)) == 1
        assert s.scalar(select(func.count()).select_from(Response).where(Response.status == "complete")) == 1


def test_a_save_racing_a_submit_is_refused_whole(engine, session, instrument, secret):
    """A page saved from a second tab after the first tab submitted: refused, nothing written."""
    started = responses.start(session, instrument, secret=secret, channel="web", locale="ja")
    responses.record(session, instrument, started.response, REQUIRED)
    held = responses.held_with_survey(session, started.response.uuid)  # read before the submit
    with Session(engine, expire_on_commit=False) as other_tab:
        responses.submit(other_tab, instrument, responses.by_uuid(other_tab, held.uuid))
    assert held.status == "partial"
    with pytest.raises(responses.AlreadySubmitted):
        responses.record(session, instrument, held, {"kurashiyasui": "4", "comment": "late"}, answers=held.answers)
    assert responses.current_answers(session, started.response)["kurashiyasui"] == 1
    assert "comment" not in responses.current_answers(session, started.response)


def test_the_callers_answers_follow_what_is_stored(session, instrument, secret):
    started = responses.start(session, instrument, secret=secret, channel="web", locale="ja")
    held = responses.held_with_survey(session, started.response.uuid)
    assert held.answers == {} and held.survey_hash == instrument.content_hash
    responses.record(session, instrument, held, {"has_children": "1", "kosodate": "3", "kosodate_needs": ["2", "4"]},
                     answers=held.answers, locale="vi")
    assert held.answers == {"has_children": 1, "kosodate": 3, "kosodate_needs": (2, 4)}
    responses.record(session, instrument, held, {"has_children": "2"}, answers=held.answers)  # hides the follow-up
    assert held.answers == {"has_children": 2, "kosodate": 3}
    assert responses.current_answers(session, held) == held.answers
    assert responses.held_with_survey(session, held.uuid).locale == "vi"


def test_a_changed_answer_of_every_column_is_rewritten_and_the_language_kept(session, instrument, secret):
    started = responses.start(session, instrument, secret=secret, channel="web", locale="ja")
    held = responses.held_with_survey(session, started.response.uuid)
    first = {"has_children": "1", "kosodate_needs": ["2", "4"], "household_size": "3", "comment": "はじめ"}
    responses.record(session, instrument, held, first, answers=held.answers, locale="ur")
    changed = {"kosodate_needs": ["1"], "household_size": "5", "comment": "あと"}
    responses.record(session, instrument, held, changed, answers=held.answers)  # no language given: kept
    stored = responses.held_with_survey(session, held.uuid)
    assert stored.answers == held.answers == {"has_children": 1, "kosodate_needs": (1,), "household_size": 5.0,
                                              "comment": "あと"}
    assert stored.locale == "ur"


def test_a_stale_read_of_the_caller_is_repaired(engine, session, instrument, secret):
    """The caller's answers are out of date (another tab saved or cleared the same question
    meanwhile): the save is applied on top of what is stored, the latest answer wins."""
    started = responses.start(session, instrument, secret=secret, channel="web", locale="ja")
    responses.record(session, instrument, started.response, {"kurashiyasui": "1"})
    stale = responses.held_with_survey(session, started.response.uuid)
    with Session(engine, expire_on_commit=False) as other_tab:
        theirs = responses.by_uuid(other_tab, stale.uuid)
        responses.record(other_tab, instrument, theirs, {"kurashiyasui": "", "kenko": "2"})
    responses.record(session, instrument, stale, {"kurashiyasui": "3", "kenko": "1"}, answers=stale.answers)
    assert responses.current_answers(session, stale) == {"kurashiyasui": 3, "kenko": 1} == stale.answers
