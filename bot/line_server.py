"""``machikoe line``: the HTTP server LINE calls (``POST /line/webhook``), its workers and reminders.

Each call is checked before anything is read from it: the ``X-Line-Signature`` header must
be the base64 HMAC-SHA256 of the raw body under the channel secret, compared in constant
time (line-bot-sdk's ``SignatureValidator``, ``hmac.compare_digest``). A missing or wrong
signature, a body that is not UTF-8 JSON with an ``events`` list: 400, one log line that
copies nothing of what was sent. A readable call is answered 200 at once (LINE expects a
quick answer); its events go to worker threads — the same thread for the same resident,
so one resident's events are handled in order.

Redelivery: an event whose ``webhookEventId`` was already taken — by this process or
another one, before a restart or not (``bot_seen_events``, unique) — is dropped, so a
redelivered answer is never recorded twice. An event LINE marks ``isRedelivery`` but this
bot never saw is handled normally (its reply token is stale, so the answer is pushed).
Events the SDK cannot read (unknown types) are logged by type and ignored.

Reminders: a thread looks for due reminder rows every ``reminder_poll`` seconds and hands
each one it could claim to the resident's worker (``bot/reminder_store.py``).
"""
from __future__ import annotations

import json
import logging
import queue
import re
import signal
import threading
import time
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeAlias

from linebot.v3.messaging import ApiClient, Configuration, MessagingApi
from linebot.v3.webhook import SignatureValidator
from linebot.v3.webhooks import Event as LineEvent

from survey_app.db import engine_for

from .events import Remind
from .line import CHANNEL, LineAdapter, LineDelivery, LineSettings, user_of
from .reminders import ReminderPolicy
from .service import ConversationService

log = logging.getLogger("bot.line")
PATH = "/line/webhook"
SIGNATURE_HEADER = "X-Line-Signature"
MAX_BODY = 1024 * 1024
PRUNE_EVERY = 3600.0  # seconds between clean-ups of old seen-event ids
_TYPE_NAME = re.compile(r"^[A-Za-z]{1,32}$")
# A worker's job: a LINE event to take, or the chat address of a due reminder (None: stop).
Job: TypeAlias = LineEvent | str


def reminder_policy(settings: LineSettings) -> ReminderPolicy:
    start, end = settings.quiet_hours
    return ReminderPolicy(settings.reminder_delay, timezone=settings.timezone, quiet_start=start, quiet_end=end)


def messaging_api(settings: LineSettings) -> tuple[ApiClient, MessagingApi]:
    config = Configuration(access_token=settings.access_token)
    if settings.api_base_url:
        config = Configuration(host=settings.api_base_url.rstrip("/"), access_token=settings.access_token)
    client = ApiClient(config)
    return client, MessagingApi(client)


class LineServer:
    """Serve ``POST /line/webhook`` on ``host:port`` (port 0: a free one; see :attr:`port`)."""

    def __init__(self, settings: LineSettings, *, host: str = "127.0.0.1", port: int = 8000,
                 service: ConversationService | None = None) -> None:
        self.settings = settings
        self.service = service or ConversationService(engine_for(settings.database_url), settings.survey_id,
                                                      settings.secret, CHANNEL, reminder_policy(settings))
        self.client, api = messaging_api(settings)
        self.adapter = LineAdapter(self.service, LineDelivery(api))
        self.validator = SignatureValidator(settings.channel_secret)
        self.worker_id = f"line-{uuid.uuid4().hex[:12]}"
        self.queues: list[queue.Queue[Job | None]] = [queue.Queue() for _ in range(max(1, settings.workers))]
        self.stopping = threading.Event()
        self.httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self.httpd.daemon_threads = True
        self.threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def start(self) -> LineServer:
        targets = [self.httpd.serve_forever, self.poll_reminders] + [
            (lambda q=q: self.work(q)) for q in self.queues]
        for target in targets:
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def stop(self) -> None:
        """Stop taking calls, finish the events already taken, stop."""
        self.httpd.shutdown()
        self.httpd.server_close()
        self.stopping.set()
        for q in self.queues:
            q.put(None)
        for thread in self.threads:
            thread.join(timeout=30)
        self.client.close()

    # ------------------------------------------------------------ one call
    def accept(self, body: bytes, signature: str | None) -> int:
        """The HTTP status for one webhook call; readable events are queued."""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            log.warning("webhook: a body that is not UTF-8 was refused")
            return 400
        if not signature or not self.validator.validate(text, signature):
            log.warning("webhook: a call without a valid %s was refused", SIGNATURE_HEADER)
            return 400
        try:
            payload = json.loads(text)
        except ValueError:
            log.warning("webhook: a signed body that is not JSON was refused")
            return 400
        if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
            log.warning("webhook: a signed body without an events list was refused")
            return 400
        events = [e for e in map(readable, payload["events"]) if e is not None]
        try:
            fresh = [e for e in events if self.first_sighting(e)]
        except Exception:  # database down: LINE may redeliver later
            log.exception("webhook: events could not be recorded")
            return 500
        for event in fresh:
            self.queue_for(user_of(event) or "").put(event)
        return 200

    def first_sighting(self, event: LineEvent) -> bool:
        if self.service.first_sighting(event.webhook_event_id):
            return True
        log.info("event %s delivered again: ignored", event.webhook_event_id)
        return False

    def queue_for(self, user_id: str) -> queue.Queue[Job | None]:
        return self.queues[zlib.crc32(user_id.encode()) % len(self.queues)]

    # ------------------------------------------------------------ workers and reminders
    def work(self, jobs: queue.Queue[Job | None]) -> None:
        while (job := jobs.get()) is not None:
            try:
                if isinstance(job, str):
                    self.adapter.run(job, Remind())
                else:
                    self.adapter.take(job)
            except Exception:  # one event must not stop the worker
                log.exception("a %s could not be handled", "reminder" if isinstance(job, str) else "event")

    def poll_reminders(self) -> None:
        pruned = 0.0
        while not self.stopping.wait(self.settings.reminder_poll):
            try:
                for reminder in self.service.claim_reminders(self.worker_id):
                    self.queue_for(reminder.address).put(reminder.address)
                if time.monotonic() - pruned > PRUNE_EVERY:
                    self.service.prune_seen()
                    pruned = time.monotonic()
            except Exception:  # the next poll tries again
                log.exception("due reminders could not be read")


def readable(raw: Any) -> LineEvent | None:
    """The SDK's event object, or None (logged by type only) for one it cannot read."""
    try:
        return LineEvent.from_dict(raw)
    except Exception as exc:  # noqa: BLE001 - unknown type or malformed: ignored, LINE must not resend it
        kind = raw.get("type") if isinstance(raw, dict) else None
        shown = kind if isinstance(kind, str) and _TYPE_NAME.match(kind) else "?"
        log.info("webhook: an event of type %s could not be read (%s): ignored", shown, type(exc).__name__)
        return None


def _handler_for(server: LineServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        timeout = 30  # seconds a silent client may hold a connection (and its thread)

        def do_POST(self) -> None:  # http.server's naming
            if self.path.split("?")[0].rstrip("/") != PATH:
                return self.answer(404)
            length = self.headers.get("Content-Length", "")
            if not length.isdigit() or int(length) > MAX_BODY:
                log.warning("webhook: a call without a usable Content-Length was refused")
                return self.answer(400)
            body = self.rfile.read(int(length))
            return self.answer(server.accept(body, self.headers.get(SIGNATURE_HEADER)))

        def do_GET(self) -> None:
            self.answer(405)

        def answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:  # the access log would print every call
            pass

    return Handler


def run_line(settings: LineSettings, *, host: str, port: int) -> None:
    """Serve until SIGINT or SIGTERM."""
    server = LineServer(settings, host=host, port=port).start()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    server.stop()
