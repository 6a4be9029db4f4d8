"""Invitation codes that survive paper: typeable, typo-detecting, unguessable.

Format ``K7QF-3MZD-8WXP-R2T8``: 15 random characters and one check character from a
31-symbol alphabet without the look-alikes 0/O, 1/I/L. 15 × log2(31) ≈ 74.3 bits.

Check character (ISO 7064 style, prime modulus): ``c = -Σ w_i·v_i mod 31`` with
weights ``w_i = i + 1``. Because 31 is prime and every weight is non-zero mod 31,
changing any single character changes the sum, so *every* single-character typo is
detected; swapping two neighbours changes it by ``(a-b)(w_i-w_{i+1}) ≠ 0`` as well.

Only an HMAC of a code is ever stored (``code_hmac``); two separate HMAC domains keep
invitations and responses from being joined through the database alone.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

from survey_app import numerals

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BASE = len(ALPHABET)  # 31, prime
RANDOM_LENGTH = 15
GROUP = 4
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
# Characters the alphabet leaves out because people confuse them.
_LOOKALIKES = frozenset("0O1IL")
# Separators that Python counts as letters (isalnum() is true), so they must be named: a Japanese
# IME types "-" as the long-vowel mark ー (half-width ｰ becomes ー under NFKC), a kanji conversion
# can turn it into 一 (and ⼀ becomes 一), a Korean keyboard's ㅡ becomes ᅳ. None is ever in a code.
_DASH_LIKE_LETTERS = frozenset("ー一ᅳ")


def _check_value(body: str) -> int:
    return (-sum((i + 1) * _INDEX[ch] for i, ch in enumerate(body))) % BASE


def generate() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return format_code(body + ALPHABET[_check_value(body)])


def format_code(compact: str) -> str:
    return "-".join(compact[i:i + GROUP] for i in range(0, len(compact), GROUP))


def normalise(raw: str) -> str:
    """Upper-case, full-width to ASCII (NFKC), separators and spaces removed.

    Digits go through ``numerals.to_ascii`` as well: NFKC leaves Arabic-Indic (٠-٩) and Urdu
    (۰-۹) digits alone, and a code typed on an Urdu keyboard must read as the printed one.
    Other scripts' letters and digits are kept, so that such a code stays malformed.
    """
    text = numerals.to_ascii(unicodedata.normalize("NFKC", raw or "")).upper()
    return "".join(ch for ch in text if ch.isalnum() and ch not in _DASH_LIKE_LETTERS)


class CodeStatus:
    VALID = "valid"          # well-formed and check character matches
    TYPO = "typo"            # right length and alphabet, check character wrong
    MALFORMED = "malformed"  # wrong length or characters outside the alphabet


def check(raw: str) -> tuple[str, str]:
    """Return (status, canonical formatted code)."""
    compact = normalise(raw)
    if len(compact) != RANDOM_LENGTH + 1:
        return CodeStatus.MALFORMED, compact
    if any(ch in _LOOKALIKES for ch in compact):
        # 0/O and 1/I/L never occur in a code: typing one is a typo, not an unknown code.
        return CodeStatus.TYPO, format_code(compact)
    if any(ch not in _INDEX for ch in compact):
        return CodeStatus.MALFORMED, compact
    if ALPHABET[_check_value(compact[:-1])] != compact[-1]:
        return CodeStatus.TYPO, format_code(compact)
    return CodeStatus.VALID, format_code(compact)


def _hmac(secret: str, domain: str, code: str) -> str:
    message = f"{domain}:{normalise(code)}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def invitation_hmac(secret: str, code: str) -> str:
    return _hmac(secret, "invitation", code)


def response_key(secret: str, code: str) -> str:
    return _hmac(secret, "response", code)


def token_hash(secret: str, token: str) -> str:
    """HMAC of a resume token or API token: the database never holds the token itself."""
    return _hmac(secret, "token", token)


def pseudonym(secret: str, channel: str, chat_id: int | str) -> str:
    """Stable pseudonym for a chat id; the id itself is never stored or logged."""
    return _hmac(secret, f"chat:{channel}", str(chat_id))
