"""The resident survey's pages as HTML: every ``render_*`` the routes and the error handlers use.

The routes (``entry``, ``pages``, ``recovery``) and the error handlers (an expired CSRF
token, a database outage) all show the same pages, so the renderers live here, below
all of them: this module imports no route module, and no route module imports another
one for a renderer (the import graph has no cycle; ``tests/test_architecture.py``
imports every module on its own to keep it so).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import render_template, request, url_for

from survey_app import responses
from survey_app.i18n.fmt import format_number as _format_number
from survey_app.instrument import Instrument, Question, Section

from ..context import current_locale, translate_error
from . import page_cache
from .state import held_response, pages, progress, survey_languages, texts_for, visible_in

# A page opened from a review page's "Change" link returns there on Next (GOV.UK check-answers pattern).
FROM_REVIEW = {"from": "review"}

Rendered = tuple[str, int]


def format_number(value: float) -> str:
    return _format_number(value, current_locale())


def return_args() -> dict[str, str]:
    """``from=review`` when this page was opened from the review page, so Next returns there."""
    return FROM_REVIEW if request.args.get("from") == "review" else {}


def page_url(instrument: Instrument, section: Section | None, anchor: str | None = None, **args: str) -> str:
    if section is None:
        return url_for("survey.review", survey_id=instrument.id)
    query: dict[str, Any] = dict(args)  # as url_for types its query values (else mypy matches _external)
    return url_for("survey.page", survey_id=instrument.id, section_id=section.id, _anchor=anchor, **query)


def _page(template: str, instrument: Instrument, status: int = 200, **context: Any) -> Rendered:
    return render_template(template, instrument=instrument, texts=texts_for(instrument),
                           languages=survey_languages(instrument), **context), status


# ---------------------------------------------------------------- landing and dead ends

def render_landing(instrument: Instrument, *, code: str = "", error: str | None = None,
                   recognised: bool = False, notice: str | None = None, status: int = 200) -> Rendered:
    held = held_response(instrument.id)

    def draw(csrf_token: Callable[[], str] | None = None) -> str:
        tokens = {"csrf_token": csrf_token} if csrf_token else {}
        return _page("survey/landing.html", instrument, status, code=code, code_error=error, recognised=recognised,
                     held=held, notice=notice, error_items=[{"href": "#code", "error": error}] if error else [],
                     **tokens)[0]

    if not (code or error or recognised or notice) and status == 200:
        # Every new resident's first page: nothing of theirs on it but whether this phone holds
        # a response, and in what state (the template shows no more of it than that).
        page = ("landing", instrument.id, instrument.content_hash, instrument.allow_open, held and held.status)
        return page_cache.first_view(page, draw), status
    return draw(), status


def render_thanks(instrument: Instrument) -> str:
    """The same for everyone who sent their answers: kept, as a page's first view is."""
    def draw(csrf_token: Callable[[], str]) -> str:
        # the slot's token function goes in too: a form added to this page later is never kept
        return _page("survey/thanks.html", instrument, csrf_token=csrf_token)[0]

    return page_cache.first_view(("thanks", instrument.id, instrument.content_hash), draw, form=False)


def render_used(instrument: Instrument) -> Rendered:
    return _page("survey/used.html", instrument, 409)


def render_already(instrument: Instrument) -> Rendered:
    """Back button after submit, a second tab, an old bookmark: a clear page, nothing changed."""
    return _page("survey/already.html", instrument, 409)


def render_delete(instrument: Instrument, notice: str | None = None, status: int = 200, sent: bool = False,
                  invited: bool = False) -> Rendered:
    """``sent`` answers: a letter's code (``invited``) stays used once they are erased; the open link's don't."""
    return _page("survey/delete.html", instrument, status, notice=notice, sent=sent, invited=invited)


def render_saved(instrument: Instrument, token: str, link: str) -> Rendered:
    """"Continue later": the resume code and the link that carries it."""
    return _page("survey/saved.html", instrument, token=token, link=link)


def render_deleted(instrument: Instrument) -> Rendered:
    return _page("survey/deleted.html", instrument)


# ---------------------------------------------------------------- a section page

def question_items(instrument: Instrument, questions: list[Question], shown: Mapping[str, set[str]],
                   errors: Mapping[str, Any]) -> list[dict]:
    """Everything a field template needs, in the resident's language; ``shown`` holds what
    each field shows as selected or typed (``fields.stored_values`` / ``fields.posted_values``)."""
    texts = texts_for(instrument)
    items = []
    for q in questions:
        values = shown.get(q.id, set())
        hint = texts.hint(q)
        error = translate_error(errors[q.id]) if q.id in errors else None
        items.append({
            "q": q, "label": texts.question(q), "hint": hint,
            "values": values, "value": next(iter(values), ""),
            "choices": [{"code": str(c.code), "label": texts.label(q, c),
                         "checked": str(c.code) in values} for c in q.choices],
            "error": error, "template": q.kind.field_template, "input_type": q.kind.input_type,
            # aria-describedby: the hint and the error, when there are any
            "described_by": " ".join(f"{q.id}-{part}" for part, shown in (("hint", hint), ("error", error))
                                     if shown),
        })
    return items


def render_page(instrument: Instrument, section: Section, questions: list[Question],
                shown: Mapping[str, set[str]], answers: Mapping[str, Any], errors: Mapping[str, Any] | None = None,
                notice: str | None = None, status: int = 200) -> Rendered:
    position, total = progress(instrument, section, answers)

    def draw(csrf_token: Callable[[], str] | None = None) -> str:
        items = question_items(instrument, questions, shown, errors or {})
        tokens = {"csrf_token": csrf_token} if csrf_token else {}
        return _page(
            "survey/page.html", instrument, status, section=section, items=items,
            action=page_url(instrument, section, **return_args()),
            error_items=[{"href": f"#{i['q'].id}", "label": i["label"], "error": i["error"]}
                         for i in items if i["error"]],
            position=position, total=total,
            first=position == 1, notice=notice, appeared=request.args.get("more") == "1", **tokens)[0]

    if page_cache.eligible(shown, errors, notice, status):
        page = (instrument.id, instrument.content_hash, instrument.allow_open, section.id,
                tuple(q.id for q in questions), position, total)
        return page_cache.first_view(page, draw), status
    return draw(), status


# ---------------------------------------------------------------- the review page

def review_rows(instrument: Instrument, answers: Mapping[str, Any]) -> list[dict]:
    texts = texts_for(instrument)
    rows = []
    for section in pages(instrument, answers):
        href = page_url(instrument, section, **FROM_REVIEW)
        items = []
        for q in visible_in(instrument, section, answers):
            value = answers.get(q.id)
            shown = [] if value is None else q.kind.answer_parts(q, value, texts.choice, format_number)
            # a question id needs no escaping in a fragment (loader.ID_RE): one url_for per section
            items.append({"q": q, "label": texts.question(q), "answers": shown, "href": f"{href}#{q.id}"})
        rows.append({"section": section, "title": texts.section(section), "items": items, "href": href})
    return rows


def render_review(instrument: Instrument, answers: Mapping[str, Any], missing: list[str] | None = None,
                  notice: str | None = None, status: int = 200) -> Rendered:
    texts = texts_for(instrument)
    error_items = [{"label": texts.question(instrument.question(qid)),
                    "href": page_url(instrument, instrument.section(instrument.question(qid).section_id),
                                     anchor=qid, **FROM_REVIEW),
                    "error": translate_error(responses.required_error())} for qid in (missing or [])]
    return _page("survey/review.html", instrument, status, rows=review_rows(instrument, answers),
                 error_items=error_items, notice=notice)
