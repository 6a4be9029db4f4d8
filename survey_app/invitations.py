"""Invitation letters: codes generated once from a sampling frame of stratum columns.

The frame CSV holds only stratum attributes of the sampled residents (age band, sex,
district: the weighting questions' codes), one row per letter — never names or
addresses. The output file (code + stratum + links) goes to the print vendor once; the
database keeps only the codes' HMACs, so letters cannot be re-printed from it.
"""
from __future__ import annotations

import csv
import io
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.orm import Session

from survey_app import codes
from survey_app.csvio import CsvError, read_rows
from survey_app.design import DesignError, plan_batch, recorded_variables
from survey_app.i18n import N_
from survey_app.instrument import Instrument
from survey_app.models import Invitation, utcnow
from survey_app.stratum_columns import for_instrument

# The operating system's randomness: the insertion order must not be reproducible from a seed.
_random = secrets.SystemRandom()


@dataclass(frozen=True)
class Letter:
    code: str
    stratum: dict[str, int]


def read_frame(source: bytes | str | Path, instrument: Instrument, encoding: str = "auto") -> list[dict[str, int]]:
    """Rows of stratum codes; columns must be weighting questions (optional ``letter_id`` ignored).

    Columns and cells may be written as a city's register writes them (年齢 / 30〜39歳):
    ``survey_app.stratum_columns`` resolves them. An error names the line and the value as typed.
    """
    columns = for_instrument(instrument)
    allowed = [q.id for q in columns.questions]
    typed: dict[str, str] = {}

    def rename(header: list[str]) -> list[str]:
        renamed = columns.rename(header)
        typed.update(zip(renamed, header, strict=True))
        return renamed

    frame = []
    for line, row in read_rows(source, required=(), allowed=[*allowed, "letter_id"], encoding=encoding,
                               rename=rename):
        stratum = {}
        for qid in allowed:
            if qid not in row or row[qid] == "":
                continue
            code = columns.code(qid, row[qid])
            if code is None:
                raise CsvError(N_("'%(value)s' is not a code of '%(column)s' (codes: %(codes)s)."), line,
                               value=row[qid], column=typed.get(qid, qid), codes=columns.choices_hint(qid))
            stratum[qid] = code
        frame.append(stratum)
    if not frame:
        raise CsvError(N_("The sampling frame has no rows."), 2)
    return frame


def frame_template(instrument: Instrument) -> str:
    """A sampling-frame CSV to fill in: the register's column names and two example rows of labels."""
    columns = for_instrument(instrument)
    questions = columns.questions
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([columns.display_name(q) for q in questions])
    for row in range(2):
        writer.writerow([q.choices[min(row, len(q.choices) - 1)].text for q in questions])
    return out.getvalue()


def create_invitations(session: Session, instrument: Instrument, secret: str, frame: list[dict[str, int]],
                       batch: str | None = None, stratify_by: tuple[str, ...] = (),
                       stratum_sizes: dict[str, float] | None = None, commit: bool = True) -> list[Letter]:
    """Generate one code per frame row and store their HMACs in one transaction (``commit=False``:
    the caller commits once the codes are safely written out, or rolls back).

    With ``stratify_by`` the batch's design (N_h, letters n_h per stratum) is recorded in
    the same transaction (:mod:`survey_app.design`); a refusal stores nothing.

    The letters come back in frame order (the print vendor's order); the rows are inserted
    in a random order with one creation instant for the whole batch, so a row's id, place
    and time say nothing about which line of the frame (or of the letters file) it is.
    """
    if stratify_by:
        allowed = {q.id for q in instrument.weighting_questions()}
        unknown = [v for v in stratify_by if v not in allowed]
        if unknown:
            raise DesignError(f"cannot stratify by {', '.join(unknown)}: strata are frame columns "
                              f"({', '.join(sorted(allowed))})")
        session.add_all(plan_batch(session, instrument.id, frame, tuple(stratify_by), batch or "", stratum_sizes))
    elif recorded := recorded_variables(session, instrument.id):
        raise DesignError(f"this survey's design is stratified by {','.join(recorded)}"
                          f": give --stratify-by for every batch")
    letters = [Letter(codes.generate(), stratum) for stratum in frame]
    shuffled = list(letters)
    _random.shuffle(shuffled)
    now = utcnow()
    session.add_all(Invitation(survey_id=instrument.id, code_hmac=codes.invitation_hmac(secret, letter.code),
                               stratum=letter.stratum, batch=batch, created_at=now) for letter in shuffled)
    if commit:
        session.commit()
    return letters


def web_link(base_url: str, survey_id: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/s/{survey_id}/?code={code}"


def telegram_link(bot_username: str | None, code: str) -> str:
    account = telegram_account(bot_username)
    return f"https://t.me/{account}?start={codes.normalise(code)}" if account else ""


# A Telegram bot's username: 5-32 letters, digits and underscores, starting with a letter and
# ending in "bot" (Telegram's rule for bots); written with or without the '@'.
TELEGRAM_BOT_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{1,29}[Bb][Oo][Tt]")


class TelegramAccountError(ValueError):
    """``TELEGRAM_BOT_USERNAME`` is not a bot's username; ``message % params`` says so (a msgid)."""

    def __init__(self, value: str):
        self.message = N_("'%(value)s' is not a Telegram bot's username: set %(setting)s to the name BotFather "
                          "gave the bot (5 to 32 characters: A-Z, a-z, 0-9 or _, ending in 'bot'), e.g. EbetsuSurveyBot.")
        self.params = {"value": value, "setting": "TELEGRAM_BOT_USERNAME"}
        super().__init__(self.message % self.params)


def telegram_account(raw: str | None) -> str | None:
    """The bot's username as t.me links want it (no '@'), None when unset; anything that is not a
    bot's username raises ``TelegramAccountError`` — a letter printed with a wrong name would
    send residents to another chat, or to none (``@@bot``, ``t.me/@name`` were printed as given)."""
    if raw is None or not raw.strip():
        return None
    value = raw.strip()
    value = value[1:] if value.startswith("@") else value
    if not TELEGRAM_BOT_RE.fullmatch(value):
        raise TelegramAccountError(raw.strip())
    return value


# A LINE official account's ID: the basic ID LINE assigns (@123abcde) or a premium ID
# (@ebetsu-city): lower-case letters, digits, '.', '_' and '-' after the '@'.
LINE_ACCOUNT_RE = re.compile(r"@[0-9a-z][0-9a-z._-]{2,19}")
LINE_ACCOUNT_SETTING = "LINE_BASIC_ID"


class LineAccountError(ValueError):
    """``LINE_BASIC_ID`` is not an official account ID; ``message % params`` says so (a msgid)."""

    def __init__(self, value: str):
        self.message = N_("'%(value)s' is not a LINE official account ID: set %(setting)s to the account's "
                          "basic ID as LINE Official Account Manager shows it, e.g. @123abcde.")
        self.params = {"value": value, "setting": LINE_ACCOUNT_SETTING}
        super().__init__(self.message % self.params)


def line_account(raw: str | None) -> str | None:
    """The official account's ID written as LINE does (``@123abcde``), None when unset.

    The '@' may be left out and letters may be typed in capitals; anything else raises
    ``LineAccountError`` — a letter printed with a wrong ID would open someone else's chat.
    """
    if raw is None or not raw.strip():
        return None
    value = raw.strip().lower()
    value = value if value.startswith("@") else "@" + value
    if not LINE_ACCOUNT_RE.fullmatch(value):
        raise LineAccountError(raw.strip())
    return value


def line_start_text(code: str) -> str:
    """The message a letter's LINE link fills in: ``/start CODE`` starts the invited survey in any
    state of the chat (a bare code is taken only before the survey has begun, ``bot/line.py``)."""
    return f"/start {codes.format_code(codes.normalise(code))}"


def line_link(account: str | None, code: str) -> str:
    """LINE's URL scheme ``https://line.me/R/oaMessage/{ID}/?{text}``: opens the chat with the official
    account (its add-friend screen first, for a new friend) with the start message typed in, ready to send."""
    if not account:
        return ""
    return f"https://line.me/R/oaMessage/{quote(account, safe='')}/?{quote(line_start_text(code), safe='')}"


def letters_csv(letters: list[Letter], instrument: Instrument, base_url: str, bot_username: str | None,
                line_basic_id: str | None = None) -> str:
    columns = [q.id for q in instrument.weighting_questions()]
    account = line_account(line_basic_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", *columns, "web_url", "telegram_url", "line_url"])
    for letter in letters:
        writer.writerow([letter.code, *(letter.stratum.get(c, "") for c in columns),
                         web_link(base_url, instrument.id, letter.code), telegram_link(bot_username, letter.code),
                         line_link(account, letter.code)])
    return out.getvalue()
