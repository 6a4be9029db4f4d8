"""Staff e-mail addresses: one canonical, ASCII form that cannot pass for another address.

An address is an audit-log identity and a login name, so two addresses that *look* the same
must not be two accounts. Accepted:

- the local part (before ``@``) in ASCII, RFC 5321 dot-atom characters only;
- the domain in ASCII (letters, digits, hyphens; ``localhost`` too), or an internationalised
  domain whose non-ASCII labels are written in a script that cannot pass for Latin letters
  (``江別市.jp``): stored in its ASCII ``xn--`` form, which is what staff pages then show.

Refused, each with a message saying what to type: control and bidi characters (``U+202E``
reorders what a page shows), spaces, non-ASCII local parts, and domain labels that mix
in Latin, Greek or Cyrillic look-alikes (``ebеtsu`` with a Cyrillic ``е``, ``ｅｂｅｔｓｕ``
full-width). An ``xn--`` label typed directly is kept as typed: pages show it as ASCII.
"""
from __future__ import annotations

import re
import unicodedata

from survey_app.i18n import N_

MAX_LENGTH = 254
_LOCAL = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*", re.ASCII)
_ASCII_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.ASCII)
# Scripts whose letters can pass for ASCII letters (confusables of Latin addresses).
_LOOKALIKE_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC", "FULLWIDTH LATIN", "MATHEMATICAL")


class InvalidEmail(ValueError):
    """``message`` is a msgid; ``params`` fill it."""

    def __init__(self, message: str, **params: str) -> None:
        self.message, self.params = message, params
        super().__init__(message % params if params else message)


def canonical(email: str) -> str:
    """The address in lower-case ASCII, or :class:`InvalidEmail` saying what is wrong."""
    text = (email or "").strip()
    if any(_is_hidden(ch) for ch in text):
        raise InvalidEmail(N_("'%(email)s' contains invisible or right-to-left control characters."),
                           email=_visible(text))
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise InvalidEmail(N_("'%(email)s' is not an e-mail address."), email=text)
    local = local.lower()
    if not local.isascii():
        raise InvalidEmail(N_("The part before @ of '%(email)s' must be in plain ASCII letters and digits."),
                           email=text)
    if not _LOCAL.fullmatch(local):
        raise InvalidEmail(N_("'%(email)s' is not an e-mail address."), email=text)
    address = f"{local}@{_domain(domain, text)}"
    if len(address) > MAX_LENGTH:
        raise InvalidEmail(N_("'%(email)s' is not an e-mail address."), email=text)
    return address


def lookup_form(email: str) -> str:
    """What to look an account up by: the canonical form, or (not an address) the lowered text."""
    try:
        return canonical(email)
    except InvalidEmail:
        return (email or "").strip().lower()


def _domain(domain: str, text: str) -> str:
    labels = domain.rstrip(".").lower().split(".")
    out = []
    for label in labels:
        if label.isascii():
            if not _ASCII_LABEL.fullmatch(label):
                raise InvalidEmail(N_("'%(email)s' is not an e-mail address."), email=text)
            out.append(label)
            continue
        if any(unicodedata.category(ch).startswith("L") and unicodedata.name(ch, "").startswith(_LOOKALIKE_SCRIPTS)
               for ch in label):
            raise InvalidEmail(N_("The domain of '%(email)s' contains letters that look like Latin letters "
                                  "but are not; type it in plain ASCII (or its xn-- form)."), email=text)
        try:
            out.append(label.encode("idna").decode("ascii"))
        except UnicodeError:
            raise InvalidEmail(N_("'%(email)s' is not an e-mail address."), email=text) from None
    return ".".join(out)


def _is_hidden(ch: str) -> bool:
    """Control, format (bidi marks, zero-width), separator other than a plain space, or unassigned."""
    return ch != " " and unicodedata.category(ch)[0] in "CZ"


def _visible(text: str) -> str:
    """``text`` with hidden characters as ``U+XXXX`` (an error message must not reorder itself)."""
    return "".join(f"U+{ord(ch):04X}" if _is_hidden(ch) else ch for ch in text)
