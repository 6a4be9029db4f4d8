"""What a channel hands the engine (events) and what the engine hands back (outcome).

Plain dataclasses, no channel types: a Telegram, LINE or WhatsApp adapter translates its
updates into these events and renders the outcome with its own API.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# ---------------------------------------------------------------- incoming events

@dataclass(frozen=True)
class Start:
    """The resident opened the bot (``/start``), possibly through a deep link carrying a code."""

    payload: str | None = None
    language_code: str | None = None  # the client's language tag, used to pre-select a language


@dataclass(frozen=True)
class Text:
    """A typed message (also stop words such as 停止 and commands the adapter did not map)."""

    text: str
    language_code: str | None = None


@dataclass(frozen=True)
class Tap:
    """A button was tapped; ``data`` is the button's callback data (see :mod:`bot.callbacks`)."""

    data: str


COMMANDS = ("language", "skip", "stop", "delete", "help")  # besides /start, which is :class:`Start`


@dataclass(frozen=True)
class Command:
    """A command: one of :data:`COMMANDS`."""

    name: str
    language_code: str | None = None


@dataclass(frozen=True)
class Unsupported:
    """Something the bot cannot read: a sticker, photo, voice message, file, location …"""

    kind: str
    language_code: str | None = None


@dataclass(frozen=True)
class Remind:
    """The reminder job decided this unfinished conversation is due for a nudge."""


@dataclass(frozen=True)
class Blocked:
    """The channel reported that the resident blocked the bot: never write to them again."""


Event = Start | Text | Tap | Command | Unsupported | Remind | Blocked


# ---------------------------------------------------------------- outgoing

@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class Message:
    """One chat message; ``buttons`` are rows of inline buttons (empty: plain text)."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()


@dataclass(frozen=True)
class TappedUpdate:
    """What to do with the message whose button was tapped.

    ``confirm`` (text appended to it, keyboard removed) when the tap answered something;
    ``buttons`` (keyboard replaced) for a toggle; neither: just remove the keyboard.
    """

    confirm: str | None = None
    buttons: tuple[tuple[Button, ...], ...] | None = None


@dataclass
class Outcome:
    """The engine's answer to one event.

    ``notice``: short text for the tap's acknowledgement (a toast in Telegram).
    ``close_keyboard``: remove the keyboard of the last question message (it has been answered).
    ``forget``: the conversation's own record must be erased (after /delete).
    ``log``: a short, privacy-safe description for the adapter's log line.
    ``buttons_again``: when this outcome shows no button but the screen still waits for a tap (a
    hint such as "please tap one of the buttons above"), the buttons last shown. Telegram's stay
    on their message; LINE's quick replies vanish once the resident types, so LINE attaches these.
    """

    messages: list[Message] = field(default_factory=list)
    notice: str | None = None
    tapped: TappedUpdate | None = None
    close_keyboard: bool = False
    forget: bool = False
    log: str = ""
    buttons_again: tuple[tuple[Button, ...], ...] = ()
