"""What a typed message means, on every channel (``bot.parsing.typed_event`` and the engine):
a letter's code typed on its own, commands with a full-width slash, stop words with their
language's full stop, and the buttons offered again with a hint (LINE's vanish once one types)."""
from __future__ import annotations

import pytest

from bot import callbacks
from bot.events import Command, Start, Text
from bot.parsing import is_stop_word, typed_event
from bot.states import State
from survey_app import codes
from survey_app.instrument import bundled_path, load_instrument
from tests.support.bot_chat import Chat

CODE = "K7QF-3MZD-8WXP-R2T8"  # fixed (valid): a random one would name the tests differently in each xdist worker


@pytest.fixture(scope="module")
def ins():
    return load_instrument(bundled_path())


@pytest.mark.parametrize(("typed", "event"), [
    ("／start " + CODE, Start(CODE)),
    ("/start " + CODE.replace("-", " "), Start(CODE.replace("-", " "))),
    ("/start@EbetsuSurveyBot", Start(None)),
    ("／delete", Command("delete")),
    ("／ヘルプ", Command("help")),
    ("/nonsense", Command("help")),
    ("公園を増やしてほしい", Text("公園を増やしてほしい")),
])
def test_typed_messages_are_commands_after_nfkc(typed, event):
    assert typed_event(typed) == event


@pytest.mark.parametrize("word", ["روکیں۔", "روکیں", "stop!", "STOP", "停止。", "やめる", "dừng lại.", "／stop"])
def test_stop_words_with_their_languages_full_stop(word):
    assert is_stop_word(word)


@pytest.mark.parametrize("words", ["روکیں نہیں", "stop the snow", "やめるべきではない"])
def test_a_sentence_that_contains_a_stop_word_is_not_one(words):
    assert not is_stop_word(words)


@pytest.mark.parametrize("state_before", ["chooser", "consent"])
def test_a_code_typed_on_its_own_before_the_survey_starts_the_invited_survey(ins, state_before):
    """Telegram took it as 'please tap a button' (LINE only at the chooser): the resident then
    answered as an open, self-selected respondent although their letter put them in the sample."""
    chat = Chat(ins)
    chat.send(Start(None, "en"))
    if state_before == "consent":
        chat.tap(callbacks.LANGUAGE, "en")
    chat.text(CODE.lower().replace("-", " "))
    assert ("start", CODE.lower().replace("-", " "), "en") in chat.port.calls
    assert chat.port.by_code  # the response belongs to the letter's code
    assert chat.conv.state == State.CHOOSE_LANGUAGE  # as a letter's link starts: the language first


def test_a_code_typed_as_an_answer_is_an_answer(ins):
    chat = Chat(ins)
    chat.begin()
    chat.text(CODE)  # to 暮らしやすい: not a choice
    assert chat.conv.state == State.ASK and not chat.port.by_code


def test_the_stop_word_with_the_urdu_full_stop_stops_instead_of_being_the_comment(ins):
    chat = Chat(ins)
    chat.begin("ur")
    while chat.conv.question_id != "comment":
        question = ins.question(chat.conv.question_id)
        chat.answer(question.choices[0].code) if question.choices else chat.text("3")
    chat.text("روکیں۔")
    assert chat.conv.state == State.STOPPED
    assert "comment" not in chat.answers


def test_a_hint_offers_the_buttons_again(ins):
    chat = Chat(ins)
    chat.send(Start(None, "en"))
    shown = chat.tap(callbacks.LANGUAGE, "en").messages[-1].buttons
    out = chat.text("yes")  # typed at the privacy notice
    assert not any(m.buttons for m in out.messages) and out.buttons_again == shown
    chat.tap(callbacks.CONSENT, "y")
    question = chat.last.messages[-1].buttons
    out = chat.text("maybe")  # not a choice: a hint
    assert out.buttons_again == question


def test_the_example_code_is_valid():
    assert codes.check(CODE)[0] == codes.CodeStatus.VALID
