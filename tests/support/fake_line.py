"""A fake LINE Messaging API for tests, and residents who talk to the bot through it.

:class:`FakeLine` is real HTTP on 127.0.0.1 (free port, no internet). The bot's real
line-bot-sdk client talks to it through ``LINE_API_BASE_URL``. It answers
``POST /v2/bot/message/reply`` (a reply token is good once, and only if this fake issued it
for that user) and ``POST /v2/bot/message/push`` (``X-Line-Retry-Key``: a key seen before is
answered 409, as LINE does), checks the bearer token, and records every accepted call.
``push_fails_after_accepting`` scripts a lost response: the push is accepted, then answered
500 (the bot must retry with the same key and get 409 — one message, not two).

:class:`LineResident` plays one LINE user: builds webhook events as LINE sends them
(``webhookEventId``, ``deliveryContext``, ``replyToken``), signs them with the channel secret
(``X-Line-Signature``) and posts them to the bot's ``/line/webhook``; then waits for what the
bot sent back and taps the quick replies it really received.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.support import httpkit
from tests.support.fake_api import FakeApiServer

ACCESS_TOKEN = "test-line-access-token"
CHANNEL_SECRET = "test-line-channel-secret"


@dataclass
class Sent:
    kind: str           # reply | push
    to: str
    messages: list[dict]
    retry_key: str | None = None
    at: float = field(default_factory=time.monotonic)

    @property
    def texts(self) -> list[str]:
        return [m.get("text") or m.get("altText", "") for m in self.messages]


class FakeLine(FakeApiServer):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Sent] = []
        self.tokens: dict[str, str] = {}          # reply token → user id (unused ones)
        self.retry_keys: set[str] = set()
        self.refused: list[tuple[str, int]] = []  # (path, status) of calls answered with an error
        self.push_fails_after_accepting = 0

    # ------------------------------------------------------------ the API
    def handle_request(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict]:
        headers = {k.lower(): v for k, v in headers.items()}
        if headers.get("authorization") != f"Bearer {ACCESS_TOKEN}":
            return self._refuse(path, 401, "Authentication failed")
        request = json.loads(body or b"{}")
        messages = request.get("messages") or []
        if not 1 <= len(messages) <= 5:
            return self._refuse(path, 400, "The request body has 1 error(s)")
        if path == "/v2/bot/message/reply":
            with self._cond:
                user = self.tokens.pop(request.get("replyToken", ""), None)
            if user is None:
                return self._refuse(path, 400, "Invalid reply token")
            self._record(Sent("reply", user, messages))
            return 200, {"sentMessages": [{"id": uuid.uuid4().hex}]}
        if path == "/v2/bot/message/push":
            key = headers.get("x-line-retry-key")
            with self._cond:
                if key and key in self.retry_keys:
                    return self._refuse(path, 409, "The retry key is already accepted")
                if key:
                    self.retry_keys.add(key)
            self._record(Sent("push", request["to"], messages, key))
            with self._cond:
                if self.push_fails_after_accepting:
                    self.push_fails_after_accepting -= 1
                    return self._refuse(path, 500, "Internal server error")
            return 200, {"sentMessages": [{"id": uuid.uuid4().hex}]}
        return self._refuse(path, 404, "Not found")

    def _refuse(self, path: str, status: int, message: str) -> tuple[int, dict]:
        with self._cond:
            self.refused.append((path, status))
        return status, {"message": message}

    def _record(self, sent: Sent) -> None:
        with self._cond:
            self.sent.append(sent)
            self._cond.notify_all()

    def issue_token(self, user_id: str) -> str:
        token = uuid.uuid4().hex
        with self._cond:
            self.tokens[token] = user_id
        return token

    # ------------------------------------------------------------ waiting and reading
    def to(self, user_id: str) -> list[Sent]:
        with self._cond:
            return [s for s in self.sent if s.to == user_id]


# One client for every webhook call: ``httpx.post`` builds a client (and a TLS context) per call.
_HTTP = httpkit.client(timeout=10)


def sign(body: bytes, secret: str = CHANNEL_SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class LineResident:
    """One LINE user in a one-to-one chat with the official account."""

    _ids = itertools.count(1)

    def __init__(self, fake: FakeLine, webhook_url: str, user_id: str | None = None,
                 handled: Callable[[], None] | None = None) -> None:
        """``handled`` blocks until the bot has handled every event it took (an in-process bot:
        ``LineRunner.resident``); without it (a bot in another process) :meth:`send` waits for
        the bot to answer and then go quiet for a while."""
        self.fake, self.url, self.handled = fake, webhook_url, handled
        self.user_id = user_id or "U" + uuid.uuid4().hex

    # ------------------------------------------------------------ events as LINE sends them
    def event(self, kind: str, *, age: float = 0.0, **fields) -> dict:
        event = {"type": kind, "mode": "active", "timestamp": int((time.time() - age) * 1000),
                 "source": {"type": "user", "userId": self.user_id},
                 "webhookEventId": f"01TEST{next(self._ids):020d}",
                 "deliveryContext": {"isRedelivery": False}, **fields}
        if kind in ("message", "postback", "follow"):
            event["replyToken"] = self.fake.issue_token(self.user_id)
        return event

    def text_event(self, text: str, **kw) -> dict:
        return self.event("message", message={"type": "text", "id": str(next(self._ids)), "text": text,
                                              "quoteToken": "q"}, **kw)

    def post(self, events: list[dict], *, body: bytes | None = None, signature: str | None = "sign") -> int:
        body = body if body is not None else json.dumps({"destination": "Ubot", "events": events}).encode()
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Line-Signature"] = (sign(body) if signature == "sign" else signature).encode()
        return _HTTP.post(self.url, content=body, headers=headers).status_code

    def send(self, event: dict, *, expect: bool = True) -> list[Sent]:
        """Post one event; with ``expect``, return what the bot sent for it (at least one message)."""
        mark = len(self.fake.to(self.user_id))
        assert self.post([event]) == 200
        if self.handled is not None:
            self.handled()  # everything the bot sends for this event has been sent
            if expect:
                assert len(self.fake.to(self.user_id)) > mark, "the bot handled the event but sent nothing"
            return self.fake.to(self.user_id)[mark:] if expect else []
        if not expect:
            return []
        self.fake.wait_for(lambda: len(self.fake.to(self.user_id)) > mark)
        return self.settle(mark)

    def settle(self, mark: int, quiet: float = 0.25) -> list[Sent]:
        while True:
            sent = self.fake.to(self.user_id)
            if time.monotonic() - sent[-1].at >= quiet:
                return sent[mark:]
            time.sleep(quiet / 4)

    # ------------------------------------------------------------ what a resident does
    def follow(self) -> list[Sent]:
        return self.send(self.event("follow", follow={"isUnblocked": False}))

    def say(self, text: str, **kw) -> list[Sent]:
        return self.send(self.text_event(text), **kw)

    def tap(self, item: dict, **kw) -> list[Sent]:
        action = item["action"]
        return self.send(self.event("postback", postback={"data": action["data"]}), **kw)

    def messages(self) -> list[dict]:
        return [m for s in self.fake.to(self.user_id) for m in s.messages]

    def texts(self) -> list[str]:
        return [t for s in self.fake.to(self.user_id) for t in s.texts]

    def choices(self) -> list[dict]:
        """The quick reply items (or Flex buttons) of the newest message that has some."""
        for message in reversed(self.messages()):
            items = (message.get("quickReply") or {}).get("items")
            if items:
                return items
            if message.get("type") == "flex":
                return [{"action": b["action"]} for box in message["contents"]["body"]["contents"]
                        if box.get("type") == "box" for b in box["contents"]]
        raise AssertionError("no message with choices")

    def choice(self, predicate) -> dict:
        for item in self.choices():
            if predicate(item["action"]):
                return item
        raise AssertionError(f"no such choice among {[i['action']['label'] for i in self.choices()]}")

    def tap_kind(self, kind: str, arg: str | None = None, **kw) -> list[Sent]:
        def wanted(action: dict) -> bool:
            parts = action["data"].split("|")
            return parts[0] == kind and (arg is None or parts[3] == arg)
        return self.tap(self.choice(wanted), **kw)
