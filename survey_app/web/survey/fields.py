"""A section page's fields: which template draws each question type, what a field shows,
and what the resident posted.

Why no form classes: the page fields are plain HTML in ``templates/survey/fields/``
(each question type names its template, ``QuestionType.field_template``, in the core
registry; a type whose template is missing fails at import, not in front of a resident). Validation is the core's (``survey_app.responses.record`` through the
question-type registry), so web, bot and paper entry agree on what is valid. A
Flask-WTF form per page used to sit in between, but no template read its fields and
it validated nothing, so it was removed (issue 16, item 5). Flask-WTF stays for what it
really does here: ``CSRFProtect`` (``survey_app.web.extensions``) checks the token of
every POST, and every form puts ``csrf_token()`` in the page.

Field names are question ids and choice values are choice codes.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from survey_app.instrument import REGISTRY, Question

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_missing = sorted(t.name for t in REGISTRY.values() if not (TEMPLATES / t.field_template).is_file())
if _missing:
    raise RuntimeError(f"question type(s) without a web field template: {_missing}")


def posted_answers(questions: Iterable[Question], form: Any) -> dict[str, Any]:
    """What the resident posted for each question, as its type reads a field (a list of
    codes for a multiple choice, empty when none is ticked; else the first posted string,
    "" meaning no answer). ``form`` is a werkzeug ``MultiDict`` such as ``request.form``."""
    return {q.id: q.kind.form_value(form.getlist(q.id)) for q in questions}


def posted_values(questions: Iterable[Question], form: Any) -> dict[str, set[str]]:
    """What each field shows when a posted page is shown again (with errors, or after a failure)."""
    return {qid: _as_set(value) for qid, value in posted_answers(questions, form).items()}


def stored_values(questions: Iterable[Question], answers: Mapping[str, Any]) -> dict[str, set[str]]:
    """What each field shows for the stored answers (codes, numbers, text)."""
    return {q.id: q.kind.field_values(answers[q.id]) for q in questions if answers.get(q.id) is not None}


def _as_set(value: Any) -> set[str]:
    if isinstance(value, (list, tuple)):
        return {str(v) for v in value}
    return {str(value)}
