"""A fake Telegram Bot API server for tests: real HTTP on 127.0.0.1, a free port, no internet.

The real python-telegram-bot ``Application`` talks to it through ``base_url``. It answers the
methods the bot uses (getMe, getUpdates with long polling, sendMessage, editMessageText,
editMessageReplyMarkup, answerCallbackQuery, setWebhook, deleteWebhook, setMyCommands …),
records every call, and lets a test inject updates as a resident would cause them
(typed text, commands, taps on the buttons the bot sent, stickers, photos, voice, edits,
the same update twice). Failures can be scripted: a chat that blocked the bot (403) or a
flood limit (429 with ``retry_after``).
"""
from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

BOT_USER = {"id": 777000111, "is_bot": True, "first_name": "Machikoe", "username": "machikoe_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
TOKEN = "123456:TEST-token"


@dataclass
class Call:
    method: str
    params: dict
    at: float = field(default_factory=time.monotonic)

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return self.params.get("text", "")

    @property
    def buttons(self) -> list[list[dict]]:
        markup = self.params.get("reply_markup") or {}
        return markup.get("inline_keyboard", []) if isinstance(markup, dict) else []


def _decode(value: str):
    if value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeTelegram:
    """Start with :meth:`start`; ``base_url`` is what the bot's TELEGRAM_API_BASE_URL should be."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.updates: list[dict] = []
        self.messages: dict[tuple[int, int], dict] = {}
        self.blocked: set[int] = set()
        self.flood_once: dict[str, int] = {}  # method → retry_after seconds, for its next call
        self.webhook: dict = {}
        self.delivered_up_to = 0
        self._ids = itertools.count(1000)
        self._update_ids = itertools.count(1)
        self._cond = threading.Condition()
        self._server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------ server
    def start(self) -> FakeTelegram:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    params = json.loads(body or "{}")
                else:
                    params = {k: _decode(v) for k, v in parse_qsl(body, keep_blank_values=True)}
                method = self.path.rstrip("/").rsplit("/", 1)[-1]
                status, payload = fake.dispatch(method, params)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                # the bot may stop while a long poll is open
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            do_GET = do_POST  # noqa: N815

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._cond.notify_all()
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # ------------------------------------------------------------ Bot API methods
    def dispatch(self, method: str, params: dict) -> tuple[int, dict]:
        if method == "getUpdates":
            return 200, {"ok": True, "result": self.get_updates(params)}
        with self._cond:
            self.calls.append(Call(method, params))
            self._cond.notify_all()
        if method in self.flood_once:
            retry = self.flood_once.pop(method)
            return 429, {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry}",
                         "parameters": {"retry_after": retry}}
        chat = params.get("chat_id")
        if chat is not None and int(chat) in self.blocked and method.startswith(("send", "edit")):
            return 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
        handler = getattr(self, f"api_{method}", None)
        if handler is None:
            return 200, {"ok": True, "result": True}
        return handler(params)

    def api_getMe(self, params):  # noqa: N802
        return 200, {"ok": True, "result": BOT_USER}

    def api_sendMessage(self, params):  # noqa: N802
        chat_id = int(params["chat_id"])
        message = self._message(chat_id, params.get("text", ""), params.get("reply_markup"), sender=BOT_USER)
        return 200, {"ok": True, "result": message}

    def api_editMessageText(self, params):  # noqa: N802
        return self._edit(params, text=params.get("text"))

    def api_editMessageReplyMarkup(self, params):  # noqa: N802
        return self._edit(params)

    def api_setWebhook(self, params):  # noqa: N802
        self.webhook = dict(params)
        return 200, {"ok": True, "result": True}

    def api_deleteWebhook(self, params):  # noqa: N802
        self.webhook = {}
        return 200, {"ok": True, "result": True}

    def _edit(self, params, text=None):
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self.messages.get(key)
        if message is None:
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message to edit not found"}
        if text is not None:
            message["text"] = text
        markup = params.get("reply_markup")
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        return 200, {"ok": True, "result": message}

    def _message(self, chat_id: int, text: str, markup=None, sender=None, **extra) -> dict:
        message = {"message_id": next(self._ids), "date": int(time.time()), "text": text,
                   "chat": {"id": chat_id, "type": "private", "first_name": "Resident"},
                   "from": sender or BOT_USER, **extra}
        if markup:
            message["reply_markup"] = markup
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def get_updates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + min(timeout, 5)
        with self._cond:
            while True:
                if offset:
                    self.updates = [u for u in self.updates if u["update_id"] >= offset]
                    self.delivered_up_to = max(self.delivered_up_to, offset - 1)
                    self._cond.notify_all()
                pending = list(self.updates)
                remaining = deadline - time.monotonic()
                if pending or remaining <= 0 or self._server is None:
                    return pending
                self._cond.wait(remaining)

    # ------------------------------------------------------------ what a resident does
    def user(self, chat_id: int, language_code: str | None) -> dict:
        user = {"id": chat_id, "is_bot": False, "first_name": "Resident"}
        if language_code:
            user["language_code"] = language_code
        return user

    def inject(self, update: dict) -> dict:
        with self._cond:
            update.setdefault("update_id", next(self._update_ids))
            self.updates.append(update)
            self._cond.notify_all()
        return update

    def text_update(self, chat_id: int, text: str, language_code: str | None = "ja", **extra) -> dict:
        message = {"message_id": next(self._ids), "date": int(time.time()), "text": text,
                   "chat": {"id": chat_id, "type": "private", "first_name": "Resident"},
                   "from": self.user(chat_id, language_code), **extra}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"message": message}

    def media_update(self, chat_id: int, kind: str, language_code: str | None = "ja") -> dict:
        payloads = {
            "sticker": {"file_id": "s1", "file_unique_id": "s1", "width": 512, "height": 512, "is_animated": False,
                        "is_video": False, "type": "regular"},
            "photo": [{"file_id": "p1", "file_unique_id": "p1", "width": 90, "height": 90}],
            "voice": {"file_id": "v1", "file_unique_id": "v1", "duration": 2},
        }
        message = {"message_id": next(self._ids), "date": int(time.time()), kind: payloads[kind],
                   "chat": {"id": chat_id, "type": "private", "first_name": "Resident"},
                   "from": self.user(chat_id, language_code)}
        return {"message": message}

    def tap_update(self, chat_id: int, message: dict, data: str, language_code: str | None = "ja") -> dict:
        return {"callback_query": {"id": str(next(self._ids)), "from": self.user(chat_id, language_code),
                                   "chat_instance": f"ci{chat_id}", "data": data, "message": dict(message)}}

    # ------------------------------------------------------------ waiting and reading
    def wait_for(self, predicate, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("the bot did not do what the test waited for")
                self._cond.wait(min(remaining, 0.05))

    def settle(self, mark: int, quiet: float = 0.12) -> list[Call]:
        """Wait until no call has arrived for ``quiet`` seconds; return the calls after ``mark``."""
        while True:
            with self._cond:
                last = self.calls[-1].at if len(self.calls) > mark else None
            if last is not None and time.monotonic() - last >= quiet:
                break
            time.sleep(quiet / 3)
            if last is None:
                break
        return self.calls[mark:]

    def consumed(self, update_id: int) -> bool:
        return self.delivered_up_to >= update_id

    def sent_to(self, chat_id: int, method: str = "sendMessage") -> list[Call]:
        return [c for c in self.calls if c.method == method and c.chat_id == chat_id]
