"""Hostile input against the one write path: never an unexpected exception, stored literally or refused."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from survey_app import responses
from survey_app.instrument import bundled_path, load_instrument
from survey_app.models import Answer

INSTRUMENT = load_instrument(bundled_path())
QIDS = [q.id for q in INSTRUMENT.questions]
raw_values = st.one_of(st.none(), st.text(max_size=50), st.integers(-10**12, 10**12),
                       st.lists(st.text(max_size=5), max_size=4), st.booleans(), st.floats(allow_nan=True))
raw_answers = st.dictionaries(st.one_of(st.sampled_from(QIDS), st.text(max_size=12)), raw_values, max_size=8)


@settings(max_examples=300, deadline=None)
@given(raw_answers)
def test_validate_never_raises(raw):
    values, errors = responses.validate(INSTRUMENT, raw)
    assert set(values) | set(errors) == set(raw)
    for qid, value in values.items():
        if value is not None:
            assert INSTRUMENT.has_question(qid)


SQL_AND_SCRIPT = ["'; DROP TABLE answers; --", "<script>alert(1)</script>", "Robert'); DELETE FROM responses;--",
                  "=HYPERLINK(\"http://x\")", "\u202eevil\u202c", "𠮷野家🍜", "a" * 2000]


@settings(max_examples=len(SQL_AND_SCRIPT), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(SQL_AND_SCRIPT))
def test_injection_strings_are_stored_literally(session, instrument, secret, text):
    r = responses.start(session, instrument, secret=secret, channel="web", locale="ja").response
    errors = responses.record(session, instrument, r, {"comment": text})
    assert not errors
    stored = session.scalar(select(Answer.text).where(Answer.response_id == r.id, Answer.question_id == "comment"))
    expected = text.replace("\u202e", "").replace("\u202c", "")  # bidi overrides removed, nothing else
    assert stored == expected
    assert session.scalar(select(Answer.id).limit(1)) is not None  # the table is still there
