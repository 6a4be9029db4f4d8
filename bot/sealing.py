"""Chat addresses sealed for storage: a pending reminder must be able to write to its chat.

Conversations know a chat only by its HMAC pseudonym, which cannot be written to. A
reminder row (``survey_app.models.BotReminder``) therefore keeps the channel's address
(Telegram chat id, LINE user id) encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from the
``cryptography`` package) under a key derived from SECRET_KEY:
``key = base64url(HMAC-SHA256(SECRET_KEY, "machikoe bot address v1"))``. A database dump
without the secret key reveals no address; the row is deleted once it is no longer needed.
A token that does not open (wrong key, tampered) raises :class:`SealBroken`.
"""
from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken

_DOMAIN = b"machikoe bot address v1"


class SealBroken(ValueError):
    """The sealed address cannot be opened with this secret key."""


def _fernet(secret: str) -> Fernet:
    key = hmac.new(secret.encode(), _DOMAIN, hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str, address: int | str) -> str:
    return _fernet(secret).encrypt(str(address).encode()).decode("ascii")


def unseal(secret: str, token: str) -> str:
    try:
        return _fernet(secret).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError) as exc:
        raise SealBroken("a reminder address could not be opened (SECRET_KEY changed?)") from exc
