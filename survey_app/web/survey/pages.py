"""One section per page, the review page, submit and the thank-you page.

Every POST stores the page through ``survey_app.responses.record`` (valid answers are
kept even when others on the page are invalid), then moves: ``nav=back|next`` to the
neighbouring visible page, ``nav=later`` to the resume code, ``nav=submit`` on the
review page. A page whose answers reveal further questions on the same page (a
``show_if`` inside a section) is shown again with those questions instead of moving on.
"""
from __future__ import annotations

from flask import redirect, render_template, request, url_for

from survey_app import responses
from survey_app.instrument import Instrument, Question, Section

from ..context import current_locale, db, translate_error
from . import bp
from .fields import FIELD_TEMPLATES, build_form, field_values, raw_answers
from .recovery import format_number, save_for_later
from .state import (
    neighbour,
    pages,
    progress,
    section_or_404,
    survey_and_response,
    survey_languages,
    texts_for,
    visible_in,
)

NAV_VALUES = ("back", "next", "later")
# A page opened from a review page's "Change" link returns there on Next (GOV.UK check-answers pattern).
FROM_REVIEW = {"from": "review"}


def render_already(instrument: Instrument):
    """Back button after submit, a second tab, an old bookmark: a clear page, nothing changed."""
    return render_template("survey/already.html", instrument=instrument, texts=texts_for(instrument),
                           languages=survey_languages(instrument)), 409


def no_response(survey_id: str):
    return redirect(url_for("survey.landing", survey_id=survey_id))


def page_url(instrument: Instrument, section: Section | None, anchor: str | None = None, **args) -> str:
    if section is None:
        return url_for("survey.review", survey_id=instrument.id)
    return url_for("survey.page", survey_id=instrument.id, section_id=section.id, _anchor=anchor, **args)


def question_items(instrument: Instrument, questions: list[Question], form, errors: dict) -> list[dict]:
    """Everything a field template needs, in the resident's language."""
    texts = texts_for(instrument)
    items = []
    for q in questions:
        values = field_values(form, q)
        hint = texts.hint(q)
        error = translate_error(errors[q.id]) if q.id in errors else None
        template, input_type = FIELD_TEMPLATES[q.type]
        items.append({
            "q": q, "field": form[q.id], "label": texts.question(q), "hint": hint,
            "values": values, "value": next(iter(values), ""),
            "choices": [{"code": str(c.code), "label": texts.choice(q.choice_list, c),
                         "checked": str(c.code) in values} for c in q.choices],
            "error": error, "template": template, "input_type": input_type,
            # aria-describedby: the hint and the error, when there are any
            "described_by": " ".join(f"{q.id}-{part}" for part, shown in (("hint", hint), ("error", error))
                                     if shown),
        })
    return items


def render_page(instrument: Instrument, section: Section, questions: list[Question], form, answers,
                errors: dict | None = None, notice: str | None = None, status: int = 200):
    errors = errors or {}
    items = question_items(instrument, questions, form, errors)
    position, total = progress(instrument, section, answers)
    return render_template(
        "survey/page.html", instrument=instrument, texts=texts_for(instrument),
        languages=survey_languages(instrument), section=section, form=form, items=items,
        action=page_url(instrument, section, **_return_args()),
        error_items=[{"href": f"#{i['q'].id}", "label": i["label"], "error": i["error"]} for i in items if i["error"]],
        position=position, total=total,
        first=position == 1, notice=notice, appeared=request.args.get("more") == "1"), status


@bp.route("/q/<section_id>", methods=["GET", "POST"])
def page(survey_id: str, section_id: str):
    instrument, response = survey_and_response(survey_id)
    section = section_or_404(instrument, section_id)
    if response is None:
        return no_response(survey_id)
    if response.status == "complete":
        return render_already(instrument)
    answers = response.answers
    shown = visible_in(instrument, section, answers)
    if not shown:  # hidden by an answer changed elsewhere: skip to where the survey goes on
        return redirect(page_url(instrument, neighbour(instrument, section, answers, +1)))
    if request.method == "GET":
        return render_page(instrument, section, shown, build_form(shown, answers), answers)
    return save_page(instrument, section, response, shown)


def save_page(instrument: Instrument, section: Section, response: responses.Held, shown: list[Question]):
    nav = request.form.get("nav", "next")
    nav = nav if nav in NAV_VALUES else "next"
    form = build_form(shown, formdata=request.form)
    try:
        # with the language the resident answers in now
        errors = responses.record(db(), instrument, response, raw_answers(form, shown),
                                  answers=response.answers, locale=current_locale())
    except responses.AlreadySubmitted:
        return render_already(instrument)
    answers = response.answers
    if nav == "next":
        for q in visible_in(instrument, section, answers):
            if q.required and answers.get(q.id) is None and q.id not in errors and q in shown:
                errors[q.id] = responses.required_error()
    if errors:
        return render_page(instrument, section, shown, form, answers, errors)
    appeared = [q for q in visible_in(instrument, section, answers) if q not in shown]
    if nav == "later":
        return save_for_later(instrument, response)
    if appeared and nav == "next":
        return redirect(page_url(instrument, section, anchor=appeared[0].id, more="1", **_return_args()))
    if nav == "back":
        previous = neighbour(instrument, section, answers, -1)
        if previous is None:
            return redirect(url_for("survey.landing", survey_id=instrument.id))
        return redirect(page_url(instrument, previous))
    if _return_args():
        return redirect(url_for("survey.review", survey_id=instrument.id))
    return redirect(page_url(instrument, neighbour(instrument, section, answers, +1)))


def _return_args() -> dict[str, str]:
    return FROM_REVIEW if request.args.get("from") == "review" else {}


# ---------------------------------------------------------------- review, submit, thanks

def review_rows(instrument: Instrument, answers) -> list[dict]:
    texts = texts_for(instrument)
    rows = []
    for section in pages(instrument, answers):
        items = []
        for q in visible_in(instrument, section, answers):
            value = answers.get(q.id)
            if value is None:
                shown = []
            elif q.choice_list is not None:
                codes = value if isinstance(value, tuple) else (value,)
                shown = [texts.choice(q.choice_list, q.choice_list.get(c)) for c in codes
                         if q.choice_list.get(c) is not None]
            else:
                shown = [format_number(value) if q.type == "number" else str(value)]
            items.append({"q": q, "label": texts.question(q), "answers": shown,
                          "href": page_url(instrument, section, anchor=q.id, **FROM_REVIEW)})
        rows.append({"section": section, "title": texts.section(section), "items": items,
                     "href": page_url(instrument, section, **FROM_REVIEW)})
    return rows


def render_review(instrument: Instrument, answers: dict, missing: list[str] | None = None,
                  notice: str | None = None, status: int = 200):
    texts = texts_for(instrument)
    error_items = [{"label": texts.question(instrument.question(qid)),
                    "href": page_url(instrument, instrument.section(instrument.question(qid).section_id),
                                     anchor=qid, **FROM_REVIEW),
                    "error": translate_error(responses.required_error())} for qid in (missing or [])]
    return render_template("survey/review.html", instrument=instrument, texts=texts,
                           languages=survey_languages(instrument), rows=review_rows(instrument, answers),
                           error_items=error_items, notice=notice), status


@bp.route("/review", methods=["GET", "POST"])
def review(survey_id: str):
    instrument, response = survey_and_response(survey_id)
    if response is None:
        return no_response(survey_id)
    if response.status == "complete":
        return render_already(instrument)
    if request.method == "GET":
        return render_review(instrument, response.answers)
    if request.form.get("nav") == "later":
        return save_for_later(instrument, response)
    if request.form.get("nav") == "back":
        visible = pages(instrument, response.answers)
        return redirect(page_url(instrument, visible[-1] if visible else None))
    stored = responses.by_uuid(db(), response.uuid)  # submit works on the stored row itself
    if stored is None:
        return no_response(survey_id)
    try:
        result = responses.submit(db(), instrument, stored, channel="web")
    except responses.MissingRequired as missing:
        return render_review(instrument, response.answers, missing.question_ids)
    if result.already:
        return render_already(instrument)
    return redirect(url_for("survey.thanks", survey_id=survey_id))


@bp.get("/thanks")
def thanks(survey_id: str):
    instrument, response = survey_and_response(survey_id)
    if response is None or response.status != "complete":
        return no_response(survey_id)
    return render_template("survey/thanks.html", instrument=instrument, texts=texts_for(instrument),
                           languages=survey_languages(instrument))
