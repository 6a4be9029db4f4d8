"""A section page's fields: which template draws each question type, what a field shows,
and what the resident posted.

Why no form classes: the page fields are plain HTML in ``templates/survey/fields/``
(named per type in ``FIELD_TEMPLATES``, keyed by the same type names as the core
question-type registry; a new type without a template fails at import, not in front of
a resident). Validation is the core's (``survey_app.responses.record`` through the
question-type registry), so web, bot and paper entry agree on what is valid. A
Flask-WTF form per page used to sit in between, but no template read its fields and
it validated nothing, so it was removed (issue 16, item 5). Flask-WTF stays for what it
really does here: ``CSRFProtect`` (``survey_app.web.extensions``) checks the token of
every POST, and every form puts ``csrf_token()`` in the page.

Field names are question ids and choice values are choice codes.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from survey_app.instrument import REGISTRY, Question

# Each type's markup: its template under templates/, and the input type of a choice list.
FIELD_TEMPLATES: dict[str, tuple[str, str | None]] = {
    "single": ("survey/fields/choices.html", "radio"),
    "scale": ("survey/fields/choices.html", "radio"),  # stacked like a single choice: never a grid
    "multi": ("survey/fields/choices.html", "checkbox"),
    "number": ("survey/fields/number.html", None),
    "text": ("survey/fields/text.html", None),
}
_missing = set(REGISTRY) - set(FIELD_TEMPLATES)
if _missing:
    raise RuntimeError(f"question type(s) without a web field template: {sorted(_missing)}")


def posted_answers(questions: Iterable[Question], form: Any) -> dict[str, Any]:
    """What the resident posted for each question: a list of codes for ``multi`` (empty:
    none ticked), else the first posted string ("" means no answer). ``form`` is a
    werkzeug ``MultiDict`` such as ``request.form``."""
    return {q.id: form.getlist(q.id) if q.type == "multi" else form.get(q.id, "") for q in questions}


def posted_values(questions: Iterable[Question], form: Any) -> dict[str, set[str]]:
    """What each field shows when a posted page is shown again (with errors, or after a failure)."""
    return {qid: _as_set(value) for qid, value in posted_answers(questions, form).items()}


def stored_values(questions: Iterable[Question], answers: Mapping[str, Any]) -> dict[str, set[str]]:
    """What each field shows for the stored answers (codes, numbers, text)."""
    shown: dict[str, set[str]] = {}
    for q in questions:
        value = answers.get(q.id)
        if value is None:
            continue
        if q.type == "number":  # 3.0 is shown as "3"
            value = str(int(value)) if float(value).is_integer() else str(value)
        shown[q.id] = _as_set(value)
    return shown


def _as_set(value: Any) -> set[str]:
    if isinstance(value, (list, tuple)):
        return {str(v) for v in value}
    return {str(value)}
