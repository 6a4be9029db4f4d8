"""URL builders shared between apps (``survey_app.web.routing``): every URL of every rule is the
one Werkzeug's own rule builds, and equal rules of two apps share one compiled builder."""
from __future__ import annotations

import pytest
from werkzeug.routing import Map, Rule

from survey_app.web import create_app
from survey_app.web.routing import SharedBuildersRule
from tests.support.db import TEST_SECRET


def _app(tmp_path):
    return create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": TEST_SECRET,
                       "REDIS_URL": None})


def _built(rule_class: type[Rule], rule: Rule, values: dict[str, object]) -> str:
    """``rule``'s URL for ``values`` (unknown ones appended as a query), from a map of its own."""
    alone = rule_class(rule.rule, endpoint="e", defaults=rule.defaults, subdomain=rule.subdomain)
    return Map([alone]).bind("example.org").build("e", values, append_unknown=True)


def test_every_rule_builds_the_urls_werkzeugs_own_rule_builds(tmp_path):
    rules = list(_app(tmp_path).url_map.iter_rules())
    assert len(rules) > 40 and all(isinstance(rule, SharedBuildersRule) for rule in rules)
    for rule in rules:
        required = {name: "7" for name in rule.arguments if name not in (rule.defaults or {})}
        for values in (required, {**required, "next": "/ja/ページ?a=1&b"}):
            assert _built(SharedBuildersRule, rule, values) == _built(Rule, rule, values), rule.rule


def test_equal_rules_of_two_apps_share_their_builders(tmp_path):
    first, second = (_app(tmp_path).url_map for _ in range(2))
    twins = {(rule.endpoint, rule.rule): rule for rule in second.iter_rules()}
    for rule in first.iter_rules():
        twin = twins[(rule.endpoint, rule.rule)]
        assert twin is not rule
        assert twin._build.__func__ is rule._build.__func__  # type: ignore[attr-defined]
        assert twin._build_unknown.__func__ is rule._build_unknown.__func__  # type: ignore[attr-defined]
        assert twin._build.__self__ is twin  # type: ignore[attr-defined] - bound to its own rule


@pytest.mark.parametrize(("first", "second"), [
    (("/page/<int:n>", {"n": 2}), ("/page/<int:n>", {"n": 3})),  # another default, resolved into the code
    (("/p/<name>", {"name": "a b"}), ("/p/<path:name>", {"name": "a b"})),  # another converter
    (("/a/<x>", {"x": "1"}), ("/b/<x>", {"x": "1"})),  # other text
])
def test_rules_that_differ_in_what_their_code_holds_do_not_share(first, second):
    one, other = (SharedBuildersRule(text, endpoint=f"e{i}", defaults=defaults)
                  for i, (text, defaults) in enumerate((first, second)))
    Map([one, other])  # binding compiles the builders
    assert one._build.__func__ is not other._build.__func__  # type: ignore[attr-defined]
    for rule in (one, other):
        assert _built(SharedBuildersRule, rule, {}) == _built(Rule, rule, {})
