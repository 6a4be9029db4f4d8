"""Administrative settings of a survey: 回答期限, fieldwork period, who sends the letter and how
residents reach the office. They live in the database (``SurveySetting``), not in the instrument:
changing a phone number or extending the deadline is not a new version of the questionnaire.

Every change is audited (who, which key, old and new value). Values are text; dates are ISO
``YYYY-MM-DD`` and validated on the way in, so readers may trust them.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app import audit
from survey_app.i18n import N_
from survey_app.models import SurveySetting


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str  # msgid
    kind: str  # "text" | "date" | "phone" | "multiline"
    hint: str = ""  # msgid
    max_length: int = 300


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("sender", N_("Sender of the letter (the mayor's or the department's name)"), "text",
                N_("Printed at the top right of every letter, e.g. 江別市長 ○○ ○○ or 江別市 企画政策部 企画政策課.")),
    SettingSpec("contact_office", N_("Office residents contact"), "text",
                N_("e.g. 江別市 企画政策部 企画政策課")),
    SettingSpec("contact_phone", N_("Contact phone"), "phone", N_("e.g. 011-381-1010"), 40),
    SettingSpec("contact_hours", N_("Contact hours"), "text", N_("e.g. 平日 8:45〜17:15（土日祝日を除く）"), 120),
    SettingSpec("paper_alternative", N_("How to answer on paper"), "multiline",
                N_("Leave empty for the standard sentence: call us and we mail a paper questionnaire."), 600),
    SettingSpec("response_deadline", N_("Response deadline (回答期限)"), "date"),
    SettingSpec("fieldwork_start", N_("Fieldwork starts"), "date"),
    SettingSpec("fieldwork_end", N_("Fieldwork ends"), "date"),
    SettingSpec("letter_date", N_("Date printed on the letters"), "date",
                N_("Leave empty to print the day the letters are made.")),
)
SPEC_BY_KEY = {spec.key: spec for spec in SPECS}

FIRST_YEAR, LAST_YEAR = 2000, 2099  # dates a survey's settings may hold
PHONE_RE = re.compile(r"\+?[0-9][0-9 ()-]*[0-9]")

#: Internal flag (not edited on the settings form): where the survey's population margins came from.
MARGINS_SOURCE = "margins_source"
ILLUSTRATIVE = "illustrative"


class SettingError(ValueError):
    """``message % params`` (a msgid); ``key`` is the setting at fault, when there is one."""

    def __init__(self, message: str, key: str | None = None, **params: object) -> None:
        self.message, self.params, self.key = message, params, key
        text = message % params if params else message
        super().__init__(f"{key}: {text}" if key else text)


def read(session: Session, survey_id: str) -> dict[str, str]:
    rows = session.execute(select(SurveySetting.key, SurveySetting.value)
                           .where(SurveySetting.survey_id == survey_id)).all()
    return {key: value for key, value in rows}


def parse_date(text: str) -> dt.date:
    """``YYYY-MM-DD`` (full-width digits accepted) → date; SettingError otherwise."""
    import unicodedata

    cleaned = unicodedata.normalize("NFKC", text or "").strip().replace("/", "-")
    try:
        day = dt.date.fromisoformat(cleaned)
    except ValueError:
        raise SettingError(N_("'%(value)s' is not a date (write it as YYYY-MM-DD)."), value=text) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:  # 0001-01-01 would print as 平成-1987年 on a letter
        raise SettingError(N_("'%(value)s' is not a date of this survey: give a year from %(first)d to %(last)d."),
                           value=text, first=FIRST_YEAR, last=LAST_YEAR)
    return day


def parse_phone(text: str) -> str:
    """A phone number residents can dial: digits (full-width too) with '-', spaces, '(' ')' or a
    leading '+', 6 to 15 digits; SettingError otherwise (``abc`` was printed on the letters)."""
    import unicodedata

    cleaned = " ".join(unicodedata.normalize("NFKC", text or "").split())
    digits = sum(ch.isascii() and ch.isdigit() for ch in cleaned)
    if not PHONE_RE.fullmatch(cleaned) or not 6 <= digits <= 15:
        raise SettingError(N_("'%(value)s' is not a phone number (e.g. 011-381-1010)."), value=text)
    return cleaned


def date_setting(settings: dict[str, str], key: str) -> dt.date | None:
    value = settings.get(key)
    return dt.date.fromisoformat(value) if value else None


# Controls, bidi marks, embeddings, overrides and isolates, zero-width characters: invisible, they
# print on every letter (U+202E turns the sender's name around; U+200F printed 平日 8:45〜17:15 as
# 平日17:15〜8:45). Line breaks and tabs are kept where a setting has lines.
_HIDDEN = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def _clean(spec: SettingSpec, value: str) -> str:
    value = (value or "").replace("\x00", "").strip()
    hidden = sorted(set(_HIDDEN.findall(value)))
    if hidden:
        raise SettingError(N_("This text contains invisible control characters (%(chars)s): type it again "
                              "without them."), chars=", ".join(f"U+{ord(ch):04X}" for ch in hidden))
    if spec.kind == "date" and value:
        return parse_date(value).isoformat()
    if spec.kind == "phone" and value:
        return parse_phone(value)
    if spec.kind != "multiline":
        value = " ".join(value.split())
    if len(value) > spec.max_length:
        raise SettingError(N_("At most %(n)d characters."), n=spec.max_length)
    return value


def update(session: Session, survey_id: str, values: dict[str, str], actor: str | None) -> list[str]:
    """Set the given keys (an empty value removes the setting); all or nothing, audited.

    Returns the keys that changed. Raises SettingError (naming the key) for an unknown key or a bad value;
    also refuses a fieldwork period that ends before it starts.
    """
    current = read(session, survey_id)
    cleaned: dict[str, str] = {}
    for key, raw in values.items():
        spec = SPEC_BY_KEY.get(key)
        if spec is None:
            raise SettingError(N_("Unknown setting '%(name)s' (known: %(known)s)."), name=key,
                               known=", ".join(SPEC_BY_KEY))
        try:
            cleaned[key] = _clean(spec, raw)
        except SettingError as exc:
            raise SettingError(exc.message, key, **exc.params) from None
    merged = {**current, **cleaned}
    start, end = merged.get("fieldwork_start"), merged.get("fieldwork_end")
    if start and end and end < start:
        raise SettingError(N_("The fieldwork ends (%(end)s) before it starts (%(start)s)."), "fieldwork_end",
                           start=start, end=end)
    changed = [key for key, value in cleaned.items() if current.get(key, "") != value]
    for key in changed:
        _store(session, survey_id, key, cleaned[key], actor)
    if changed:
        audit.record(session, actor, "survey_settings", survey_id,
                     {key: {"old": current.get(key, ""), "new": cleaned[key]} for key in changed}, commit=False)
    session.commit()
    return changed


def _store(session: Session, survey_id: str, key: str, value: str, actor: str | None) -> None:
    row = session.scalar(select(SurveySetting).where(SurveySetting.survey_id == survey_id,
                                                     SurveySetting.key == key))
    if not value:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        session.add(SurveySetting(survey_id=survey_id, key=key, value=value, updated_by=actor))
    else:
        row.value, row.updated_by = value, actor


def mark_margins(session: Session, survey_id: str, source: str | None) -> None:
    """Record where the margins came from: ``ILLUSTRATIVE`` (the bundled example) or ``None`` (imported)."""
    _store(session, survey_id, MARGINS_SOURCE, source or "", None)
    session.commit()


def margins_are_illustrative(session: Session, survey_id: str) -> bool:
    return read(session, survey_id).get(MARGINS_SOURCE) == ILLUSTRATIVE
