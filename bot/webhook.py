"""Telegram's webhook calls, read one at a time like polled updates (``bot/updates.py``).

Why not python-telegram-bot's own webhook server: it answers a body that is not JSON with
a 500, and logs an update it cannot parse *with its content* at CRITICAL — a resident's
chat id, name and words in the log. This server follows PTB's documented pattern for a
custom webhook server (updates go to ``application.update_queue``) and:

- refuses a call without the right secret token (403), a body that is not JSON or not an
  update (400) — each with one log line that copies nothing of what was sent;
- acknowledges an update it cannot read (200, logged with its id only), exactly as polling
  does: Telegram would otherwise resend it for hours;
- hands every readable update to the application.

    server = WebhookServer(application, listen="127.0.0.1", port=8443, url_path="telegram",
                           secret_token=webhook_secret(settings.secret))
    await server.start(); ...; await server.stop()
"""
from __future__ import annotations

import hmac
import json
import logging
import re

import tornado.httpserver
import tornado.web
from telegram import Update
from telegram.ext import Application

from .updates import readable

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # an update is a few kilobytes; Telegram's largest are far below this


class _UpdateHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, bot_application: Application, secret_token: str) -> None:
        self.bot_application = bot_application  # ``self.application`` is tornado's
        self.secret_token = secret_token

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode("utf-8", "replace"), self.secret_token.encode()):
            log.warning("webhook: a call without the right secret token was refused")
            return self._answer(403)
        try:
            data = json.loads(self.request.body)
        except ValueError:  # includes bytes that are not UTF-8
            log.warning("webhook: a body that is not JSON was refused")
            return self._answer(400)
        update = readable(data)  # logs an unreadable update by its id
        if update is None:
            log.warning("webhook: a body that is not a Telegram update was refused")
            return self._answer(400)
        await self.bot_application.update_queue.put(Update.de_json(update, self.bot_application.bot))
        return self._answer(200)

    def _answer(self, status: int) -> None:
        self.set_status(status)
        self.finish(b"{}")


class WebhookServer:
    """An HTTP server on ``listen:port`` taking Telegram's calls at ``/<url_path>``."""

    def __init__(self, application: Application, *, listen: str, port: int, url_path: str,
                 secret_token: str) -> None:
        path = "/" + url_path.strip("/")
        routes = [(rf"{re.escape(path)}/?", _UpdateHandler,
                   {"bot_application": application, "secret_token": secret_token})]
        # log_function: tornado's access log would print every call; our handler logs what matters.
        self._app = tornado.web.Application(routes, log_function=lambda _handler: None)
        self.listen, self.port = listen, port
        self._server: tornado.httpserver.HTTPServer | None = None

    async def start(self) -> None:
        self._server = tornado.httpserver.HTTPServer(self._app, max_body_size=MAX_BODY)
        self._server.listen(self.port, address=self.listen)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None
