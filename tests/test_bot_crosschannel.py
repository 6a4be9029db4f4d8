"""A resident who moves between the web and a chat: a response finished or erased on one channel
leaves no chat reminder behind (reminders once nudged residents who had finished on the web, or
who had asked for erasure), and a button from an older version of the survey brings the screen
as it is now (on LINE, the refused buttons were offered again, round and round)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import callbacks
from bot.events import Remind, Tap
from bot.reminder_store import ReminderStore
from bot.states import State
from survey_app import responses
from survey_app.instrument import bundled_path, load_instrument
from survey_app.models import BotReminder, BotSession, Response, utcnow
from tests.support.bot_chat import Chat
from tests.support.bot_harness import SECRET
from tests.support.web import PAGES, resume_code


@pytest.fixture(scope="module")
def ins():
    return load_instrument(bundled_path())


def chat_holding(session, instrument, response_id: int, n: int) -> None:
    row = BotSession(channel="telegram", chat_key=f"{n:064d}", survey_id=instrument.id, state=State.ASK, data={},
                     response_id=response_id)
    session.add(row)
    session.flush()
    ReminderStore(session, "telegram", SECRET).schedule(row.id, f"{4000 + n}", utcnow() + timedelta(hours=24))
    session.commit()


def reminders(session) -> list[BotReminder]:
    session.expire_all()
    return list(session.scalars(select(BotReminder)))


@pytest.mark.parametrize("ending", ["submitted", "erased"])
def test_a_response_finished_or_erased_anywhere_takes_its_chats_reminders_with_it(session, instrument, ending):
    started = responses.start(session, instrument, secret=SECRET, channel="web", locale="vi")
    other = responses.start(session, instrument, secret=SECRET, channel="web", locale="vi")
    chat_holding(session, instrument, started.response.id, 1)
    chat_holding(session, instrument, started.response.id, 2)  # the same code on LINE too
    chat_holding(session, instrument, other.response.id, 3)    # somebody else's: untouched
    response = session.get(Response, started.response.id)
    if ending == "submitted":
        responses.record(session, instrument, response, {qid: v for _, page in PAGES for qid, v in page.items()})
        responses.submit(session, instrument, response, channel="web")
    else:
        responses.delete_response(session, response)
    left = reminders(session)
    assert [session.get(BotSession, r.session_id).response_id for r in left] == [other.response.id]


@pytest.mark.parametrize(("status", "state"), [("complete", State.DONE), (None, State.NEW)])
def test_a_due_reminder_for_a_response_ended_elsewhere_says_nothing(ins, status, state):
    chat = Chat(ins)
    chat.begin("vi")
    if status:
        chat.port.status_of[chat.conv.response_id] = status
    else:
        chat.port.responses.pop(chat.conv.response_id)
        chat.port.status_of.pop(chat.conv.response_id)
    out = chat.send(Remind())
    assert out.messages == [] and chat.conv.state == state


def test_a_button_of_an_older_version_brings_the_current_screen(ins):
    from dataclasses import replace

    chat = Chat(ins)
    chat.begin("en")
    old = chat.last.messages[-1].buttons[0][0].data
    chat.engine = type(chat.engine)(replace(ins, version=ins.version + 1))  # the survey was reloaded
    out = chat.send(Tap(old))
    fresh = out.messages[-1].buttons
    assert out.notice and fresh and fresh[0][0].data != old  # the question again, with this version's buttons
    assert callbacks.decode(fresh[0][0].data)
    assert chat.conv.state == State.ASK


def test_a_web_resume_code_continues_the_answers_in_telegram(telegram_api, db_url, client, session, instrument):
    """'Save and continue later' on the web gives a resume code; typed into the bot, it was refused
    (by a message saying resume codes work) and the bot began a second, empty response."""
    from tests.support.bot_harness import BotRunner, Resident, settings_for
    from tests.support.web import csrf, post_page, start, text_of

    start(client, lang="vi")
    post_page(client, "living", {"kurashiyasui": "2"})
    page = client.get("/s/ebetsu-2025/q/childcare")
    client.post("/s/ebetsu-2025/q/childcare", data={"csrf_token": csrf(text_of(page)), "has_children": "2",
                                                      "nav": "later"})
    code = resume_code(text_of(client.get("/s/ebetsu-2025/saved")))
    with BotRunner(settings_for(telegram_api, db_url)):
        resident = Resident(telegram_api, 4700, "vi")
        resident.begin("vi", code.lower().replace("-", ""))
    session.expire_all()
    (stored,) = session.scalars(select(Response)).all()  # one response: the web's, continued
    assert responses.current_answers(session, stored) == {"kurashiyasui": 2, "has_children": 2}
