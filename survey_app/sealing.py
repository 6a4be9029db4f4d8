"""Sealed values: small strings a browser keeps for us but cannot read or change.

Used for what the resident's cookie holds (which response this phone is answering, the
resume code just issued): Flask's session cookie is signed, not encrypted, so anything put
there as it is can be read by whoever sees the cookie. A sealed value is AES-256-GCM
(``cryptography``) under a key derived from ``SECRET_KEY`` and the value's *purpose*
(HMAC-SHA256(secret, "machikoe-seal:" + purpose)), with a random 96-bit nonce, so

- the same value sealed twice gives two unrelated tokens (no stable identifier to track);
- a token sealed for one purpose does not open as another;
- the token carries no time (unlike Fernet's clear-text timestamp); how long it lives is the
  cookie's lifetime (30 days for the resident's cookie).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
MAX_TOKEN_LENGTH = 512  # sealed values are short ids and codes; anything longer is not ours


@lru_cache(maxsize=32)
def _cipher(secret: str, purpose: str) -> AESGCM:
    key = hmac.new(secret.encode(), b"machikoe-seal:" + purpose.encode(), hashlib.sha256).digest()
    return AESGCM(key)


def seal(secret: str, purpose: str, value: str) -> str:
    """``value`` encrypted and authenticated for ``purpose``, as URL-safe base64 without padding."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher(secret, purpose).encrypt(nonce, value.encode(), purpose.encode())
    return base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")


def unseal(secret: str, purpose: str, token: object) -> str | None:
    """The value ``seal`` sealed for ``purpose``, or None for anything else (forged, other key/purpose)."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        return _cipher(secret, purpose).decrypt(nonce, sealed, purpose.encode()).decode()
    except (binascii.Error, ValueError, InvalidTag, UnicodeDecodeError):
        return None
