"""Reading ``getUpdates`` one update at a time, so one unreadable update cannot stall the bot.

python-telegram-bot parses a whole ``getUpdates`` batch at once. If any update in it does not
parse — a field of an unexpected type, or a newer Bot API shape than this PTB version knows —
the parse raises, the updater retries, receives the same batch again, and from then on no
resident gets an answer (found by tests/test_bot_malformed_updates.py). Here every update that
cannot be read is replaced by a bare ``{"update_id": …}``: it is logged, acknowledged (the next poll's
offset moves past it) and then ignored like any update no handler takes.
"""
from __future__ import annotations

import copy
import logging
from typing import Any

from telegram import Update
from telegram.request import HTTPXRequest

from .transport import shared_tls_kwargs

log = logging.getLogger(__name__)


class TolerantUpdatesRequest(HTTPXRequest):
    """PTB's request for ``getUpdates`` (same pool of one connection), checking each update.

    PTB sends only ``getUpdates`` through the request given as ``get_updates_request``, and
    ``parse_json_payload`` is its documented hook for reading a response (``post`` is final).
    """

    def __init__(self) -> None:
        super().__init__(connection_pool_size=1, httpx_kwargs=shared_tls_kwargs())

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        data = HTTPXRequest.parse_json_payload(payload)
        if isinstance(data.get("result"), list):
            data["result"] = [update for update in map(readable, data["result"]) if update is not None]
        return data


def readable(raw: Any) -> dict[str, Any] | None:
    """``raw`` if it parses as an Update; else a bare update with its id (None without an id)."""
    update_id = raw.get("update_id") if isinstance(raw, dict) else None
    try:
        Update.de_json(copy.deepcopy(raw), None)  # de_json consumes what it is given
        return raw
    except Exception as exc:  # noqa: BLE001 - any parse failure: this update is skipped, the bot goes on
        log.warning("update %s could not be read (%s): ignored", update_id, type(exc).__name__)
    return {"update_id": update_id} if isinstance(update_id, int) else None
