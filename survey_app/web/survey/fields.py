"""Flask-WTF forms built from the instrument: one field per visible question of a page.

``FIELD_BUILDERS`` is the web renderer registry, keyed by the same type names as the
core question-type registry; a new question type without a web field fails at import
(not in front of a resident). Field names are question ids and choice values are
choice codes. WTForms only carries the values: validation is the core's
(``survey_app.responses.record``), so web, bot and paper entry agree on what is valid.
Each type's markup is named in ``FIELD_TEMPLATES`` (``templates/survey/fields/``).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectMultipleField, StringField, TextAreaField

from survey_app.instrument import REGISTRY, Question

try:  # WTForms >= 3.3 wants choice objects; older versions take (value, label) pairs
    from wtforms.fields.choices import SelectChoice as _choice
except ImportError:  # pragma: no cover - older WTForms
    def _choice(value: str, label: str) -> tuple[str, str]:
        return value, label


def _codes(q: Question) -> list:
    return [_choice(str(c.code), str(c.code)) for c in q.choices]


def _single(q: Question) -> Field:
    return RadioField(q.id, choices=_codes(q), validate_choice=False)


def _multi(q: Question) -> Field:
    return SelectMultipleField(q.id, choices=_codes(q), coerce=str, validate_choice=False)


def _number(q: Question) -> Field:
    # Text, not <input type=number>: full-width digits typed with a Japanese keyboard are
    # accepted (the core normalises them) and browsers do not silently drop what they dislike.
    return StringField(q.id, render_kw={"inputmode": "decimal", "autocomplete": "off"})


def _text(q: Question) -> Field:
    return TextAreaField(q.id, render_kw={"maxlength": q.max_length, "rows": 5})


FIELD_BUILDERS: dict[str, Callable[[Question], Field]] = {
    "single": _single,
    "scale": _single,
    "multi": _multi,
    "number": _number,
    "text": _text,
}
# Each type's markup: its template under templates/, and the input type of a choice list.
FIELD_TEMPLATES: dict[str, tuple[str, str | None]] = {
    "single": ("survey/fields/choices.html", "radio"),
    "scale": ("survey/fields/choices.html", "radio"),  # stacked like a single choice: never a grid
    "multi": ("survey/fields/choices.html", "checkbox"),
    "number": ("survey/fields/number.html", None),
    "text": ("survey/fields/text.html", None),
}
_missing = (set(REGISTRY) - set(FIELD_BUILDERS)) | (set(REGISTRY) - set(FIELD_TEMPLATES))
if _missing:
    raise RuntimeError(f"question type(s) without a web field or template: {sorted(_missing)}")


class PageForm(FlaskForm):
    """Base of every generated page form. The CSRF token is checked for every POST by
    ``CSRFProtect`` (``survey_app.web.extensions``) and put in the page by ``csrf_token()``;
    the form does not carry a second copy."""

    class Meta:
        csrf = False


def form_class(questions: Iterable[Question]) -> type[PageForm]:
    return _form_class(tuple(questions))


@lru_cache(maxsize=256)
def _form_class(questions: tuple[Question, ...]) -> type[PageForm]:
    # One class per set of shown questions, built once per process: WTForms inspects a form
    # class on its first use, a measurable share of a page when done on every request.
    fields = {q.id: FIELD_BUILDERS[q.type](q) for q in questions}
    return type("SectionPageForm", (PageForm,), fields)


def stored_as_form_data(questions: Iterable[Question], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Stored answers (codes, numbers, text) as the strings the form fields show."""
    data: dict[str, Any] = {}
    for q in questions:
        value = answers.get(q.id)
        if value is None:
            continue
        if q.type == "multi":
            data[q.id] = [str(code) for code in value]
        elif q.type == "number":
            data[q.id] = str(int(value)) if float(value).is_integer() else str(value)
        else:
            data[q.id] = str(value)
    return data


def build_form(questions: list[Question], answers: Mapping[str, Any] | None = None,
               formdata: Any = None) -> PageForm:
    """A POSTed form (``formdata``) or one showing the stored ``answers``."""
    cls = form_class(questions)
    if formdata is not None:
        return cls(formdata=formdata)
    return cls(formdata=None, data=stored_as_form_data(questions, answers or {}))


def raw_answers(form: PageForm, questions: Iterable[Question]) -> dict[str, Any]:
    """What the resident posted for each shown question (empty means 'no answer')."""
    raw = {}
    for q in questions:
        value = form[q.id].data
        raw[q.id] = value if value is not None else ""
    return raw


def field_values(form: PageForm, question: Question) -> set[str]:
    """The values a field shows as selected/typed (for the templates)."""
    value = form[question.id].data
    if value is None:
        return set()
    if isinstance(value, (list, tuple)):
        return {str(v) for v in value}
    return {str(value)}
