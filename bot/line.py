"""LINE adapter (line-bot-sdk v3, Messaging API): webhook events → engine events → messages.

The same engine, conversation table and answers as Telegram (``bot/engine.py``,
``bot/service.py``); only the translation to and from LINE lives here. The HTTP side
(signature, redelivery, worker threads, reminder poll) is ``bot/line_server.py``.

- Buttons become quick replies (postback actions: ``data`` is the button's callback data,
  ``displayText`` echoes the full label as the resident's own message). LINE allows 13
  quick replies of 20 characters; a keyboard with more buttons (the review's "change which
  answer" numbers) is sent as a Flex bubble of postback buttons instead.
- No message edits and no toasts on LINE: a tap's notice ("no longer valid" …) is a short
  message; a toggled multiple-choice keyboard is sent again with the ticks.
- Replies use the event's reply token while it is fresh (``REPLY_WINDOW``), otherwise — and
  for reminders — push messages with an ``X-Line-Retry-Key``, so a retried push is
  delivered once (LINE answers a repeated key with 409).
- Typed ``/start CODE`` (what the letter's LINE link pre-fills), ``/language``, ``/stop``,
  ``/delete``, ``/help``, ``/skip`` are commands; an invitation code typed on its own before
  the survey has begun is taken like ``/start CODE``.

Privacy: LINE user ids are used only to reply; conversations know them as HMAC pseudonyms.
Nothing a resident writes is logged.
"""
from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from linebot.v3.messaging import (
    FlexBubble,
    FlexMessage,
    MessagingApi,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.messaging import Message as LineMessage
from linebot.v3.messaging.exceptions import ApiException
from linebot.v3.webhooks import Event as LineEvent
from linebot.v3.webhooks import (
    FollowEvent,
    MessageEvent,
    PostbackEvent,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
)

from survey_app.i18n import locales
from survey_app.i18n.catalogs import gettext

from . import bidi
from . import messages as m
from .events import (
    Blocked,
    Button,
    Event,
    Message,
    Outcome,
    Remind,
    Start,
    Tap,
    Unsupported,
)
from .parsing import typed_event
from .reminders import DEFAULT_DELAY, DEFAULT_TIMEZONE
from .render import TICK
from .service import ConversationService, Processed

log = logging.getLogger("bot.line")
CHANNEL = "line"
REPLY_WINDOW = 50.0        # seconds: a reply token is used only while younger than this
MAX_PER_REQUEST = 5        # messages per reply or push
MAX_QUICK_REPLIES = 13
QUICK_LABEL = 20           # characters of a quick reply's label
FLEX_LABEL = 40
MAX_TEXT = 5000
PUSH_ATTEMPTS = 3


@dataclass(frozen=True)
class LineSettings:
    channel_secret: str
    access_token: str
    database_url: str
    secret: str
    survey_id: str
    api_base_url: str | None = None   # LINE_API_BASE_URL (tests: a local fake)
    reminder_delay: float = DEFAULT_DELAY
    reminder_poll: float = 30.0
    timezone: str = DEFAULT_TIMEZONE
    quiet_hours: tuple[int, int] = (21, 8)
    workers: int = 4                  # event threads; one resident's events always go to the same one


# ---------------------------------------------------------------- LINE event → engine event

def user_of(event: LineEvent) -> str | None:
    """The LINE user id of a one-to-one chat event (None for groups, rooms, or no source)."""
    source = getattr(event, "source", None)
    return source.user_id if isinstance(source, UserSource) and source.user_id else None


def engine_event(event: LineEvent) -> Event | None:
    """The engine's event for a LINE event, or None when the bot has nothing to do with it."""
    if isinstance(event, FollowEvent):
        return Start(None)
    if isinstance(event, UnfollowEvent):
        return Blocked()
    if isinstance(event, PostbackEvent):
        return Tap(event.postback.data or "")
    if not isinstance(event, MessageEvent):
        return None
    message = event.message
    if not isinstance(message, TextMessageContent):
        return Unsupported(getattr(message, "type", None) or "other")
    return typed_event(message.text or "")


# ---------------------------------------------------------------- outcome → LINE messages

def _label(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _action(button: Button, limit: int) -> PostbackAction:
    return PostbackAction(label=_label(button.label, limit), data=button.data, displayText=button.label[:300])


def line_message(message: Message) -> TextMessage | FlexMessage:
    text = message.text[:MAX_TEXT] or "…"
    buttons = [b for row in message.buttons for b in row]
    if not buttons:
        return TextMessage(text=text)
    if len(buttons) <= MAX_QUICK_REPLIES:
        items = [QuickReplyItem(action=_action(b, QUICK_LABEL)) for b in buttons]
        return TextMessage(text=text, quickReply=QuickReply(items=items))
    return flex_message(text, message.buttons)


def flex_message(text: str, rows: Sequence[Sequence[Button]]) -> FlexMessage:
    """A bubble with the text and the buttons in their rows (persistent, unlike quick replies)."""
    contents = [{"type": "text", "text": text, "wrap": True}]
    for row in rows:
        contents.append({"type": "box", "layout": "horizontal", "spacing": "sm", "contents": [
            {"type": "button", "style": "secondary", "height": "sm",
             "action": _action(b, FLEX_LABEL).to_dict()} for b in row]})
    bubble = {"type": "bubble", "body": {"type": "box", "layout": "vertical", "spacing": "sm",
                                         "contents": contents}}
    return FlexMessage(altText=_label(text, 400), contents=FlexBubble.from_dict(bubble))


def toggled(locale: str, rows: Sequence[Sequence[Button]]) -> Message:
    """The multiple-choice keyboard again, after a toggle, under the list of what is ticked."""
    ticked = [b.label for row in rows for b in row if b.label.startswith(TICK)]
    text = "\n".join(ticked) or gettext(locale, m.CHOOSE_AT_LEAST_ONE)
    return Message(bidi.for_locale(locale, text), tuple(tuple(row) for row in rows))


def outgoing(processed: Processed) -> list[LineMessage]:
    """Everything to send for one processed event, in order."""
    out: Outcome = processed.outcome
    locale = processed.conversation.locale or locales.default()
    messages: list[Message] = []
    if out.notice:
        messages.append(Message(out.notice))
    if out.tapped is not None and out.tapped.buttons is not None:
        messages.append(toggled(locale, out.tapped.buttons))
    messages.extend(out.messages)
    if out.buttons_again and messages and not any(message.buttons for message in messages):
        # "tap one of the buttons above": on LINE they are gone once the resident has typed
        messages[-1] = Message(messages[-1].text, out.buttons_again)
    return [line_message(m) for m in messages]


# ---------------------------------------------------------------- sending

class LineDelivery:
    """Reply while the token is fresh, push otherwise (each push with its own retry key)."""

    def __init__(self, api: MessagingApi) -> None:
        self.api = api

    def send(self, user_id: str, messages: Sequence[LineMessage], reply_token: str | None,
             event_time: float | None) -> None:
        batches = [list(messages[i:i + MAX_PER_REQUEST]) for i in range(0, len(messages), MAX_PER_REQUEST)]
        fresh = event_time is not None and time.time() - event_time < REPLY_WINDOW
        if batches and reply_token and fresh and self.reply(reply_token, batches[0]):
            batches = batches[1:]
        for batch in batches:
            self.push(user_id, batch)

    def reply(self, token: str, batch: list[LineMessage]) -> bool:
        try:
            self.api.reply_message(ReplyMessageRequest(replyToken=token, messages=batch))
            return True
        except ApiException as exc:  # an expired or used token: nothing was sent, so push instead
            log.info("reply refused (HTTP %s): pushing instead", exc.status)
            return False

    def push(self, user_id: str, batch: list[LineMessage]) -> None:
        """Push once: the same retry key on every attempt, and 409 means LINE already has it."""
        key = str(uuid.uuid4())
        for attempt in range(1, PUSH_ATTEMPTS + 1):
            try:
                self.api.push_message(PushMessageRequest(to=user_id, messages=batch), x_line_retry_key=key)
                return
            except ApiException as exc:
                if exc.status == 409:
                    return
                if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
                    raise
                log.warning("push failed (HTTP %s), attempt %d of %d", exc.status, attempt, PUSH_ATTEMPTS)
                if attempt == PUSH_ATTEMPTS:
                    raise
                time.sleep(0.2 * attempt)


class LineAdapter:
    """One LINE event (or a due reminder) through the conversation service, then out to LINE."""

    def __init__(self, service: ConversationService, delivery: LineDelivery) -> None:
        self.service, self.delivery = service, delivery

    def take(self, event: LineEvent) -> None:
        user_id = user_of(event)
        if user_id is None:
            return log.info("%s event outside a one-to-one chat ignored", getattr(event, "type", "unknown"))
        key = self.service.chat_key(user_id)
        mapped = engine_event(event)
        if mapped is None:
            return log.info("chat %s: %s event ignored", key[:12], getattr(event, "type", "unknown"))
        self.run(user_id, mapped, getattr(event, "reply_token", None), event.timestamp / 1000.0)

    def run(self, user_id: str, event: Event, reply_token: str | None = None, event_time: float | None = None) -> None:
        try:
            processed = self.service.process(user_id, event)
        except Exception:  # a resident never sees a crash; the log has the details
            log.exception("chat %s: %s could not be handled", self.service.chat_key(user_id)[:12],
                          type(event).__name__)
            return self.apologise(user_id, event, reply_token, event_time)
        outcome = processed.outcome
        log.info("chat %s: %s → %s%s", processed.chat_key[:12], type(event).__name__,
                 processed.conversation.state, f" ({outcome.log})" if outcome.log else "")
        if processed.skipped or isinstance(event, Blocked):
            return
        try:
            self.delivery.send(user_id, outgoing(processed), reply_token, event_time)
        except ApiException as exc:
            log.warning("chat %s: messages not delivered (HTTP %s)", processed.chat_key[:12], exc.status)

    def apologise(self, user_id: str, event: Event, reply_token: str | None, event_time: float | None) -> None:
        if isinstance(event, Blocked | Remind):
            return
        try:
            locale = self.service.load(self.service.chat_key(user_id)).locale or locales.default()
        except Exception:  # noqa: BLE001 - the database may be what failed
            locale = locales.default()
        text = bidi.for_locale(locale, gettext(locale, m.SOMETHING_WENT_WRONG))
        try:
            self.delivery.send(user_id, [TextMessage(text=text)], reply_token, event_time)
        except Exception:  # noqa: BLE001 - nothing more to do for this event
            log.warning("apology could not be sent")
