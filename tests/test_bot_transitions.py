"""The transition table (bot/transitions.py) against the diagram (bot/conversation.mmd), both ways,
and the engine holding to the table."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot import callbacks, transitions
from bot.engine import Engine
from bot.events import Command, Start, Tap
from bot.states import Conversation, State
from bot.transitions import ALLOWED, ANYWHERE, TABLE, Trigger, UnlistedTransition, check, edges, row
from survey_app.instrument import bundled_path, load_instrument
from tests.support.bot_memory_port import MemoryPort

DIAGRAM = Path(__file__).resolve().parents[1] / "bot" / "conversation.mmd"
EDGE = re.compile(r"^\s*(\S+)\s*-->\s*(\S+?)\s*(?::\s*(.*))?$")


def diagram_lines() -> list[tuple[str, str, str]]:
    """(source, target, label) of every ``-->`` line, comments skipped."""
    found = []
    for line in DIAGRAM.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("%%"):
            continue
        match = EDGE.match(line)
        if match:
            found.append((match.group(1), match.group(2), (match.group(3) or "").strip()))
    return found


def states_named(name: str) -> frozenset[State]:
    return ANYWHERE if name == "anywhere" else frozenset({State(name)})


def diagram_edges() -> frozenset[transitions.Edge]:
    rows = [row(states_named(source), Trigger(label.split()[0]), states_named(target))
            for source, target, label in diagram_lines() if source != "[*]"]
    return edges(rows)


def test_the_diagram_starts_where_a_conversation_starts():
    starts = [target for source, target, _ in diagram_lines() if source == "[*]"]
    assert starts == [Conversation().state.value] == ["new"]


def test_every_edge_of_the_diagram_is_in_the_table():
    missing = diagram_edges() - ALLOWED
    assert not missing, f"drawn but not in bot/transitions.py: {sorted(missing)}"


def test_every_transition_of_the_table_is_drawn():
    undrawn = ALLOWED - diagram_edges()
    assert not undrawn, f"in bot/transitions.py but not in bot/conversation.mmd: {sorted(undrawn)}"


def test_every_trigger_and_state_takes_part():
    assert {trigger for _, trigger, _ in ALLOWED} == set(Trigger)
    assert {s for source, _, target in ALLOWED for s in (source, target)} == set(State)
    assert all(r.sources and r.targets for r in TABLE)


def test_check_allows_listed_and_unchanged_states_only():
    check(State.REVIEW, Trigger.SUBMIT, State.DONE)
    check(State.ASK, None, State.ASK)  # a hint: nothing moved
    with pytest.raises(UnlistedTransition, match="ask --submit--> done"):
        check(State.ASK, Trigger.SUBMIT, State.DONE)
    with pytest.raises(UnlistedTransition):
        check(State.NEW, None, State.ASK)


def test_state_values_are_the_stored_strings():
    """bot_sessions.state holds these strings: renaming one would need a data migration."""
    assert [s.value for s in State] == ["new", "choose_language", "await_code", "consent", "ask", "review",
                                        "confirm_delete", "done", "stopped"]
    assert State("ask") is State.ASK and f"{State.ASK}" == "ask"


@pytest.fixture(scope="module")
def ins():
    return load_instrument(bundled_path())


def test_the_engine_refuses_a_turn_the_table_does_not_allow(ins, monkeypatch):
    """The table is the engine's rule: a step that moves the state without naming why fails loudly."""
    port, engine = MemoryPort(ins), Engine(ins)
    conv, _ = engine.handle(Conversation(), Start(None, "en"), port)
    monkeypatch.setattr(transitions, "ALLOWED", ALLOWED - {(State.CHOOSE_LANGUAGE, Trigger.DELETE,
                                                            State.CONFIRM_DELETE)})
    with pytest.raises(UnlistedTransition, match="choose_language --delete--> confirm_delete"):
        engine.handle(conv, Command("delete", "en"), port)


def test_a_whole_conversation_names_each_move(ins):
    """Start, language, consent, answers to the review, submit: every turn passes the table."""
    port, engine = MemoryPort(ins), Engine(ins)
    seen = []
    conv, _ = engine.handle(Conversation(), Start(None, "en"), port)
    for event in (Tap(callbacks.encode(ins, callbacks.LANGUAGE, "en")),
                  Tap(callbacks.encode(ins, callbacks.CONSENT, "y"))):
        conv, _ = engine.handle(conv, event, port)
        seen.append(conv.state)
    while conv.state == State.ASK:
        question = ins.question(conv.question_id)
        event = (Tap(callbacks.encode(ins, callbacks.SKIP, question.id)) if not question.required else
                 Tap(callbacks.encode(ins, callbacks.ANSWER, question.id, question.choices[0].code)))
        conv, _ = engine.handle(conv, event, port)
    conv, _ = engine.handle(conv, Tap(callbacks.encode(ins, callbacks.REVIEW, "submit")), port)
    seen.append(conv.state)
    assert seen == [State.CONSENT, State.ASK, State.DONE]
