"""Telegram adapter (python-telegram-bot v22): updates → engine events → messages.

All handlers are wired in :meth:`TelegramAdapter.wire`. The engine and the database work
run in a worker thread (``asyncio.to_thread``) so the event loop keeps serving the rate
limiter and the job queue. Per chat, one event is handled at a time (an asyncio lock),
also against the reminder job.

Privacy: chat ids are used only to reply and are turned into HMAC pseudonyms before
anything is stored or logged; names, usernames and message texts are never logged.
"""
from __future__ import annotations

import asyncio
import collections
import logging
import os
import signal
import uuid
from dataclasses import dataclass
from urllib.parse import urlparse

from telegram import BotCommand, CallbackQuery, Update
from telegram import Message as TelegramMessage
from telegram.error import Forbidden
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from survey_app import codes
from survey_app.db import engine_for
from survey_app.i18n.catalogs import gettext
from survey_app.i18n.locales import from_telegram, supported

from . import messages as m
from .delivery import Delivery
from .events import COMMANDS, Blocked, Command, Event, Remind, Start, Tap, Unsupported
from .jobqueue import DrainingJobQueue
from .parsing import typed_event
from .ratelimit import ChatRateLimiter
from .reminders import DEFAULT_DELAY, DEFAULT_TIMEZONE, ReminderPolicy
from .service import ConversationService, Processed
from .transport import bot_request
from .updates import TolerantUpdatesRequest
from .webhook import WebhookServer

log = logging.getLogger("bot.telegram")
CHANNEL = "telegram"
SEEN_UPDATES = 4096  # update ids remembered to drop duplicates (webhook retries, replays)


@dataclass(frozen=True)
class BotSettings:
    token: str
    database_url: str
    secret: str
    survey_id: str
    api_base_url: str | None = None   # TELEGRAM_API_BASE_URL, e.g. a local Bot API server
    reminder_delay: float = DEFAULT_DELAY
    reminder_poll: float = 30.0       # seconds between looks for due reminders (rows in the database)
    timezone: str = DEFAULT_TIMEZONE  # the city's: quiet hours are city time
    quiet_hours: tuple[int, int] = (21, 8)
    overall_rate: float = 30.0        # messages per second, whole bot
    chat_rate: float = 1.0            # messages per second, per chat (on average)
    retry_after_retries: int = 3


def api_urls(api_base_url: str) -> tuple[str, str]:
    """(base_url, base_file_url) for PTB from a server root such as ``http://127.0.0.1:8081``.

    A value already ending in ``/bot`` is taken as PTB's ``base_url`` itself.
    """
    root = api_base_url.rstrip("/")
    if root.endswith("/bot"):
        root = root[: -len("/bot")]
    return f"{root}/bot", f"{root}/file/bot"


def command_menu(locale: str) -> list[BotCommand]:
    """The command list Telegram shows in the menu, in one language."""
    return [BotCommand(name, gettext(locale, msgid)) for name, msgid in m.COMMAND_MENU.items()]


class TelegramAdapter:
    def __init__(self, settings: BotSettings, service: ConversationService) -> None:
        self.settings, self.service = settings, service
        self.delivery = Delivery(service)
        self.locks: dict[str, asyncio.Lock] = collections.defaultdict(asyncio.Lock)
        self.seen: collections.OrderedDict[int, None] = collections.OrderedDict()
        self.worker = f"telegram-{uuid.uuid4().hex[:12]}"  # this process, as a reminder claimant

    # ------------------------------------------------------------ wiring (every handler is here)
    def wire(self, application: Application) -> None:
        private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
        application.add_handler(TypeHandler(Update, self.drop_duplicates), group=-1)
        application.add_handler(CommandHandler("start", self.on_start, filters=private))
        application.add_handler(CommandHandler(list(COMMANDS), self.on_command, filters=private))
        application.add_handler(CallbackQueryHandler(self.on_tap))
        application.add_handler(MessageHandler(filters.UpdateType.EDITED, self.on_edited))
        application.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, self.on_text))
        application.add_handler(MessageHandler(private & filters.COMMAND, self.on_unknown_command))
        application.add_handler(MessageHandler(private & ~filters.TEXT, self.on_unsupported))
        # Last in its group, so it sees only updates no handler above took (no payload, groups,
        # channels, membership changes, unreadable updates): logged, then ignored (issue 8).
        application.add_handler(TypeHandler(Update, self.on_ignored))
        application.add_error_handler(self.on_error)

    async def on_startup(self, application: Application) -> None:
        """Command menus in every language; the reminder poll; say which bot and survey are running."""
        bot = application.bot
        if application.job_queue is not None:
            application.job_queue.run_repeating(self.send_due_reminders, interval=self.settings.reminder_poll,
                                                first=self.settings.reminder_poll, name="reminders")
        await bot.set_my_commands(command_menu("en"))
        for locale in supported():
            if len(locale) == 2:  # Telegram takes ISO 639-1 codes only: not ja-x-easy (its users see ja)
                await bot.set_my_commands(command_menu(locale), language_code=locale)
        log.info("bot @%s is answering for survey '%s'", bot.username, self.settings.survey_id)

    # ------------------------------------------------------------ handlers
    async def drop_duplicates(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.update_id in self.seen:
            log.info("update %s received twice: ignored", update.update_id)
            raise ApplicationHandlerStop
        self.seen[update.update_id] = None
        while len(self.seen) > SEEN_UPDATES:
            self.seen.popitem(last=False)

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        payload = " ".join(context.args) if context.args else None  # a code typed with spaces: VWV9 9XFP …
        await self.handle(update, context, Start(payload, _language(update)))

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        name = _text(update).split()[0].lstrip("/").split("@")[0].lower()
        await self.handle(update, context, Command(name, _language(update)))

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.handle(update, context, Command("help", _language(update)))

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.handle(update, context, typed_event(_text(update), _language(update)))  # ／start, ／delete

    async def on_tap(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        if query.message is None or update.effective_chat is None or update.effective_chat.type != "private":
            log.info("tap outside a private chat ignored")
            await self.delivery.answer(query, None)
            return
        await self.handle(update, context, Tap(query.data or ""))

    async def on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        key = self.service.chat_key(update.effective_chat.id) if update.effective_chat else "-"
        log.info("chat %s: edited message ignored (answers are taken as sent)", key[:12])

    async def on_unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.handle(update, context, Unsupported(_kind(update.effective_message), _language(update)))

    async def on_ignored(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        kinds = sorted(k for k in update.to_dict() if k != "update_id") or ["nothing"]
        log.info("update %s ignored: %s", update.update_id, ", ".join(kinds))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        log.error("update failed: %s", type(error).__name__, exc_info=error)

    # ------------------------------------------------------------ the one path every event takes
    async def handle(self, update: Update, context: ContextTypes.DEFAULT_TYPE, event: Event) -> None:
        if update.effective_chat is None:  # the handlers' filters take private chats only
            return
        await self.run_event(context.application, update.effective_chat.id, event, update.callback_query)

    async def run_event(self, application: Application, chat_id: int, event: Event,
                        query: CallbackQuery | None = None) -> Processed | None:
        key = self.service.chat_key(chat_id)
        async with self.locks[key]:
            try:
                processed = await asyncio.to_thread(self.service.process, chat_id, event)
            except Exception:  # a resident never sees a crash; the log has the details
                log.exception("chat %s: %s could not be handled", key[:12], type(event).__name__)
                await self.apologise(application, chat_id, event, query)
                return None
            outcome = processed.outcome
            log.info("chat %s: %s → %s%s", key[:12], type(event).__name__, processed.conversation.state,
                     f" ({outcome.log})" if outcome.log else "")
            if processed.skipped:
                return processed
            try:
                await self.delivery.deliver(application.bot, chat_id, processed, query)
            except Forbidden:
                log.info("chat %s: the resident blocked the bot; conversation stopped", key[:12])
                processed = await asyncio.to_thread(self.service.process, chat_id, Blocked())
            return processed

    async def apologise(self, application: Application, chat_id: int, event: Event, query: CallbackQuery | None) -> None:
        if query is not None:
            await self.delivery.answer(query, None)
        if isinstance(event, Remind):
            return
        locale = from_telegram(getattr(event, "language_code", None))
        text = gettext(locale, m.SOMETHING_WENT_WRONG)
        try:
            await application.bot.send_message(chat_id=chat_id, text=text)
        except Exception:  # noqa: BLE001 - nothing more to do for this update
            log.warning("chat %s: apology could not be sent", self.service.chat_key(chat_id)[:12])

    # ------------------------------------------------------------ reminders (rows in the database)
    async def send_due_reminders(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Claim the due reminders (any process may; each is claimed once) and send them."""
        try:
            due = await asyncio.to_thread(self.service.claim_reminders, self.worker)
        except Exception:  # the next poll tries again
            log.exception("due reminders could not be read")
            return
        for reminder in due:
            await self.run_event(context.application, int(reminder.address), Remind())


def _language(update: Update) -> str | None:
    user = update.effective_user
    return user.language_code if user is not None else None


def _text(update: Update) -> str:
    message = update.effective_message
    return (message.text or "") if message is not None else ""


def _kind(message: TelegramMessage | None) -> str:
    for kind in ("sticker", "photo", "voice", "video", "video_note", "audio", "document", "animation",
                 "location", "contact", "poll", "dice"):
        if message is not None and getattr(message, kind, None):
            return kind
    return "other"


def reminder_policy(settings: BotSettings) -> ReminderPolicy:
    start, end = settings.quiet_hours
    return ReminderPolicy(settings.reminder_delay, timezone=settings.timezone, quiet_start=start, quiet_end=end)


def build_application(settings: BotSettings, *, service: ConversationService | None = None) -> Application:
    """The PTB application, ready for ``run_polling``/``run_webhook`` (or manual start in tests)."""
    # Opt in to PTB's durations as timedelta (the next major version's behaviour): otherwise every
    # RetryAfter (HTTP 429) emits a deprecation warning. Nothing here reads ``retry_after`` itself.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    service = service or ConversationService(engine_for(settings.database_url), settings.survey_id,
                                             settings.secret, CHANNEL, reminder_policy(settings))
    adapter = TelegramAdapter(settings, service)
    builder = (ApplicationBuilder().token(settings.token).post_init(adapter.on_startup)
               .request(bot_request())  # one TLS context for both of the application's clients
               .job_queue(DrainingJobQueue())  # a stop cancels no reminder round that is about to begin
               .get_updates_request(TolerantUpdatesRequest())  # one unreadable update must not stall the bot
               .rate_limiter(ChatRateLimiter(settings.overall_rate, settings.chat_rate,
                                             max_retries=settings.retry_after_retries)))
    if settings.api_base_url:
        base_url, file_url = api_urls(settings.api_base_url)
        builder = builder.base_url(base_url).base_file_url(file_url)
    application = builder.build()
    adapter.wire(application)
    application.bot_data["adapter"] = adapter
    return application


def webhook_secret(secret: str) -> str:
    """The ``secret_token`` Telegram sends back with each webhook call (derived, so stable)."""
    return codes.token_hash(secret, "telegram-webhook")


def run_polling(application: Application) -> None:
    application.run_polling(allowed_updates=Update.ALL_TYPES)


async def start_webhook(application: Application, settings: BotSettings, *, url: str, listen: str,
                        port: int) -> WebhookServer:
    """Take Telegram's calls on ``listen:port`` and tell Telegram to call ``url`` (the path of
    ``url`` is the path served: a reverse proxy in front terminates HTTPS)."""
    secret_token = webhook_secret(settings.secret)
    server = WebhookServer(application, listen=listen, port=port, url_path=urlparse(url).path,
                           secret_token=secret_token)
    await server.start()
    await application.bot.set_webhook(url=url, secret_token=secret_token, allowed_updates=Update.ALL_TYPES)
    return server


def run_webhook(application: Application, settings: BotSettings, *, url: str, listen: str, port: int) -> None:
    """Serve the webhook until SIGINT or SIGTERM."""
    asyncio.run(_serve_webhook(application, settings, url=url, listen=listen, port=port))


async def _serve_webhook(application: Application, settings: BotSettings, *, url: str, listen: str, port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    server = await start_webhook(application, settings, url=url, listen=listen, port=port)
    await application.start()
    try:
        await stop.wait()
    finally:
        await server.stop()
        await application.stop()
        await application.shutdown()
