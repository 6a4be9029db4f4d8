"""End to end: the real LINE bot server and line-bot-sdk against a fake LINE Messaging API.

Residents (tests/support/fake_line.py) send signed webhook events and tap the quick replies the bot
really sent; both databases (the ``db_url``/``session`` fixtures).
"""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from bot import bidi
from survey_app import responses
from survey_app.codes import pseudonym
from survey_app.i18n.catalogs import gettext
from survey_app.i18n.locales import native_name
from survey_app.models import Answer, BotReminder, BotSession, Response
from tests.support.bot_harness import SECRET
from tests.support.fake_line import sign

# The subject is the LINE conversation, not storage: SQLite alone; every statement sent here reaches
# PostgreSQL in another test (tests/support/db.py, checked by tests/support/sql_reach.py).
pytestmark = pytest.mark.databases("sqlite")


@pytest.fixture
def bot(line_bot, instrument):
    with line_bot() as runner:
        yield runner


def begin(resident, locale: str, by_name: bool = False) -> None:
    """Add the account, choose the language (typed native name or quick reply), agree."""
    resident.follow()
    if by_name:
        resident.say(native_name(locale))
    else:
        resident.tap_kind("L", locale)
    resident.tap_kind("C", "y")


def answer_everything(resident, instrument) -> list[str]:
    """Tap the first choice of every question (toggle + done for multi; type numbers and texts)."""
    asked = []
    for _ in range(40):
        actions = [i["action"] for i in resident.choices()]
        kinds = {a["data"].split("|")[0] for a in actions}
        if "R" in kinds:
            return asked
        qid = actions[0]["data"].split("|")[3]
        if kinds <= {"S"} or (qid in asked and instrument.question(qid).type in ("number", "text")):
            qid = resident_question(resident)
        asked.append(qid)
        if "A" in kinds:
            resident.tap_kind("A")
        elif "T" in kinds:
            resident.tap_kind("T")
            resident.tap_kind("D")
        elif instrument.question(qid).type == "number":
            resident.say("۳" if "ur" in resident.user_id else "3")
        else:
            resident.say("Xin chào từ LINE")
    raise AssertionError("the survey never reached the review")


def resident_question(resident) -> str:
    return next(a["data"].split("|")[3] for a in (i["action"] for i in resident.choices()))


def the_response(session) -> Response:
    session.expire_all()
    return session.scalars(select(Response)).one()


@pytest.mark.parametrize("locale", ["vi", "ur"])
def test_resident_completes_the_survey_over_line(line_api, bot, session, instrument, locale):
    from analysis import Options, compute_for_survey
    from analysis.result import Thresholds

    resident = bot.resident(line_api, user_id=f"U{locale}" + "0" * 30)
    begin(resident, locale, by_name=(locale == "vi"))
    assert resident.texts()[0].startswith(gettext("ja", "Hello! This is the survey “%(title)s”.",
                                                  title="")[:5])
    answer_everything(resident, instrument)
    resident.tap_kind("R", "submit")

    response = the_response(session)
    assert (response.status, response.channel, response.locale) == ("complete", "line", locale)
    answers = responses.current_answers(session, response)
    assert answers["kurashiyasui"] == 1 and answers["kosodate_needs"] == (1,)
    assert answers["household_size"] == 3.0
    thanks = gettext(locale, "Thank you! Your answers have been submitted. If you ever want them erased, "
                             "send /delete.")
    assert resident.texts()[-1] == bidi.for_locale(locale, thanks)
    if locale == "ur":
        assert all(bidi.FSI in t for t in resident.texts() if "/" in t)

    row = session.scalars(select(BotSession)).one()
    assert row.channel == "line" and row.chat_key == pseudonym(SECRET, "line", resident.user_id)
    assert resident.user_id not in str(row.data) and session.scalar(select(func.count(BotReminder.id))) == 0
    web_raw = {"kurashiyasui": "4", "age_band": "2", "sex": "1", "district": "2"}
    responses.enter_complete(session, instrument, secret=SECRET, channel="web", locale="ja", raw=web_raw)
    # both came without a letter's code: the open sample (issue 11), where a chat answer counts like a web one
    # (two open responses are a group too small to publish: the threshold is lowered to look at them)
    result = compute_for_survey(session, instrument, Options(weighting="none", strict=False, sample="open",
                                                             thresholds=Thresholds(suppress_below=1)))
    living = result.indicator("living")
    assert result.n_respondents == 2 and (living.n, living.n_positive) == (2, 1)
    assert sorted(session.scalars(select(Response.channel))) == ["line", "web"]


def test_quick_replies_fit_line_and_long_keyboards_become_flex(line_api, bot, session, instrument):
    resident = bot.resident(line_api)
    begin(resident, "vi")
    answer_everything(resident, instrument)
    for message in resident.messages():
        for item in (message.get("quickReply") or {}).get("items", []):
            assert len(item["action"]["label"]) <= 20 and len(item["action"]["data"]) <= 300
        assert len(message.get("quickReply", {}).get("items", [])) <= 13
    resident.tap_kind("R", "change")  # one number per question, more than 13: a Flex bubble
    assert resident.messages()[-1]["type"] == "flex"
    resident.tap(resident.choice(lambda a: a["label"] == "1"))
    assert resident.choices()[0]["action"]["data"].split("|")[3] == "kurashiyasui"


def test_signature_and_garbage_are_refused_and_logged_without_content(line_api, bot, session, caplog):
    caplog.set_level(logging.INFO)
    resident = bot.resident(line_api)
    event = resident.text_event("SECRETWORD")
    assert resident.post([event], signature=None) == 400
    assert resident.post([event], signature="bm90IHRoZSBzaWduYXR1cmU=") == 400
    assert resident.post([event], signature="ü") == 400
    assert resident.post([], body=b"SECRETWORD not json") == 400
    assert resident.post([], body=b"\xff\xfeSECRETWORD") == 400
    assert resident.post([], body=b'{"events": "SECRETWORD"}') == 400
    assert resident.post([], body=b"[]") == 400
    assert resident.post([]) == 200  # LINE's "Verify" button sends no events
    tampered = b'{"destination": "x", "events": []}'
    assert resident.post([], body=tampered, signature=sign(tampered + b" ")) == 400
    assert "SECRETWORD" not in caplog.text and resident.user_id not in caplog.text
    assert session.scalar(select(func.count(BotSession.id))) == 0 and line_api.sent == []


def test_redelivered_events_never_double_an_answer(line_api, bot, session, instrument):
    resident = bot.resident(line_api)
    begin(resident, "en")
    answer = resident.text_event("2")
    resident.send(answer)
    again = dict(answer, deliveryContext={"isRedelivery": True})
    asked_before = len(resident.texts())
    assert resident.post([again]) == 200
    resident.say("/help")  # handled after the redelivery (same worker): the redelivery is behind us
    assert len(resident.texts()) == asked_before + 1
    answers = responses.current_answers(session, the_response(session))
    assert answers == {"kurashiyasui": 2}
    assert resident.post([dict(answer)]) == 200  # the same id without the flag: still dropped
    resident.say("/help")
    assert responses.current_answers(session, the_response(session)) == {"kurashiyasui": 2}


def test_redelivery_of_an_event_never_seen_is_answered_by_push(line_api, bot, session, instrument):
    resident = bot.resident(line_api)
    begin(resident, "en")
    late = resident.text_event("1", age=120.0)  # its reply token is too old to use
    late["deliveryContext"] = {"isRedelivery": True}
    sent = resident.send(late)
    assert sent and all(s.kind == "push" and s.retry_key for s in sent)
    assert responses.current_answers(session, the_response(session)) == {"kurashiyasui": 1}


def test_a_push_retried_after_a_lost_response_arrives_once(line_api, bot, session, instrument):
    resident = bot.resident(line_api)
    begin(resident, "en")
    line_api.push_fails_after_accepting = 1
    sent = resident.send(resident.text_event("1", age=120.0))
    assert [s.kind for s in sent] == ["push"]
    assert ("/v2/bot/message/push", 500) in line_api.refused and ("/v2/bot/message/push", 409) in line_api.refused


def test_unknown_events_stickers_groups_and_stale_postbacks(line_api, bot, session, instrument):
    resident = bot.resident(line_api)
    begin(resident, "en")
    first_question = resident.choices()
    unknown = resident.event("somethingNew", whatever={"x": 1})
    group = resident.text_event("1")
    group["source"] = {"type": "group", "groupId": "Cgroup", "userId": resident.user_id}
    unsent = resident.event("unsend", unsend={"messageId": "1"})
    assert resident.post([unknown, group, unsent]) == 200
    sent = resident.send(resident.event("message", message={"type": "sticker", "id": "9", "packageId": "1",
                                                            "stickerId": "2", "stickerResourceType": "STATIC",
                                                            "quoteToken": "q"}))
    assert [t for s in sent for t in s.texts] == [gettext("en", "Sorry, I can only read text messages and "
                                                                "button taps.")]
    assert responses.current_answers(session, the_response(session)) == {}  # the group's "1" was ignored
    resident.tap_kind("A")
    sent = resident.tap(first_question[1])  # a quick reply of the question already answered
    assert sent[0].texts[0] == gettext("en", "This question has already been answered.")
    assert responses.current_answers(session, the_response(session)) == {"kurashiyasui": 1}
    sent = resident.send(resident.event("postback", postback={"data": "A|zzzz|1|kurashiyasui|1"}))
    assert sent[0].texts[0] == gettext("en", "This button belongs to another survey.")


@pytest.mark.databases("sqlite", "postgresql")  # /delete removes the chat's session row: the only test that does
def test_stop_resume_help_and_delete(line_api, bot, session, instrument):
    resident = bot.resident(line_api)
    begin(resident, "en")
    resident.tap_kind("A")
    assert session.scalar(select(func.count(BotReminder.id))) == 1
    assert resident.say("停止")[0].texts[0].startswith("You will get no more messages")
    session.expire_all()
    assert session.scalar(select(func.count(BotReminder.id))) == 0  # the sealed address is gone too
    resumed = resident.say("/start")
    assert resumed[0].texts[0] == gettext("en", "Welcome back! Let's continue where you left off.")
    assert "/language" in resident.say("/help")[0].texts[0]
    resident.say("/delete")
    resident.tap_kind("X", "y")
    session.expire_all()
    assert session.scalar(select(func.count(Response.id))) == 0
    assert session.scalar(select(func.count(Answer.id))) == 0
    assert session.scalar(select(func.count(BotSession.id))) == 0
    assert session.scalar(select(func.count(BotReminder.id))) == 0


def test_unfollow_stops_the_conversation(line_api, bot, session, instrument):
    resident = bot.resident(line_api)
    begin(resident, "en")
    assert resident.post([resident.event("unfollow")]) == 200
    line_api.wait_for(lambda: session.scalar(select(BotSession.state).execution_options(populate_existing=True))
                  == "stopped")
    session.expire_all()
    assert session.scalar(select(func.count(BotReminder.id))) == 0


@pytest.mark.parametrize("how", ["typed", "link"])
def test_invitation_code_typed_or_from_the_link_makes_the_answers_invited(line_api, bot, session, instrument, how):
    from survey_app.invitations import create_invitations

    letter = create_invitations(session, instrument, SECRET, [{"age_band": 3, "sex": 2, "district": 1}])[0]
    resident = bot.resident(line_api)
    resident.follow()
    resident.say(letter.code.lower() if how == "typed" else f"/start {letter.code.replace('-', '')}")
    resident.tap_kind("L", "vi")
    resident.tap_kind("C", "y")
    resident.tap_kind("A")
    response = the_response(session)
    assert response.source == "invited" and response.channel == "line"
    assert response.stratum == {"age_band": 3, "sex": 2, "district": 1}


def test_a_hint_carries_the_buttons_again(line_api, bot, session, instrument):
    """LINE's quick replies vanish once the resident types: "please tap one of the buttons above"
    came with no button, and a resident at the privacy notice or the review could not go on."""
    resident = bot.resident(line_api)
    resident.follow()
    resident.tap_kind("L", "en")
    consent = resident.messages()[-1]["quickReply"]["items"]
    hint = resident.say("yes")
    assert hint[-1].messages[-1]["quickReply"]["items"] == consent
    resident.tap_kind("C", "y")  # the buttons it carries work
    assert the_response(session).status == "partial"


def test_the_message_the_letters_line_link_fills_in_makes_the_answers_invited(line_api, bot, session, instrument):
    """The letter's LINE QR opens the chat with a message typed in; sent as it is, it is the code."""
    from urllib.parse import unquote, urlsplit

    from survey_app.invitations import create_invitations, line_account, line_link

    letter = create_invitations(session, instrument, SECRET, [{"age_band": 2, "sex": 1, "district": 2}])[0]
    link = urlsplit(line_link(line_account("@123abcde"), letter.code))
    assert (link.netloc, unquote(link.path)) == ("line.me", "/R/oaMessage/@123abcde/")
    resident = bot.resident(line_api)
    resident.follow()  # a new friend: LINE shows the add-friend screen first, then the chat
    resident.say(unquote(link.query))
    resident.tap_kind("L", "ur")
    resident.tap_kind("C", "y")
    resident.tap_kind("A")
    response = the_response(session)
    assert response.source == "invited" and response.channel == "line" and response.locale == "ur"
    assert response.stratum == {"age_band": 2, "sex": 1, "district": 2}


@pytest.mark.parametrize(("locale", "typed", "expected"), [
    ("ja", ["２", "いいえ", "Don't know"], {"kurashiyasui": 2, "has_children": 2, "kosodate": 9}),
    ("ja-x-easy", ["1", "いいえ", "わからない"], {"kurashiyasui": 1, "has_children": 2, "kosodate": 9}),
    ("en", ["1", "No", "わからない"], {"kurashiyasui": 1, "has_children": 2, "kosodate": 9}),
    ("vi", ["3", "Không", "9"], None),
    ("ur", ["۲", "No", "わからない"], {"kurashiyasui": 2, "has_children": 2, "kosodate": 9}),
])
def test_typed_answers_in_every_resident_language(line_api, bot, session, instrument, locale, typed, expected):
    resident = bot.resident(line_api)
    begin(resident, locale)
    for text in typed[:2]:
        resident.say(text)
    answers = responses.current_answers(session, the_response(session))
    assert answers["has_children"] == 2 and answers["kurashiyasui"] == int(parse_digit(typed[0]))
    if expected is None:  # "9" is not a position of a 5-choice question: a hint in Vietnamese, nothing stored
        hint = resident.say(typed[2])[0].texts[0]
        assert hint == gettext("vi", "Sorry, I did not understand. Please tap one of the buttons, or type the "
                                     "number of your answer.")
        assert "kosodate" not in responses.current_answers(session, the_response(session))
        return
    resident.say(typed[2])
    assert responses.current_answers(session, the_response(session)) == expected


def parse_digit(text: str) -> str:
    from bot.parsing import normalise

    return normalise(text)
