"""Running the real python-telegram-bot Application against :mod:`tests.fake_telegram`.

:class:`BotRunner` starts the application in its own thread and event loop with PTB's
public API (initialize, post_init, updater.start_polling, start … stop, shutdown), exactly
what ``Application.run_polling`` does minus the signal handling. :class:`Resident` plays a
resident in one private chat: types, taps the buttons the bot really sent, and waits
until the bot has answered.
"""
from __future__ import annotations

import asyncio
import threading
import time

from bot.telegram import BotSettings, build_application, start_webhook
from survey_app.instrument import Instrument
from tests.support.fake_telegram import TOKEN, Call, FakeTelegram
from tests.support.survey import SURVEY

SECRET = "test-secret-key-for-hmac-at-least-32-chars"


def settings_for(fake: FakeTelegram, db_url: str, **overrides) -> BotSettings:
    values = {"token": TOKEN, "database_url": db_url, "secret": SECRET, "survey_id": SURVEY,
              "api_base_url": fake.base_url, "overall_rate": 1000.0, "chat_rate": 1000.0, "reminder_delay": 3600.0,
              "reminder_poll": 0.1, "quiet_hours": (0, 0)}  # quiet hours: tests/test_bot_reminders.py
    values.update(overrides)
    return BotSettings(**values)


# The in-process bots polling each fake (by the fake's base URL), for :class:`Resident`.
_POLLING: dict[str, BotRunner] = {}


class BotRunner:
    def __init__(self, settings: BotSettings, webhook: dict | None = None) -> None:
        self.settings, self.webhook = settings, webhook
        self.application = build_application(settings)
        self._rounds = threading.Condition()
        self._round_starts: list[float] = []  # monotonic start of each finished reminder round
        adapter = self.application.bot_data["adapter"]
        look = adapter.send_due_reminders

        async def counted(context) -> None:
            # the real round, noted when done (the job is scheduled at start, so this is what runs)
            started = time.monotonic()
            try:
                await look(context)
            finally:
                with self._rounds:
                    self._round_starts.append(started)
                    self._rounds.notify_all()

        adapter.send_due_reminders = counted
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, daemon=True)

    def start(self) -> BotRunner:
        self._thread.start()
        if not self.ready.wait(20):
            raise AssertionError(f"the bot did not start: {self.error!r}")
        if self.error:
            raise self.error
        if not self.webhook and self.settings.api_base_url:
            _POLLING[self.settings.api_base_url] = self
        return self

    def wait_reminder_round(self, after: float, timeout: float = FakeTelegram.wait_timeout) -> None:
        """Block until a look for due reminders that began at ``after`` (``time.monotonic()``) or
        later has finished: every reminder due by ``after`` has been claimed and sent by then."""
        deadline = time.monotonic() + timeout
        with self._rounds:
            while not any(start >= after for start in self._round_starts):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("the bot did not look for due reminders in time")
                self._rounds.wait(remaining)

    def wait_processed(self, timeout: float = FakeTelegram.wait_timeout) -> None:
        """Block until every update the bot has taken from the fake is processed: the updater puts
        each fetched update on ``application.update_queue`` before it polls again, and PTB marks
        one done (``task_done``) after its handlers — and so everything they send — have finished."""
        if self._loop is None:
            raise AssertionError("the bot is not running")
        done = asyncio.run_coroutine_threadsafe(self.application.update_queue.join(), self._loop)
        try:
            done.result(timeout)
        except TimeoutError:
            done.cancel()
            raise AssertionError("the bot did not finish processing its updates in time") from None

    def _main(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._run())
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread
            self.error = exc
            self.ready.set()
        finally:
            self._loop.close()

    async def _run(self) -> None:
        app = self.application
        self._stop = asyncio.Event()
        await app.initialize()
        await app.post_init(app)
        server = None
        if self.webhook:
            server = await start_webhook(app, self.settings, url=self.webhook["webhook_url"],
                                         listen=self.webhook["listen"], port=self.webhook["port"])
        else:
            await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        self.ready.set()
        await self._stop.wait()
        if server is not None:
            await server.stop()
        else:
            await app.updater.stop()
        await app.stop()
        await app.shutdown()

    def stop(self) -> None:
        if _POLLING.get(self.settings.api_base_url or "") is self:
            del _POLLING[self.settings.api_base_url or ""]
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(20)

    def __enter__(self) -> BotRunner:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class Resident:
    """One resident in one private chat."""

    def __init__(self, fake: FakeTelegram, chat_id: int, language_code: str | None = "ja") -> None:
        self.fake, self.chat_id, self.language_code = fake, chat_id, language_code

    def begin(self, locale: str | None = None, payload: str | None = None) -> None:
        """/start (with a deep-link payload), choose the language (default: the app's), agree."""
        self.say(f"/start {payload}" if payload else "/start")
        self.tap_kind("L", locale or self.language_code, expect="sendMessage")
        self.tap_kind("C", "y", expect="sendMessage")

    def current_question(self) -> tuple[str, set[str]]:
        """(question id, button kinds) of the keyboard on screen; kinds hold "R" at the review."""
        buttons = self.buttons()
        kinds = {b["callback_data"].split("|")[0] for b in buttons}
        return ("" if "R" in kinds else buttons[0]["callback_data"].split("|")[3]), kinds

    def answer_current(self, instrument: Instrument, number: str = "2", sentence: str = "バスを増やしてください") -> str:
        """Answer what the bot asks now: the first choice (toggle + done for multi), a number, or a sentence."""
        qid, kinds = self.current_question()
        if "A" in kinds:
            self.tap_where(lambda b: b["callback_data"].startswith("A|"), expect="sendMessage")
        elif "T" in kinds:
            self.tap_where(lambda b: b["callback_data"].startswith("T|"))
            self.tap_kind("D", expect="sendMessage")
        elif instrument.question(qid).type == "number":
            self.say(number)
        else:
            self.say(sentence)
        return qid

    def answer_everything(self, instrument: Instrument, number: str = "2",
                          sentence: str = "バスを増やしてください") -> list[str]:
        """Answer every question as :meth:`answer_current` does until the review; the ids asked."""
        asked = []
        for _ in range(40):
            if "R" in self.current_question()[1]:
                return asked
            asked.append(self.answer_current(instrument, number, sentence))
        raise AssertionError("the survey never reached the review")

    def _exchange(self, update: dict, expect: str | None, answered_query: str | None = None) -> list[Call]:
        mark = len(self.fake.calls)
        update = self.fake.inject(update)
        bot = _POLLING.get(self.fake.base_url)
        if bot is not None:  # in this process: wait until the update is processed, then look
            self.fake.wait_for(lambda: self.fake.consumed(update["update_id"]))
            bot.wait_processed(self.fake.wait_timeout)
            self._check(mark, expect, answered_query)
            return self.fake.calls[mark:]
        # a bot in another process: wait for what it should send, then for it to go quiet
        if answered_query is not None:
            self.fake.wait_for(lambda: any(c.method == "answerCallbackQuery" and
                                           c.params.get("callback_query_id") == answered_query
                                           for c in self.fake.calls[mark:]))
        if expect is not None:
            self.fake.wait_for(lambda: any(c.method == expect and c.chat_id == self.chat_id
                                           for c in self.fake.calls[mark:]))
        if answered_query is None and expect is None:
            self.fake.wait_for(lambda: self.fake.consumed(update["update_id"]))
            time.sleep(0.3)  # give an ignored update the time to (not) cause a reply
        return self.fake.settle(mark)

    def _check(self, mark: int, expect: str | None, answered_query: str | None) -> None:
        calls = self.fake.calls[mark:]
        if answered_query is not None:
            assert any(c.method == "answerCallbackQuery" and c.params.get("callback_query_id") == answered_query
                       for c in calls), "the tap was not acknowledged"
        if expect is not None:
            assert any(c.method == expect and c.chat_id == self.chat_id for c in calls), f"no {expect} to the chat"

    def say(self, text: str, expect: str | None = "sendMessage") -> list[Call]:
        return self._exchange(self.fake.text_update(self.chat_id, text, self.language_code), expect)

    def send_update(self, update: dict, expect: str | None = "sendMessage") -> list[Call]:
        return self._exchange(update, expect)

    def tap(self, data: str, message: dict | None = None, expect: str | None = None) -> list[Call]:
        message = message or self.keyboard_message()
        update = self.fake.tap_update(self.chat_id, message, data, self.language_code)
        return self._exchange(update, expect, answered_query=update["callback_query"]["id"])

    def keyboard_message(self) -> dict:
        """The newest message in this chat that still shows buttons."""
        shown = [m for (chat, _), m in self.fake.messages.items() if chat == self.chat_id and m.get("reply_markup")]
        if not shown:
            raise AssertionError("no message with buttons in this chat")
        return max(shown, key=lambda m: m["message_id"])

    def buttons(self, message: dict | None = None) -> list[dict]:
        message = message or self.keyboard_message()
        return [b for row in message["reply_markup"]["inline_keyboard"] for b in row]

    def button(self, predicate, message: dict | None = None) -> str:
        for b in self.buttons(message):
            if predicate(b):
                return b["callback_data"]
        raise AssertionError(f"no such button among {[b['text'] for b in self.buttons(message)]}")

    def tap_where(self, predicate, expect: str | None = None) -> list[Call]:
        message = self.keyboard_message()
        return self.tap(self.button(predicate, message), message, expect)

    def tap_kind(self, kind: str, arg: str | None = None, expect: str | None = None) -> list[Call]:
        def matches(b):
            parts = b["callback_data"].split("|")
            return parts[0] == kind and (arg is None or parts[3] == arg or parts[-1] == arg)
        return self.tap_where(matches, expect)

    def tap_code(self, code: int, expect: str | None = None) -> list[Call]:
        return self.tap_where(lambda b: b["callback_data"].split("|")[0] in "AT"
                              and b["callback_data"].endswith(f"|{code}"), expect)

    def texts(self) -> list[str]:
        return [c.text for c in self.fake.sent_to(self.chat_id)]
