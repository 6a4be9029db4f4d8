"""The conversation engine on its own: no network, no database (an in-memory answers port)."""
from __future__ import annotations

import pytest

from bot import callbacks
from bot.events import Blocked, Command, Remind, Start, Tap, Unsupported
from bot.states import State
from survey_app.instrument import bundled_path, load_instrument
from tests.support.bot_chat import Chat
from tests.support.bot_memory_port import MemoryPort


@pytest.fixture(scope="module")
def ins():
    return load_instrument(bundled_path())


def test_start_suggests_the_clients_language_and_lists_languages_by_native_name(ins):
    chat = Chat(ins, language_code="vi-VN")
    out = chat.send(Start(None, "vi-VN"))
    assert chat.conv.state == State.CHOOSE_LANGUAGE
    labels = [b.label for row in out.messages[0].buttons for b in row]
    assert labels[0] == "✓ Tiếng Việt"
    assert set(labels[1:]) == {"日本語", "やさしい にほんご", "English", "اردو"}


def test_unknown_client_language_falls_back_to_japanese(ins):
    out = Chat(ins).send(Start(None, "de"))
    assert out.messages[0].buttons[0][0].label == "✓ 日本語"


def test_consent_then_one_question_per_message(ins):
    chat = Chat(ins)
    chat.send(Start(None, "en"))
    out = chat.tap(callbacks.LANGUAGE, "en")
    assert chat.conv.state == State.CONSENT  # the privacy notice, in English:
    assert ins.privacy_notice not in out.messages[0].text  # English, not the Japanese source
    out = chat.tap(callbacks.CONSENT, "y")
    assert chat.conv.state == State.ASK and chat.conv.question_id == "kurashiyasui"
    assert len(out.messages) == 1 and len(out.messages[0].buttons) == 5  # required: no skip button


def test_declining_consent_stops_without_a_response(ins):
    chat = Chat(ins)
    chat.send(Start(None, "en"))
    chat.tap(callbacks.LANGUAGE, "en")
    chat.tap(callbacks.CONSENT, "n")
    assert chat.conv.state == State.STOPPED and chat.conv.response_id is None and chat.port.responses == {}


def test_taps_record_when_given_and_skip_hidden_questions(ins):
    chat = Chat(ins)
    chat.begin()
    out = chat.answer(1)
    assert out.tapped.confirm.startswith("✓ ") and chat.answers == {"kurashiyasui": 1}
    chat.answer(2)                       # has_children: no -> kosodate_needs hidden
    chat.answer(1)                       # kosodate: agree -> kosodate_reason hidden
    assert chat.conv.question_id == "hatarakiyasui"


def test_show_if_reveals_follow_up_and_multi_toggles(ins):
    chat = Chat(ins)
    chat.begin()
    chat.answer(1)
    chat.answer(1)                       # has children
    chat.answer(4)                       # kosodate: disagree
    assert chat.conv.question_id == "kosodate_needs"
    out = chat.tap(callbacks.TOGGLE, "kosodate_needs", 2)
    assert out.tapped.buttons is not None and chat.answers.get("kosodate_needs") is None
    chat.tap(callbacks.TOGGLE, "kosodate_needs", 4)
    chat.tap(callbacks.TOGGLE, "kosodate_needs", 2)  # untick
    chat.tap(callbacks.DONE, "kosodate_needs")
    assert chat.answers["kosodate_needs"] == (4,)
    assert chat.conv.question_id == "kosodate_reason"
    chat.text("Not enough parks")
    assert chat.answers["kosodate_reason"] == "Not enough parks"


def test_the_log_line_never_names_the_question_answered(ins):
    """The adapters log each outcome's note; "answered kosodate_reason" told that the resident was
    dissatisfied with childcare (the reason is asked only then), and logs outlive /delete and purge."""
    chat = Chat(ins)
    notes = [chat.begin().log]
    for step in (lambda: chat.answer(1), lambda: chat.answer(1), lambda: chat.answer(4),
                 lambda: chat.tap(callbacks.TOGGLE, "kosodate_needs", 2), lambda: chat.tap(callbacks.DONE, "kosodate_needs"),
                 lambda: chat.text("Not enough parks"), lambda: chat.text("?!"), lambda: chat.send(Command("skip"))):
        notes.append(step().log)
    assert "answered" in notes and all(q.id not in note for note in notes for q in ins.questions), notes


def test_done_without_a_choice_is_refused_politely(ins):
    chat = Chat(ins)
    chat.begin()
    for code in (1, 1, 4):
        chat.answer(code)
    out = chat.tap(callbacks.DONE, "kosodate_needs")
    assert out.notice == "Choose at least one answer." and chat.conv.question_id == "kosodate_needs"


def test_typed_answers_in_any_script(ins):
    chat = Chat(ins)
    chat.begin(locale="ur")
    chat.text("۲")                      # Extended Arabic-Indic 2
    chat.text("はい")                    # Japanese label while chatting in Urdu
    chat.text("Don't know")
    assert chat.answers == {"kurashiyasui": 2, "has_children": 1, "kosodate": 9}
    chat.text("1, 3")
    assert chat.answers["kosodate_needs"] == (1, 3)


def test_unrecognised_reply_hints_twice_then_shows_the_buttons_again(ins):
    chat = Chat(ins)
    chat.begin()
    first = chat.text("what?")
    second = chat.text("hmm")
    third = chat.text("???")
    assert [len(o.messages) for o in (first, second, third)] == [1, 1, 2]
    assert not first.messages[0].buttons and third.messages[1].buttons
    assert chat.conv.data["retries"] == 0 and chat.answers == {}


def test_number_question_validates_range_in_the_residents_language(ins):
    chat = Chat(ins)
    chat.begin(locale="vi")
    for code in (1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1):
        chat.answer(code)
    assert chat.conv.question_id == "household_size"
    out = chat.text("٤٥")                # 45: over the maximum of 20
    assert "household_size" not in chat.answers
    assert "20" in out.messages[0].text and out.messages[0].text != "Enter a number of at most 20."
    out = chat.text("2.5")                # people are counted whole: refused, not rounded
    assert out.messages[0].text.startswith("Vui lòng nhập một số nguyên") and "household_size" not in chat.answers
    chat.text("３人")
    assert chat.answers["household_size"] == 3.0


def test_skip_optional_but_not_required(ins):
    chat = Chat(ins)
    chat.begin()
    out = chat.send(Command("skip"))
    assert chat.conv.question_id == "kurashiyasui" and out.messages[0].text == "Please answer this question."
    chat.answer(1)
    chat.tap(callbacks.SKIP, "has_children")
    assert chat.conv.question_id == "kosodate" and "has_children" in chat.conv.skipped


def test_stale_and_repeated_taps_are_acknowledged_and_ignored(ins):
    chat = Chat(ins)
    chat.begin()
    chat.answer(1)
    out = chat.tap(callbacks.ANSWER, "kurashiyasui", 4)   # the old keyboard, tapped again
    assert out.notice == "This question has already been answered." and out.tapped.confirm is None
    assert chat.answers == {"kurashiyasui": 1} and chat.conv.question_id == "has_children"
    out = chat.send(Tap("A|ffff|1|has_children|1"))       # another survey's button
    assert out.notice == "This button belongs to another survey." and chat.answers == {"kurashiyasui": 1}
    out = chat.send(Tap("A|" + callbacks.survey_tag(ins.id) + "|99|has_children|1"))  # older version
    assert out.notice == "This button is no longer valid." and "has_children" not in chat.answers
    out = chat.send(Tap("garbage"))
    assert out.notice and chat.conv.state == State.ASK


def complete(chat):
    while chat.conv.state == State.ASK:
        q = ins_question(chat)
        if q.type == "multi":
            chat.tap(callbacks.TOGGLE, q.id, q.choices[0].code)
            chat.tap(callbacks.DONE, q.id)
        elif q.choices:
            chat.answer(q.choices[0].code)
        elif q.type == "number":
            chat.text("2")
        else:
            chat.text("fine")


def ins_question(chat):
    return chat.ins.question(chat.conv.question_id)


def test_review_change_and_submit(ins):
    chat = Chat(ins)
    chat.begin()
    complete(chat)
    assert chat.conv.state == State.REVIEW
    texts = "\n".join(chat.texts)
    assert "Please check your answers:" in texts
    chat.tap(callbacks.REVIEW, "change")
    chat.tap(callbacks.EDIT, "district")
    assert chat.conv.state == State.ASK and chat.conv.question_id == "district"
    chat.answer(3)
    assert chat.conv.state == State.REVIEW and chat.answers["district"] == 3
    out = chat.tap(callbacks.REVIEW, "submit")
    assert chat.conv.state == State.DONE and chat.port.status(chat.conv.response_id) == "complete"
    assert "submitted" in out.messages[0].text
    again = chat.tap(callbacks.REVIEW, "submit")
    assert again.notice == "This button is no longer valid."


def test_language_change_at_any_time_returns_to_the_question(ins):
    chat = Chat(ins)
    chat.begin()
    chat.answer(2)
    chat.send(Command("language"))
    assert chat.conv.state == State.CHOOSE_LANGUAGE
    out = chat.tap(callbacks.LANGUAGE, "ja")
    assert chat.conv.state == State.ASK and chat.conv.question_id == "has_children"
    assert ins.question("has_children").text in out.messages[0].text
    assert chat.port.locales[chat.conv.response_id] == "ja"


@pytest.mark.parametrize("word", ["/stop", "停止", "dừng", "روکیں", "stop"])
def test_stop_ends_everything_and_start_resumes(ins, word):
    chat = Chat(ins)
    chat.begin()
    chat.answer(1)
    out = chat.send(Command("stop")) if word == "/stop" else chat.text(word)
    assert chat.conv.state == State.STOPPED and out.close_keyboard
    assert chat.text("hello?").messages == []
    assert chat.send(Remind()).messages == []
    assert chat.tap(callbacks.ANSWER, "has_children", 1).messages == []
    assert chat.answers == {"kurashiyasui": 1}
    chat.send(Start(None, "en"))
    assert chat.conv.state == State.ASK and chat.conv.question_id == "has_children"


def test_delete_after_confirmation_erases_answers_and_conversation(ins):
    chat = Chat(ins)
    chat.begin()
    chat.answer(1)
    rid = chat.conv.response_id
    chat.send(Command("delete"))
    out = chat.tap(callbacks.DELETE, "n")
    assert chat.conv.state == State.ASK and chat.port.answers(rid) == {"kurashiyasui": 1}
    assert "Nothing was erased." in [m.text for m in out.messages]
    chat.send(Command("delete"))
    out = chat.tap(callbacks.DELETE, "y")
    assert out.forget and chat.port.answers(rid) is None and chat.conv.state == State.NEW
    assert chat.conv.response_id is None


@pytest.mark.parametrize(("code", "said"), [(None, "Thank you for your time."), ("K7QF3MZD8WXPR2TA", "stays used")])
def test_erasing_sent_answers_mentions_a_code_only_to_those_who_had_one(ins, code, said):
    """An open respondent was told "your invitation code stays used"."""
    chat = Chat(ins)
    chat.begin(payload=code)
    chat.answer(1)
    chat.port.status_of[chat.conv.response_id] = "complete"  # sent (the web's submit, say)
    chat.send(Command("delete"))
    out = chat.tap(callbacks.DELETE, "y")
    erased = " ".join(m.text for m in out.messages)
    assert said in erased and ("stays used" in erased) == (code is not None)


def test_keeping_the_answers_after_language_then_delete_returns_to_the_question(ins):
    """/language then /delete then "keep": the chooser had forgotten the question, and tapping a
    language brought the privacy notice back (its "No" stopped a resident who had agreed)."""
    chat = Chat(ins)
    chat.begin()
    chat.answer(1)
    chat.send(Command("language"))
    chat.send(Command("delete"))
    chat.tap(callbacks.DELETE, "n")
    assert chat.conv.state == State.ASK and chat.conv.question_id == "has_children"


@pytest.mark.parametrize("typed", ["۲۔", "٢.", "2.", "(2)"])
def test_a_choice_number_with_any_full_stop_is_read(ins, typed):
    """An Urdu keyboard's full stop after the number (۲۔) was not understood."""
    chat = Chat(ins)
    chat.begin("ur")
    chat.text(typed)
    assert chat.answers["kurashiyasui"] == 2


def test_a_refused_typed_answer_keeps_the_questions_keyboard(ins):
    """Typed too long for an optional text question: the Skip button went with the keyboard."""
    chat = Chat(ins)
    chat.begin()
    for code in (1, 1, 4):
        chat.answer(code)
    chat.tap(callbacks.TOGGLE, "kosodate_needs", 2)
    chat.tap(callbacks.DONE, "kosodate_needs")
    assert chat.conv.question_id == "kosodate_reason"
    out = chat.text("x" * 1001)
    assert not out.close_keyboard and chat.answers.get("kosodate_reason") is None
    assert chat.text("Not enough parks").close_keyboard


def test_a_chat_whose_language_is_unknown_is_told_to_send_start_in_every_language(ins):
    """LINE sends no client language: after /delete a Vietnamese resident's next message was answered
    in Japanese only."""
    from bot import bidi, messages
    from survey_app.i18n.catalogs import gettext

    text = Chat(ins, language_code=None).text("xin chào").messages[0].text
    for lang in ("ja", "vi", "en"):
        assert bidi.for_locale(lang, gettext(lang, messages.SEND_START)) in text.split("\n"), lang
    known = Chat(ins, language_code="vi").text("xin chào").messages[0].text
    assert "\n" not in known  # the client said Vietnamese: Vietnamese alone


def test_reminders_only_for_unfinished_conversations(ins):
    chat = Chat(ins)
    assert chat.send(Remind()).messages == []
    chat.begin()
    out = chat.send(Remind())
    assert chat.conv.reminders_sent == 1 and out.messages[-1].buttons


def test_blocked_bot_stops_the_conversation(ins):
    chat = Chat(ins)
    chat.begin()
    chat.send(Blocked())
    assert chat.conv.state == State.STOPPED


def test_unsupported_media_is_answered_politely_in_the_residents_language(ins):
    chat = Chat(ins)
    chat.begin(locale="vi")
    out = chat.send(Unsupported("sticker"))
    assert out.messages and out.messages[0].text != "Sorry, I can only read text messages and button taps."
    assert chat.conv.question_id == "kurashiyasui" and chat.conv.state == State.ASK


def test_closed_survey_asks_for_the_code(ins):
    from dataclasses import replace

    closed = replace(ins, allow_open=False)
    port = MemoryPort(closed, {"BAD": "typo"})
    chat = Chat(closed, port)
    chat.send(Start(None, "en"))
    chat.tap(callbacks.LANGUAGE, "en")
    assert chat.conv.state == State.AWAIT_CODE
    out = chat.text("BAD")
    assert chat.conv.state == State.AWAIT_CODE and "typing mistake" in out.messages[0].text
    chat.text("GOOD-CODE")
    assert chat.conv.state == State.CONSENT and chat.conv.response_id


def test_deep_link_code_starts_the_response_and_a_used_code_is_refused(ins):
    port = MemoryPort(ins)
    chat = Chat(ins, port)
    chat.begin(payload="CODE-1")
    assert port.calls[0][:2] == ("start", "CODE-1")
    complete(chat)
    chat.tap(callbacks.REVIEW, "submit")
    other = Chat(ins, port)
    out = other.send(Start("CODE-1", "en"))
    assert other.conv.state == State.DONE and "already been used" in out.messages[0].text


def test_urdu_messages_isolate_numbers(ins):
    chat = Chat(ins)
    out = chat.begin(locale="ur")
    text = out.messages[0].text
    assert "\u20681/14\u2069" in text
    assert all(b.label.startswith("\u2068") for row in out.messages[0].buttons for b in row)


def test_language_change_while_stopped_stays_stopped(ins):
    chat = Chat(ins)
    chat.begin()
    chat.send(Command("stop"))
    chat.send(Command("language"))
    out = chat.tap(callbacks.LANGUAGE, "vi")
    assert chat.conv.state == State.STOPPED and chat.conv.locale == "vi" and out.messages == []
    assert chat.send(Remind()).messages == []
