"""Vendor and paper returns as data: ``machikoe responses import --survey S --channel paper|web FILE.csv``.

One row per returned questionnaire, question ids as headers, choice codes in the cells
(``multi``: codes separated by ``;``), blank = no answer. An optional ``code`` column holds
the letter's code: the row is then **invited** (part of the probability sample, carrying its
letter's frame stratum) and the code is used once across every channel — a code already
started or submitted on the web, in the bot, on paper or earlier in the file is refused.
Without a code the row is **open** (an open paper form).

All or nothing: every line is checked first and the errors are reported by line; only a
clean file is stored, in one transaction, through :func:`survey_app.responses.bulk_complete`
(the one write path, same validation as the web and the bot). A code used by someone else
while the file is being stored makes the database refuse the whole file (unique key).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey_app import codes
from survey_app.csvio import read_rows
from survey_app.instrument import Instrument
from survey_app.models import Invitation, Response
from survey_app.responses import bulk_complete, missing_required, validate

CHANNELS = ("paper", "web")


@dataclass(frozen=True)
class LineError:
    line: int
    message: str


class ReturnsError(ValueError):
    """The file was refused; nothing was stored. ``errors`` by line."""

    def __init__(self, errors: list[LineError]):
        self.errors = errors
        super().__init__("; ".join(f"line {e.line}: {e.message}" for e in errors[:20]))


@dataclass(frozen=True)
class Imported:
    invited: int
    open: int


def _raw(instrument: Instrument, row: dict[str, str]) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for qid, cell in row.items():
        if qid == "code" or not instrument.has_question(qid):
            continue
        if instrument.question(qid).kind.multiple:
            raw[qid] = [part.strip() for part in cell.replace(",", ";").split(";") if part.strip()]
        else:
            raw[qid] = cell
    return raw


def _answer_errors(instrument: Instrument, raw: dict[str, Any]) -> list[str]:
    values, errors = validate(instrument, raw)
    problems = [f"'{qid}': {err}" for qid, err in errors.items()]
    if not errors:  # as the paper entry form: an answer the form's other answers skip is not dropped unsaid
        problems += [f"'{qid}': answered, but an earlier answer on this form skips the question: leave it blank, "
                     "or correct the earlier answer" for qid in instrument.skipped_but_answered(values)]
        missing = missing_required(instrument, {k: v for k, v in values.items() if v is not None})
        problems += [f"'{qid}': an answer is required" for qid in missing]
    return problems


def _code_problem(session: Session, instrument: Instrument, secret: str, raw_code: str,
                  seen: dict[str, int]) -> tuple[Invitation | str, str]:
    """(the invitation, or the problem with the code; normalised code)."""
    status, code = codes.check(raw_code)
    if status != codes.CodeStatus.VALID:
        return f"'{raw_code}' is not a valid invitation code ({status})", code
    if code in seen:
        return f"code {code} is also on line {seen[code]}", code
    invitation = session.scalar(select(Invitation).where(Invitation.code_hmac == codes.invitation_hmac(secret, code)))
    if invitation is None or invitation.survey_id != instrument.id:
        return f"no invitation of survey '{instrument.id}' has the code {code}", code
    used = session.scalar(select(Response.channel).where(Response.access_key == codes.response_key(secret, code)))
    if used is not None:
        return f"code {code} was already used ({used})", code
    return invitation, code


def import_returns(session: Session, instrument: Instrument, secret: str, source: bytes | str | Path, *,
                   channel: str, encoding: str = "auto") -> Imported:
    """Check every line, then store all rows in one transaction; raises ReturnsError or CsvError."""
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}")
    allowed = [q.id for q in instrument.questions] + ["code"]
    errors: list[LineError] = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, row in read_rows(source, required=(), allowed=allowed, encoding=encoding):
        raw = _raw(instrument, row)
        errors += [LineError(line, p) for p in _answer_errors(instrument, raw)]
        entry: dict[str, Any] = {**raw, "_source": "open"}
        if row.get("code"):
            found, code = _code_problem(session, instrument, secret, row["code"], seen)
            if isinstance(found, str):
                errors.append(LineError(line, found))
            else:
                seen[code] = line
                entry.update(_source="invited", _stratum=dict(found.stratum or {}),
                             _access_key=codes.response_key(secret, code))
        rows.append(entry)
    if not rows and not errors:
        errors.append(LineError(2, "the file has no rows"))
    if errors:
        session.rollback()
        raise ReturnsError(errors)
    # As responses.start: the invitation rows are not touched (a use mark or time on them would line up
    # with the responses stored now); the response's access key is what makes a code "used". And as
    # invitations are made: the rows in a random order, one time for all — a vendor keys returns in
    # letter order, and ids and microsecond times rising with the file gave each reply its letter back.
    secrets.SystemRandom().shuffle(rows)
    try:
        bulk_complete(session, instrument, rows, channel=channel)
    except IntegrityError:
        session.rollback()
        raise ReturnsError([LineError(0, "a code in the file was used on another channel meanwhile: "
                                         "nothing was stored; import the file again")]) from None
    invited = sum(1 for r in rows if r["_source"] == "invited")
    return Imported(invited, len(rows) - invited)
