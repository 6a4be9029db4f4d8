"""Printable invitation letters with QR codes, and letters returned as undeliverable.

QR codes are made locally with ``segno`` as inline SVG (no image service, no internet):
one for the web link with the code, one for the Telegram deep link and one for the LINE
official account (the chat opens with ``/start CODE`` typed in) when those are configured. Codes exist only in
the letters file made at creation (the database keeps HMACs), so the printable page is
built either right after creation or from that letters CSV uploaded again.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app import codes, numerals
from survey_app.csvio import CsvError, read_rows
from survey_app.design import record_undeliverable
from survey_app.i18n import N_
from survey_app.instrument import Instrument
from survey_app.invitations import Letter, line_link, telegram_link, web_link
from survey_app.models import Invitation, Response


@dataclass(frozen=True)
class PrintableLetter:
    code: str
    stratum: dict[str, int]
    web_url: str
    telegram_url: str
    web_qr: str  # inline SVG
    telegram_qr: str  # inline SVG, empty without a bot
    line_url: str
    line_qr: str  # inline SVG, empty without a LINE official account


def qr_svg(data: str, label: str, scale: int = 3) -> str:
    """An inline SVG QR code (error correction M survives a creased letter) labelled for screen readers."""
    svg = segno.make(data, error="m", micro=False).svg_inline(scale=scale, title=label, dark="#000",
                                                                light="#fff", border=2)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_attr(label)}" ', 1)


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _optional_qr(url: str) -> str:
    return qr_svg(url, "QR: " + url) if url else ""


def printable(letters: list[Letter], instrument: Instrument, base_url: str,
              bot_username: str | None, line_account: str | None = None) -> list[PrintableLetter]:
    """``line_account``: the official account's ID as ``invitations.line_account`` checked it."""
    result = []
    for letter in letters:
        web = web_link(base_url, instrument.id, letter.code)
        telegram = telegram_link(bot_username, letter.code)
        line = line_link(line_account, letter.code)
        result.append(PrintableLetter(letter.code, letter.stratum, web, telegram, qr_svg(web, "QR: " + web),
                                      _optional_qr(telegram), line, _optional_qr(line)))
    return result


def read_letters_csv(source: bytes | str | Path, instrument: Instrument, encoding: str = "auto") -> list[Letter]:
    """Letters from a letters file written by ``letters_csv`` (codes checked; links are rebuilt)."""
    strata = [q.id for q in instrument.weighting_questions()]
    letters = []
    for line, row in read_rows(source, required=("code",), allowed=["code", *strata, "web_url", "telegram_url", "line_url"],
                               encoding=encoding):
        status, code = codes.check(row["code"])
        if status != codes.CodeStatus.VALID:
            raise CsvError(N_("'%(code)s' is not a valid invitation code."), line, code=row["code"])
        parsed = {q: numerals.parse_int(row.get(q, "")) for q in strata}
        stratum = {q: code for q, code in parsed.items() if code is not None}
        letters.append(Letter(code, stratum))
    if not letters:
        raise CsvError(N_("The letters file has no rows."), 2)
    return letters


@dataclass(frozen=True)
class CodeLineError:
    line: int
    code: str
    problem: str  # msgid


class UndeliverableError(ValueError):
    """Some typed codes are wrong; nothing was marked."""

    def __init__(self, errors: list[CodeLineError]):
        self.errors = errors
        super().__init__("; ".join(f"line {e.line}: {e.code}: {e.problem}" for e in errors))


PROBLEMS = {
    codes.CodeStatus.MALFORMED: N_("not an invitation code (16 letters and digits)"),
    codes.CodeStatus.TYPO: N_("typing mistake (check character does not match)"),
    "unknown": N_("no invitation of this survey has this code"),
    "answered": N_("this code has been used to answer, so the letter reached its resident"),
}


def mark_undeliverable(session: Session, instrument: Instrument, secret: str, text: str,
                       undeliverable: bool = True) -> int:
    """Mark the letters whose codes are listed one per line; all or nothing. Returns how many changed
    (a code pasted twice, or a letter already marked, is not counted again: the page and the audit
    log said 5 letters for one code pasted five times).

    ``undeliverable=False`` undoes a mark (a code typed by mistake, a letter that reached its
    resident after all). A letter whose code has been used to answer reached its resident, so it
    cannot be marked: a reply from an "undeliverable" letter would contradict the design and
    stop every weighted figure (``analysis.consistency``). The check uses the response's access
    key, which only someone holding the code can compute — as the paper entry's "already used"."""
    found: list[Invitation] = []
    errors: list[CodeLineError] = []
    for line, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        status, code = codes.check(raw)
        if status != codes.CodeStatus.VALID:
            errors.append(CodeLineError(line, raw.strip(), PROBLEMS[status]))
            continue
        invitation = session.scalar(select(Invitation).where(
            Invitation.code_hmac == codes.invitation_hmac(secret, code), Invitation.survey_id == instrument.id))
        if invitation is None:
            errors.append(CodeLineError(line, code, PROBLEMS["unknown"]))
        elif undeliverable and _answered(session, secret, code):
            errors.append(CodeLineError(line, code, PROBLEMS["answered"]))
        else:
            found.append(invitation)
    if errors:
        raise UndeliverableError(errors)
    if not found:
        raise UndeliverableError([CodeLineError(1, "", N_("no codes were given"))])
    changed = list({invitation.id: invitation for invitation in found
                    if invitation.undeliverable != undeliverable}.values())
    for invitation in changed:
        invitation.undeliverable = undeliverable
    record_undeliverable(session, changed, 1 if undeliverable else -1)
    session.commit()
    return len(changed)


def _answered(session: Session, secret: str, code: str) -> bool:
    return session.scalar(select(Response.id).where(Response.access_key == codes.response_key(secret, code))) is not None
