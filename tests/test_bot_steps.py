"""The engine's steps one at a time (bot/context.py, screens, onboarding, asking, review, control),
the renderer asking a question's kind, and every message in one place."""
from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from bot import callbacks, messages
from bot.asking import Asker
from bot.context import Context
from bot.control import Control
from bot.events import TappedUpdate
from bot.onboarding import Onboarding
from bot.render import TICK, Renderer
from bot.review import Review
from bot.screens import Screens
from bot.states import Conversation, State
from bot.transitions import Trigger
from survey_app.instrument import bundled_path, load_instrument
from tests.support.bot_memory_port import MemoryPort

BOT = Path(__file__).resolve().parents[1] / "bot"


@pytest.fixture(scope="module")
def ins():
    return load_instrument(bundled_path())


class Steps:
    """One turn's context and its collaborators, wired as bot.engine.Turn wires them."""

    def __init__(self, ins, conv: Conversation, port: MemoryPort | None = None) -> None:
        self.port = port or MemoryPort(ins)
        self.ctx = Context(ins, conv, self.port, "en")
        self.asker = Asker(self.ctx)
        self.screens = Screens(self.ctx, self.asker)
        self.onboarding = Onboarding(self.ctx, self.asker, self.screens)
        self.review = Review(self.ctx, self.asker)
        self.control = Control(self.ctx, self.screens)

    @property
    def texts(self) -> list[str]:
        return [m.text for m in self.ctx.out.messages]


def consented(ins, state=State.ASK, **answers) -> Steps:
    port = MemoryPort(ins)
    rid, _ = port.start(None, "en")
    port.responses[rid].update(answers)
    return Steps(ins, Conversation(state=state, locale="en", response_id=rid, data={"consented": True}), port)


# ---------------------------------------------------------------- context
def test_a_stale_tap_says_why_on_the_button_and_removes_the_keyboard(ins):
    steps = Steps(ins, Conversation(locale="en"))
    steps.ctx.stale(messages.BUTTON_INVALID)
    out = steps.ctx.out
    assert out.notice == "This button is no longer valid." and out.tapped == TappedUpdate()
    assert out.log == "stale tap ignored" and out.messages == [] and steps.ctx.trigger is None


def test_confirm_ticks_only_when_asked(ins):
    steps = Steps(ins, Conversation(locale="en"))
    steps.ctx.confirm("Agree", ticked=True)
    assert steps.ctx.out.tapped == TappedUpdate(confirm=f"{TICK} Agree")
    steps.ctx.confirm("No, thank you")
    assert steps.ctx.out.tapped == TappedUpdate(confirm="No, thank you")


def test_the_suggested_language_is_the_clients_when_the_survey_offers_it(ins):
    assert Context(ins, Conversation(), MemoryPort(ins), "vi-VN").locale == "vi"
    assert Context(ins, Conversation(locale="ur"), MemoryPort(ins), "vi-VN").locale == "ur"


# ---------------------------------------------------------------- screens
@pytest.mark.parametrize(("state", "expected"), [
    (State.NEW, ["Send /start to begin the survey."]),
    (State.DONE, ["These answers have already been submitted. Thank you!"]),
    (State.AWAIT_CODE, ["Please type the invitation code from your letter, for example K7QF-3MZD-8WXP-R2T8."]),
    (State.STOPPED, []),
    (State.CONFIRM_DELETE, []),
])
def test_each_state_shows_its_own_message(ins, state, expected):
    steps = Steps(ins, Conversation(locale="en"))
    steps.screens.show(state)
    assert steps.ctx.conv.state == state and steps.texts == expected


def test_the_ask_screen_shows_the_question_on_screen_else_what_the_answers_call_for(ins):
    answers = {q.id: q.choices[0].code for q in ins.questions if q.required}
    steps = consented(ins, State.ASK, **answers)
    for q in ins.questions:
        if not q.required:
            steps.ctx.conv.set_skipped(q.id, True)
    steps.ctx.conv.question_id = "kenko"  # skipped, but the resident is looking at it: asked again
    steps.screens.show(State.ASK)
    assert steps.ctx.conv.state == State.ASK and steps.ctx.conv.question_id == "kenko"
    assert "stay healthy" in steps.texts[-1]
    steps.ctx.conv.question_id = None
    steps.screens.show(State.ASK)
    assert steps.ctx.conv.state == State.REVIEW and steps.texts[-1].startswith("Please check your answers:")


# ---------------------------------------------------------------- onboarding
def test_a_closed_survey_asks_for_the_code_after_the_language(ins):
    closed = dataclasses.replace(ins, allow_open=False)
    steps = Steps(closed, Conversation(state=State.CHOOSE_LANGUAGE))
    steps.onboarding.set_language("vi")
    assert steps.ctx.conv.state == State.AWAIT_CODE and steps.ctx.conv.locale == "vi"
    assert steps.ctx.trigger == Trigger.LANGUAGE_CHOSEN and steps.ctx.out.tapped.confirm.endswith("Tiếng Việt")


def test_the_language_chooser_returns_to_the_interrupted_state(ins):
    steps = consented(ins, State.REVIEW)
    steps.onboarding.choose_language()
    assert steps.ctx.conv.state == State.CHOOSE_LANGUAGE and steps.ctx.conv.data["return_to"] == "review"
    steps.onboarding.typed_language("English")
    assert steps.ctx.conv.state in (State.ASK, State.REVIEW) and "return_to" not in steps.ctx.conv.data


def test_typed_text_that_names_no_language_asks_for_the_buttons(ins):
    steps = Steps(ins, Conversation(state=State.CHOOSE_LANGUAGE, locale="en"))
    steps.onboarding.typed_language("Klingon")
    assert steps.ctx.conv.state == State.CHOOSE_LANGUAGE
    assert steps.texts == ["Please tap one of the buttons above."]


def test_declining_stops_without_starting_a_response(ins):
    steps = Steps(ins, Conversation(state=State.CONSENT, locale="en"))
    steps.onboarding.tap_consent(callbacks.decode(callbacks.encode(ins, callbacks.CONSENT, "n")))
    assert steps.ctx.conv.state == State.STOPPED and steps.port.responses == {}
    assert steps.ctx.trigger == Trigger.DECLINE


# ---------------------------------------------------------------- asking
@pytest.mark.parametrize(("qid", "typed", "value"), [
    ("kurashiyasui", "2", 2),
    ("kurashiyasui", "Agree", 1),
    ("kurashiyasui", "nonsense", None),
    ("kosodate_needs", "1, 3", [1, 3]),
    ("kosodate_needs", "1 and nonsense", None),
    ("household_size", "3 people", "3"),
    ("comment", "  kept as typed ", "  kept as typed "),
])
def test_a_typed_reply_is_read_by_what_the_question_is(ins, qid, typed, value):
    steps = Steps(ins, Conversation(locale="en"))
    assert steps.asker.typed_value(ins.question(qid), typed) == value


def test_a_dont_know_choice_excludes_the_others_when_toggled(ins):
    agree4 = ins.question("kurashiyasui").choice_list
    question = dataclasses.replace(ins.question("kosodate_needs"), choice_list=agree4)  # multiple, with 9: don't know
    steps = consented(ins, State.ASK)
    steps.asker.toggle(question, 1)
    steps.asker.toggle(question, 2)
    assert steps.ctx.conv.data["selected"] == [1, 2]
    steps.asker.toggle(question, 9)
    assert steps.ctx.conv.data["selected"] == [9]
    steps.asker.toggle(question, 3)
    assert steps.ctx.conv.data["selected"] == [3]
    labels = [b.label for row in steps.ctx.out.tapped.buttons for b in row]
    assert [label for label in labels if label.startswith(TICK)] == [f"{TICK} 3. Somewhat disagree"]


def test_a_required_question_cannot_be_skipped(ins):
    steps = consented(ins, State.ASK)
    steps.asker.ask_next()
    assert steps.ctx.conv.question_id == "kurashiyasui"
    steps.asker.skip_current()
    assert steps.texts[-1] == "Please answer this question." and steps.ctx.conv.data["retries"] == 1
    assert steps.ctx.trigger is None and steps.port.answers(steps.ctx.conv.response_id) == {}


# ---------------------------------------------------------------- review and control
def test_submit_with_a_required_answer_missing_asks_it(ins):
    steps = consented(ins, State.REVIEW, kurashiyasui=1)
    steps.review.submit()
    assert steps.ctx.conv.state == State.ASK and steps.ctx.trigger == Trigger.SUBMIT
    assert steps.texts[0] == "Please answer the required questions." and steps.ctx.conv.question_id == "age_band"


def test_keeping_the_answers_returns_where_delete_came_from(ins):
    steps = consented(ins, State.STOPPED)
    steps.control.ask_delete()
    assert steps.ctx.conv.state == State.CONFIRM_DELETE
    steps.control.keep()
    assert steps.ctx.conv.state == State.STOPPED and steps.texts[-1] == "Nothing was erased."


def test_a_reminder_only_nudges_an_unfinished_conversation(ins):
    done = Steps(ins, Conversation(state=State.DONE, locale="en"))
    done.control.remind()
    assert done.texts == [] and done.ctx.conv.reminders_sent == 0 and done.ctx.trigger is None
    asking = consented(ins, State.ASK)
    asking.control.remind()
    assert asking.texts[0] == "You have not finished the survey yet. You can continue here:"
    assert asking.ctx.conv.reminders_sent == 1 and asking.ctx.conv.question_id == "kurashiyasui"


# ---------------------------------------------------------------- the renderer asks the question's kind
def test_the_instruction_follows_the_kind(ins):
    r = Renderer(ins, "en")
    assert r.instruction(ins.question("kurashiyasui")) == "Tap your answer, or type its number."
    assert r.instruction(ins.question("kosodate_needs")).startswith("Tap every answer that applies")
    assert r.instruction(ins.question("household_size")) == "Please type a number."
    assert r.instruction(ins.question("comment")) == "Please type your answer."


def test_only_a_multiple_choice_question_has_a_done_button(ins):
    r = Renderer(ins, "en")
    last_row = [b.label for b in r.question_buttons(ins.question("kosodate_needs"))[-1]]
    assert last_row == ["Done", "Skip"]
    assert all("Done" not in b.label for row in r.question_buttons(ins.question("kosodate")) for b in row)


def test_answers_read_as_the_resident_would(ins):
    needs = ins.question("kosodate_needs")
    assert Renderer(ins, "ja").answer_text(needs, (1, 2)) == "保育園・幼稚園などの預け先、子どもの遊び場や公園"
    assert Renderer(ins, "en").answer_text(needs, (1, 2)) == ("Places that look after children, such as daycare "
                                                              "centers and kindergartens, Playgrounds and parks for "
                                                              "children")
    assert Renderer(ins, "en").answer_text(ins.question("household_size"), 3.0) == "3"
    assert Renderer(ins, "en").answer_text(ins.question("household_size"), 2.5) == "2.5"


# ---------------------------------------------------------------- one place per message
def bot_sources() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(BOT.glob("*.py"))}


def test_every_message_is_written_once(ins):
    msgids = [value for name, value in vars(messages).items() if name.isupper() and isinstance(value, str)]
    msgids += list(messages.COMMAND_MENU.values())
    assert len(msgids) == len(set(msgids)) > 40
    for name, source in bot_sources().items():
        if name == "messages.py":
            continue
        literals = {node.value for node in ast.walk(ast.parse(source))
                    if isinstance(node, ast.Constant) and isinstance(node.value, str)}
        assert not literals & set(msgids), f"bot/{name} repeats a text of bot/messages.py"


def test_a_reply_to_a_question_gone_from_the_instrument_moves_on(ins):
    """A new instrument version may drop the question on screen: the reply leads on, by the table."""
    answers = {q.id: q.choices[0].code for q in ins.questions if q.required}
    steps = consented(ins, State.ASK, **answers)
    for q in ins.questions:
        if not q.required:
            steps.ctx.conv.set_skipped(q.id, True)
    steps.ctx.conv.question_id = "dropped_in_version_3"
    steps.asker.typed("1")
    assert steps.ctx.conv.state == State.REVIEW and steps.ctx.trigger == Trigger.ANSWER
