"""Compiled templates shared by the apps of a process (survey_app/web/templating.py): a second
app loads the first one's code, an edited template is compiled again, and environments with
other options never share."""
from __future__ import annotations

import pytest
from flask import Flask, render_template_string
from jinja2 import DictLoader

from survey_app.web import create_app, templating
from tests.support.db import TEST_SECRET


def _app(source: dict[str, str], **options) -> Flask:
    app = Flask(__name__)
    app.jinja_loader = DictLoader(source)  # type: ignore[assignment]
    for name, value in options.items():
        setattr(app.jinja_env, name, value)
    templating.init_templating(app)
    return app


def _render(app: Flask, template: str, **context) -> str:
    with app.app_context():
        return app.jinja_env.get_template(template).render(**context)


def _no_compiling(app: Flask) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("compiled again: the shared code was not used")
    app.jinja_env.compile = refuse  # type: ignore[method-assign]


def test_a_second_app_uses_the_code_the_first_compiled():
    source = {"greeting-a.html": "{% for n in names %}Hello {{ n }}!{% endfor %}"}
    first, second = _app(dict(source)), _app(dict(source))
    assert first.jinja_env.bytecode_cache is second.jinja_env.bytecode_cache
    assert _render(first, "greeting-a.html", names=["Aiko"]) == "Hello Aiko!"
    _no_compiling(second)
    assert _render(second, "greeting-a.html", names=["Binh", "<b>"]) == "Hello Binh!Hello &lt;b&gt;!"


def test_an_edited_template_is_compiled_again():
    assert _render(_app({"greeting-b.html": "Hello {{ name }}"}), "greeting-b.html", name="Aiko") == "Hello Aiko"
    edited = _app({"greeting-b.html": "Goodbye {{ name }}"})
    assert _render(edited, "greeting-b.html", name="Aiko") == "Goodbye Aiko"
    _no_compiling(edited)  # and the edit's code is what is shared now
    assert _render(_app({"greeting-b.html": "Goodbye {{ name }}"}), "greeting-b.html", name="Chi") == "Goodbye Chi"


@pytest.mark.parametrize("options", [{"trim_blocks": True}, {"lstrip_blocks": True},
                                     {"variable_start_string": "[[", "variable_end_string": "]]"}])
def test_environments_with_other_options_do_not_share(options):
    source = {"lines-c.html": "{% if true %}\n  [[ x ]]{{ x }}\n{% endif %}"}
    plain, other = _app(dict(source)), _app(dict(source), **options)
    assert plain.jinja_env.bytecode_cache is not other.jinja_env.bytecode_cache
    # each renders as its own options say, whichever compiled first
    assert _render(plain, "lines-c.html", x=1) == "\n  [[ x ]]1\n"
    expected = {"trim_blocks": "  [[ x ]]1\n", "lstrip_blocks": "\n  [[ x ]]1\n",
                "variable_start_string": "\n  1{{ x }}\n"}[next(iter(options))]
    assert _render(other, "lines-c.html", x=1) == expected


def test_every_app_of_the_factory_shares_one_cache(tmp_path):
    config = {"TESTING": True, "SECRET_KEY": TEST_SECRET, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    first, second = create_app(config), create_app(config)
    assert isinstance(first.jinja_env.bytecode_cache, templating.SharedBytecodeCache)
    assert first.jinja_env.bytecode_cache is second.jinja_env.bytecode_cache
    with first.test_request_context("/"):
        assert "Machikoe" in render_template_string("{{ 'Machikoe' }}")
