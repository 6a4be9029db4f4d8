"""Flood limits for Telegram: 30 messages a second overall, about one a second per chat.

PTB's :class:`AIORateLimiter` limits the whole bot and group chats, but not private chats,
which is where a survey bot talks. :class:`ChatRateLimiter` adds a per-chat bucket for
every chat (private ones included): ``chat_rate`` messages per second on average, with
short bursts of up to ``burst`` messages so that an answer's acknowledgement and the next
question arrive together. ``RetryAfter`` (HTTP 429) is honoured by the parent class: all
requests pause for the time Telegram asks, then the request is retried (``max_retries``).
"""
from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

MAX_CHAT_LIMITERS = 1024  # idle per-chat buckets are dropped beyond this many
ApiResult = bool | dict[str, Any] | list[dict[str, Any]]  # what a Bot API call returns (PTB's JSONDict)


class ChatRateLimiter(AIORateLimiter):
    def __init__(self, overall_rate: float = 30.0, chat_rate: float = 1.0, burst: int = 3,
                 max_retries: int = 3) -> None:
        super().__init__(overall_max_rate=overall_rate, overall_time_period=1, max_retries=max_retries)
        self.chat_rate, self.burst = chat_rate, max(1, burst)
        self.chat_limiters: dict[str, AsyncLimiter] = {}

    def chat_limiter(self, chat_id: int | str) -> AsyncLimiter:
        key = str(chat_id)
        if key not in self.chat_limiters:
            if len(self.chat_limiters) >= MAX_CHAT_LIMITERS:
                for other, limiter in list(self.chat_limiters.items()):
                    if limiter.has_capacity(limiter.max_rate):
                        del self.chat_limiters[other]
            self.chat_limiters[key] = AsyncLimiter(max_rate=self.burst, time_period=self.burst / self.chat_rate)
        return self.chat_limiters[key]

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, ApiResult]], args: Any,
                              kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                              rate_limit_args: int | None) -> ApiResult:
        chat_id = data.get("chat_id")
        if chat_id is None or not self.chat_rate:
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        async with self.chat_limiter(chat_id):
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
