"""An engine conversation in memory (``Chat``), for engine tests: events in, outcome and answers out."""
from __future__ import annotations

from bot import callbacks
from bot.engine import Engine
from bot.events import Start, Tap, Text
from bot.states import Conversation
from tests.support.bot_memory_port import MemoryPort


class Chat:
    def __init__(self, ins, port=None, language_code="en"):
        self.ins, self.engine = ins, Engine(ins)
        self.port = port or MemoryPort(ins)
        self.conv = Conversation()
        self.language_code = language_code
        self.last = None

    def send(self, event):
        before = self.conv
        self.conv, self.last = self.engine.handle(self.conv, event, self.port)
        assert before is not self.conv  # the engine never mutates its input
        return self.last

    def text(self, t):
        return self.send(Text(t, self.language_code))

    def tap(self, kind, arg="", code=None):
        return self.send(Tap(callbacks.encode(self.ins, kind, arg, code)))

    def answer(self, code):
        return self.tap(callbacks.ANSWER, self.conv.question_id, code)

    def begin(self, locale="en", payload=None):
        self.send(Start(payload, self.language_code))
        self.tap(callbacks.LANGUAGE, locale)
        return self.tap(callbacks.CONSENT, "y")

    @property
    def texts(self):
        return [m.text for m in self.last.messages]

    @property
    def answers(self):
        return self.port.answers(self.conv.response_id)
