"""Sending an engine outcome through the Telegram Bot API.

Order: acknowledge the tap (always — Telegram shows a spinner until then), update the
tapped message (append the chosen answer and drop its keyboard, or swap a toggled
keyboard), remove the keyboard of the previous question if it is still live, then send
the new messages. Which message carries the live keyboard is remembered with the
conversation, so after a restart an answered question's buttons still disappear.

``Forbidden`` (the resident blocked the bot) is raised to the caller, which stops the
conversation. Edits of messages that can no longer be edited are skipped with a log line.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, MaybeInaccessibleMessage
from telegram import Message as TelegramMessage
from telegram.error import BadRequest, Forbidden

from .events import Button, Outcome, TappedUpdate
from .service import KEYBOARD, ConversationService, Processed

log = logging.getLogger("bot.telegram")
MAX_TEXT = 4096


def markup(rows: tuple[tuple[Button, ...], ...] | None) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
                                 for row in rows])


class Delivery:
    def __init__(self, service: ConversationService) -> None:
        self.service = service

    async def answer(self, query: CallbackQuery, notice: str | None) -> None:
        try:
            await query.answer(text=notice[:200] if notice else None)
        except BadRequest as exc:  # too old to answer: the resident sees nothing, nothing breaks
            log.info("tap acknowledgement refused: %s", exc.message)

    async def deliver(self, bot: Bot, chat_id: int, processed: Processed, query: CallbackQuery | None = None) -> None:
        out: Outcome = processed.outcome
        tapped_id = None
        if query is not None:
            await self.answer(query, out.notice)
            tapped_id = query.message.message_id if query.message is not None else None
            if out.tapped is not None and query.message is not None:
                await self.update_tapped(query.message, out.tapped)
        before = processed.conversation.data.get(KEYBOARD)
        live = before
        if live is not None and live == tapped_id and out.tapped is not None and out.tapped.buttons is None:
            live = None  # the tapped message was the live keyboard, and it is gone now
        new_keyboard = any(m.buttons for m in out.messages)
        if live is not None and (out.close_keyboard or new_keyboard) and live != tapped_id:
            await self.edit(bot.edit_message_reply_markup(chat_id=chat_id, message_id=live, reply_markup=None))
            live = None
        for message in out.messages:
            sent = await bot.send_message(chat_id=chat_id, text=message.text[:MAX_TEXT],
                                          reply_markup=markup(message.buttons))
            if message.buttons:
                live = sent.message_id
        if live != before and not out.forget:
            await asyncio.to_thread(self.service.remember_keyboard, processed.chat_key, live)

    async def update_tapped(self, message: MaybeInaccessibleMessage, tapped: TappedUpdate) -> None:
        if not isinstance(message, TelegramMessage):  # too old for Telegram to hand over: nothing to edit
            return
        if tapped.buttons is not None:
            await self.edit(message.edit_reply_markup(reply_markup=markup(tapped.buttons)))
        elif tapped.confirm and message.text:
            text = f"{message.text}\n\n{tapped.confirm}"
            if len(text) > MAX_TEXT:
                text = f"{message.text[:MAX_TEXT - len(tapped.confirm) - 3]}\n\n{tapped.confirm}"
            await self.edit(message.edit_text(text=text, reply_markup=None))
        else:
            await self.edit(message.edit_reply_markup(reply_markup=None))

    async def edit(self, call: Awaitable[object]) -> None:
        try:
            await call
        except Forbidden:
            raise
        except BadRequest as exc:  # not modified, too old, deleted by the resident
            log.info("message edit skipped: %s", exc.message)
