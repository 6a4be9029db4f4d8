"""End to end: the real python-telegram-bot Application against a fake Bot API server.

Each test starts tests/support/fake_telegram.py on 127.0.0.1 (free port), runs the bot against it via
``base_url`` and plays residents who tap the buttons the bot really sent. Databases: SQLite
and PostgreSQL (the ``db_url``/``instrument`` fixtures).
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bot import bidi
from survey_app import responses
from survey_app.i18n.catalogs import gettext
from survey_app.i18n.texts import InstrumentTexts
from survey_app.models import Answer, BotSession, Response
from tests.support.bot_harness import SECRET, BotRunner, Resident, settings_for

# The subject is the Telegram conversation, not storage: SQLite alone; every statement sent here reaches
# PostgreSQL in another test (tests/support/db.py, checked by tests/support/sql_reach.py).
pytestmark = pytest.mark.databases("sqlite")


@pytest.fixture
def running(telegram_api, db_url, instrument):
    with BotRunner(settings_for(telegram_api, db_url)) as runner:
        yield runner


def the_response(session) -> Response:
    session.expire_all()
    return session.scalars(select(Response)).one()


@pytest.mark.parametrize("locale", ["ja", "en", "vi", "ur"])
def test_complete_survey_by_taps_in_each_language(telegram_api, running, session, instrument, locale):
    resident = Resident(telegram_api, 4100 + len(locale), language_code=locale)
    resident.begin(locale)
    asked = resident.answer_everything(instrument)
    resident.tap_kind("R", "submit", expect="sendMessage")

    response = the_response(session)
    assert (response.status, response.channel, response.locale) == ("complete", "telegram", locale)
    answers = responses.current_answers(session, response)
    assert answers["kurashiyasui"] == 1 and answers["has_children"] == 1
    assert answers["kosodate_needs"] == (1,) and answers["household_size"] == 2.0
    assert "kosodate_reason" not in answers and "kosodate_reason" not in asked  # show_if
    assert set(asked) == set(answers)

    texts = InstrumentTexts(instrument, locale)
    sent = resident.texts()
    assert any(bidi.for_locale(locale, texts.question("kurashiyasui")) in t for t in sent)
    for call in telegram_api.calls:
        for row in call.buttons:
            assert all(len(b["callback_data"].encode()) <= 64 for b in row)
    if locale == "ur":
        assert all(bidi.FSI in t for t in sent if "/" in t)
    row = session.scalars(select(BotSession)).one()
    assert row.state == "done" and row.chat_key != str(resident.chat_id) and len(row.chat_key) == 64


def test_bot_answers_count_in_the_indicators_like_web_answers(telegram_api, running, session, instrument):
    from analysis import Options, compute_for_survey
    from analysis.result import Thresholds

    Resident(telegram_api, 4200, "en").begin("en")
    resident = Resident(telegram_api, 4200, "en")
    resident.answer_everything(instrument)
    resident.tap_kind("R", "submit", expect="sendMessage")
    web_raw = {"kurashiyasui": "4", "age_band": "2", "sex": "1", "district": "2"}
    responses.enter_complete(session, instrument, secret=SECRET, channel="web", locale="ja", raw=web_raw)

    # both came without a letter's code: the open sample (issue 11), where a chat answer counts like a web one
    # (two open responses are a group too small to publish: the threshold is lowered to look at them)
    result = compute_for_survey(session, instrument, Options(weighting="none", strict=False, sample="open",
                                                             thresholds=Thresholds(suppress_below=1)))
    living = result.indicator("living")
    assert result.n_respondents == 2 and result.open.n_respondents == 2
    assert (living.n, living.n_positive) == (2, 1)
    assert living.estimate == pytest.approx(50.0)
    channels = sorted(session.scalars(select(Response.channel)))
    assert channels == ["telegram", "web"]


def test_typed_answers_in_urdu_digits_and_other_languages(telegram_api, running, session, instrument):
    resident = Resident(telegram_api, 4300, "ur")
    resident.begin("ur")
    resident.say("۲")             # Extended Arabic-Indic digit: choice 2
    resident.say("No")            # English label while chatting in Urdu
    resident.say("わからない")      # Japanese label
    answers = responses.current_answers(session, the_response(session))
    assert answers == {"kurashiyasui": 2, "has_children": 2, "kosodate": 9}
    # the typed answers removed the keyboards of the questions they answered
    assert sum(1 for c in telegram_api.calls if c.method == "editMessageReplyMarkup") >= 3


def test_deep_link_code_starts_the_invited_response(telegram_api, running, session, instrument):
    from survey_app.invitations import create_invitations, telegram_link

    letter = create_invitations(session, instrument, SECRET, [{"age_band": 3, "sex": 2, "district": 1}])[0]
    payload = telegram_link("machikoe_test_bot", letter.code).rsplit("=", 1)[1]
    resident = Resident(telegram_api, 4400, "vi")
    resident.begin("vi", payload)
    resident.tap_code(1, expect="sendMessage")
    response = the_response(session)
    assert response.source == "invited" and response.stratum == {"age_band": 3, "sex": 2, "district": 1}
    assert response.channel == "telegram"

    other = Resident(telegram_api, 4401, "vi")
    compact = payload[:-1] + ("2" if payload[-1] != "2" else "3")   # a wrong check character
    calls = other.say(f"/start {compact}")
    typo = gettext("vi", responses.CodeProblem.MESSAGES["typo"])
    assert typo != responses.CodeProblem.MESSAGES["typo"]
    assert [c.text for c in calls[:2]] == [typo, gettext("vi", "You can still answer the survey without a code.")]
    assert calls[-1].buttons  # and the language chooser


@pytest.mark.parametrize("how", ["spaced", "typed_alone", "full_width_slash"])
def test_a_code_typed_by_hand_makes_the_answers_invited(telegram_api, running, session, instrument, how):
    """Without the letter's link a resident types the code: with spaces after /start, on its own at
    the language chooser, or after a Japanese keyboard's ／. Each was taken as no code (or as
    'tap a button'), and the resident went on as an open, self-selected respondent."""
    from survey_app.invitations import create_invitations

    letter = create_invitations(session, instrument, SECRET, [{"age_band": 3, "sex": 2, "district": 1}])[0]
    resident = Resident(telegram_api, 4410 + ["spaced", "typed_alone", "full_width_slash"].index(how), "en")
    if how == "spaced":
        resident.say("/start " + letter.code.replace("-", " "))
    elif how == "typed_alone":
        resident.say("/start")
        resident.say(letter.code.lower())
    else:
        resident.say("／start " + letter.code)
    response = the_response(session)
    assert response.source == "invited" and response.stratum == {"age_band": 3, "sex": 2, "district": 1}


def test_double_taps_and_stale_keyboards_are_acknowledged_and_ignored(telegram_api, running, session, instrument):
    resident = Resident(telegram_api, 4500, "en")
    resident.begin("en")
    question = resident.keyboard_message()
    first = next(b for b in resident.buttons(question) if b["callback_data"].endswith("|1"))["callback_data"]
    second = next(b for b in resident.buttons(question) if b["callback_data"].endswith("|4"))["callback_data"]
    resident.tap(first, question, expect="sendMessage")
    calls = resident.tap(second, question)          # the same keyboard again, another choice
    notices = [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]
    assert notices == ["This question has already been answered."]
    assert not any(c.method == "sendMessage" for c in calls)
    answers = responses.current_answers(session, the_response(session))
    assert answers == {"kurashiyasui": 1}
    edited = telegram_api.messages[(resident.chat_id, question["message_id"])]
    assert "reply_markup" not in edited and edited["text"].endswith("✓ Agree")


def test_bad_input_is_answered_politely_and_never_corrupts_the_session(telegram_api, running, session, instrument):
    resident = Resident(telegram_api, 4600, "vi")
    resident.begin("vi")
    resident.tap_code(2, expect="sendMessage")
    polite = []
    for kind in ("sticker", "photo", "voice"):
        calls = resident.send_update(telegram_api.media_update(resident.chat_id, kind, "vi"))
        polite.append(calls[-1].text)
    assert len(set(polite)) == 1 and polite[0] != "Sorry, I can only read text messages and button taps."

    edited = telegram_api.text_update(resident.chat_id, "1", "vi", edit_date=1)
    edited = {"edited_message": edited["message"]}
    assert not [c for c in resident.send_update(edited, expect=None) if c.method == "sendMessage"]

    long_reply = resident.say("x" * 4096)
    assert len(long_reply) == 1 and "x" * 50 not in long_reply[0].text

    calls = resident.tap("A|ffff|1|has_children|1", resident.keyboard_message())
    assert [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"] == \
        ["Nút này thuộc về một cuộc khảo sát khác."]

    duplicate = telegram_api.text_update(resident.chat_id, "1", "vi")
    duplicate["update_id"] = 999_001
    resident.send_update(duplicate)
    again = dict(duplicate)
    assert not [c for c in resident.send_update(again, expect=None) if c.method == "sendMessage"]

    answers = responses.current_answers(session, the_response(session))
    assert answers == {"kurashiyasui": 2, "has_children": 1}
    row = session.scalars(select(BotSession)).one()
    session.refresh(row)
    assert row.state == "ask" and row.question_id == "kosodate"


def test_restart_mid_survey_resumes_at_the_next_unanswered_question(telegram_api, db_url, session, instrument):
    settings = settings_for(telegram_api, db_url)
    resident = Resident(telegram_api, 4700, "ja")
    with BotRunner(settings):
        resident.begin("ja")
        resident.tap_code(1, expect="sendMessage")
        live_keyboard = resident.keyboard_message()
    with BotRunner(settings):
        resident.tap(resident.button(lambda b: b["callback_data"].endswith("|2"), live_keyboard),
                     live_keyboard, expect="sendMessage")
        sent = [c.text for c in resident.say("/start") if c.method == "sendMessage"]
        assert "おかえりなさい" in sent[0]
        assert instrument.question("kosodate").text in sent[-1]
    answers = responses.current_answers(session, the_response(session))
    assert answers == {"kurashiyasui": 1, "has_children": 2}


def test_delete_erases_answers_and_session_after_confirmation(telegram_api, running, session, instrument):
    resident = Resident(telegram_api, 4800, "en")
    resident.begin("en")
    resident.tap_code(1, expect="sendMessage")
    resident.say("/delete")
    resident.tap_kind("X", "n", expect="sendMessage")
    assert session.scalars(select(Answer)).all()
    resident.say("/delete")
    calls = resident.tap_kind("X", "y", expect="sendMessage")
    assert "erased" in calls[-1].text
    session.expire_all()
    assert session.scalars(select(Response)).all() == []
    assert session.scalars(select(Answer)).all() == []
    assert session.scalars(select(BotSession)).all() == []


def test_delete_after_submitting_erases_answers_but_keeps_the_code_used(telegram_api, running, session, instrument):
    from survey_app.invitations import create_invitations, telegram_link

    letter = create_invitations(session, instrument, SECRET, [{"age_band": 3}])[0]
    payload = telegram_link("machikoe_test_bot", letter.code).rsplit("=", 1)[1]
    resident = Resident(telegram_api, 4900, "vi")
    resident.begin("vi", payload)
    resident.answer_everything(instrument)
    resident.tap_kind("R", "submit", expect="sendMessage")
    assert the_response(session).status == "complete"
    resident.say("/delete")
    calls = resident.tap_kind("X", "y", expect="sendMessage")
    said = gettext("vi", "Your answers and this conversation have been erased. Your invitation code stays used, "
                         "so it cannot answer this survey again. Thank you for your time.")
    assert said.startswith("Câu trả lời") and calls[-1].text == bidi.for_locale("vi", said)
    session.expire_all()
    erased = session.scalars(select(Response)).one()
    assert erased.status == responses.ERASED and erased.stratum == {} and erased.submitted_at is None
    # nothing of how or when it was answered: not the chat, not the language, not the erasure's time
    assert (erased.channel, erased.locale, erased.updated_at) == ("erased", "und", erased.started_at)
    assert session.scalars(select(Answer)).all() == [] and session.scalars(select(BotSession)).all() == []
    # the code cannot answer again: not in the bot, not on the web, not on paper
    again = Resident(telegram_api, 4901, "vi").say(f"/start {payload}")
    assert gettext("vi", responses.CodeProblem.MESSAGES["used"]) in [c.text for c in again]
    with pytest.raises(responses.CodeProblem) as refused:
        responses.start(session, instrument, secret=SECRET, channel="web", locale="vi", code=letter.code)
    assert refused.value.kind == "used"
    with pytest.raises(responses.CodeProblem):
        responses.enter_complete(session, instrument, secret=SECRET, channel="paper", locale="ja",
                                 raw={"kurashiyasui": "1", "age_band": "1", "sex": "1", "district": "1"},
                                 code=letter.code)
    assert session.scalars(select(Response)).one().status == responses.ERASED
    from survey_app.monitor import response_rates  # the marker is neither a response nor a partial one

    assert all(rate.responded == rate.partial == 0 for rate in response_rates(session, instrument))
