"""Paper returns: a keyboard-fast data-entry screen, one response per letter code.

One text field per question in questionnaire order; codes are typed (multi-choice as
``1,3``), Enter moves to the next field (``staff.js``) and submits on the last one.
Everything goes through ``survey_app.responses.enter_complete`` with channel ``paper``:
the same validation as the web and the bot, and a code already used on any channel is
refused (and a code used on paper cannot be used on the web or in the bot). A refused
entry is shown again with everything typed, and nothing is stored.

ベリファイ (double entry, ``?verify=1``): the letter is typed twice. The first pass is checked and
carried in hidden fields (nothing is stored); the second pass is typed blind; if both agree the
response is saved, otherwise the differing fields are shown with both entries and the operator
corrects them from the paper before saving. The page keeps a running count of paper returns.
"""
from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from survey_app import codes, responses
from survey_app.i18n.texts import InstrumentTexts
from survey_app.instrument import Instrument
from survey_app.models import Response

from ..context import db, gettext, translate_error
from . import bp
from .auth import require
from .common import instrument_or_404, record, texts

CODE_FIELD = "letter_code"


FIRST = "first__"  # prefix of the hidden fields carrying the first pass of a double entry
SESSION_COUNT = "paper_entered"


def _fields(instrument: Instrument, words: InstrumentTexts) -> list[dict[str, Any]]:
    fields = []
    for number, q in enumerate(instrument.questions, start=1):
        codes = ", ".join(f"{c.code}={words.label(q, c)}" for c in q.choices)
        entry = q.kind.paper  # how staff key this type: hint, keypad, text area
        fields.append({"id": q.id, "number": number, "text": words.question(q), "required": q.required,
                       "codes": codes, "hint": entry.hint, "numeric": entry.digits, "wide": entry.multiline})
    return fields


def _paper_count(survey_id: str) -> int:
    return db().scalar(select(func.count()).select_from(Response).where(
        Response.survey_id == survey_id, Response.channel == "paper", Response.status == "complete")) or 0


def _render(instrument: Instrument, status: int = 200, values: dict[str, str] | None = None,
            errors: dict[str, str] | None = None, summary: str | None = None,
            **context: object) -> tuple[str, int]:
    words = texts(instrument)
    fields = _fields(instrument, words)
    labels = {f["id"]: f"{f['number']}. {f['text']}" for f in fields}
    labels[CODE_FIELD] = gettext("Letter code")
    return render_template("staff/paper.html", survey_id=instrument.id, title=words.title(), fields=fields,
                           values=values or {}, errors=errors or {}, summary=summary, code_field=CODE_FIELD,
                           labels=labels, verify=request.values.get("verify") == "1", first_prefix=FIRST,
                           total=_paper_count(instrument.id), this_session=session.get(SESSION_COUNT, 0),
                           **context), status


def _same(name: str, first: str, second: str) -> bool:
    """Codes compare as codes (case, hyphens); answers exactly as typed."""
    if name == CODE_FIELD:
        return codes.normalise(first) == codes.normalise(second)
    return first == second


def _verify_step(instrument: Instrument, values: dict[str, str]) -> tuple[str, int] | None:
    """The ベリファイ passes before saving: a page to show, or None when the entry may be saved."""
    names = [CODE_FIELD, *(q.id for q in instrument.questions)]
    step = values.get("pass", "1")
    typed = {name: values.get(name, "").strip() for name in names}
    if step == "1":
        first = {FIRST + name: value for name, value in typed.items()}
        return _render(instrument, first=first, step="2",
                       notice=gettext("First entry checked. Now type the same letter again from the paper."))
    if step == "2":
        first = {name: values.get(FIRST + name, "").strip() for name in names}
        differ = {name: first[name] for name in names if not _same(name, first[name], typed[name])}
        if differ:
            return _render(instrument, 409, typed, differ=differ, step="3",
                           summary=gettext("The two entries differ in %(n)d field(s). Check the paper, "
                                           "correct the fields and save.", n=len(differ)))
    return None


def _first_check(instrument: Instrument, code: str, raw: dict[str, str]) -> dict[str, str]:
    """Every problem the form shows at once: the code's form and each answer (before touching the database)."""
    problems = {}
    if not code:
        problems[CODE_FIELD] = gettext("Type the code printed on the letter.")
    else:
        status, _ = codes.check(code)
        if status != codes.CodeStatus.VALID:
            problems[CODE_FIELD] = translate_error(responses.CodeProblem(status))
    values, errors = responses.validate(instrument, raw)
    problems.update({qid: translate_error(err) for qid, err in errors.items()})
    # an answer the form's other answers skip is shown with the rest, never dropped unsaid
    problems.update({qid: gettext(responses.SKIPPED_BUT_ANSWERED)
                     for qid in instrument.skipped_but_answered(values) if qid not in problems})
    # required answers left blank, in the same round (they came only after the others were fixed)
    problems.update({qid: gettext("This question is required.")
                     for qid in responses.missing_required(instrument, values) if qid not in problems})
    return problems


@bp.get("/s/<survey_id>/paper")
@require("enter_paper")
def paper(survey_id: str) -> ResponseReturnValue:
    return _render(instrument_or_404(survey_id))


@bp.post("/s/<survey_id>/paper")
@require("enter_paper")
def paper_submit(survey_id: str) -> ResponseReturnValue:
    instrument = instrument_or_404(survey_id)
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    code = values.get(CODE_FIELD, "").strip()
    raw = {q.id: values.get(q.id, "") for q in instrument.questions}
    problems = _first_check(instrument, code, raw)
    if problems:
        return _render(instrument, 400, values, problems, gettext("Nothing was saved."),
                       first={k: v for k, v in values.items() if k.startswith(FIRST)}, step=values.get("pass"))
    if values.get("verify") == "1":
        page = _verify_step(instrument, values)
        if page is not None:
            return page
    try:
        result = responses.enter_complete(db(), instrument, secret=current_app.config["SECRET_KEY"],
                                          channel="paper", locale=instrument.source_language, raw=raw, code=code)
    except (responses.CodeProblem, responses.StartedElsewhere) as exc:
        db().rollback()
        return _render(instrument, 400, values, {CODE_FIELD: translate_error(exc)}, gettext("Nothing was saved."))
    except responses.InvalidEntry as exc:
        db().rollback()
        errors = {qid: translate_error(err) for qid, err in exc.errors.items()}
        return _render(instrument, 400, values, errors, gettext("Nothing was saved."))
    except responses.MissingRequired as exc:
        db().rollback()
        errors = {qid: gettext("This question is required.") for qid in exc.question_ids}
        return _render(instrument, 400, values, errors, gettext("Nothing was saved."))
    if result.already:
        return _render(instrument, 400, values, {CODE_FIELD: gettext(responses.CodeProblem.MESSAGES["used"])},
                       gettext("Nothing was saved."))
    record("paper_entry", survey_id, verified=values.get("verify") == "1")
    session[SESSION_COUNT] = session.get(SESSION_COUNT, 0) + 1
    flash(gettext("Saved. Enter the next letter."), "info")
    verify: dict[str, Any] = {"verify": "1"} if values.get("verify") == "1" else {}  # url_for types values Any
    return redirect(url_for("staff.paper", survey_id=survey_id, **verify))
