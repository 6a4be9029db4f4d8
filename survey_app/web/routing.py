"""URL rules whose builders are compiled once per process, shared by every app the factory makes.

When an app registers a rule, Werkzeug generates two small Python functions that build the
rule's URLs (``Rule._compile_builder``: an AST, then ``compile``) — 96 of them for our 48 rules,
about 20 ms, which was nearly all of :func:`survey_app.web.create_app`. A server makes one app per
worker and does not notice; the test suite makes about 540 apps per run and spent about 25 s of CPU
(of some 350) compiling the same functions again.

The generated code depends only on the rule's parsed parts (``_trace``: the static text and the
names of its variables), the defaults resolved into it, and whether unknown arguments are appended
as a query string. It reads the rule's converters through its ``self`` argument at call time, so a
function made for one rule is right for any equal rule of another app: Werkzeug binds it to each
rule itself (``__get__``). ``SharedBuildersFlask`` is Flask with this rule class
(Flask's documented ``url_rule_class`` hook).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from flask import Flask
from werkzeug.routing import Rule

Builder = Callable[..., tuple[str, str]]


class SharedBuildersRule(Rule):
    """Werkzeug's rule, its two URL builders taken from a process-wide cache of equal rules."""

    _builders: ClassVar[dict[tuple[Any, ...], Builder]] = {}

    def _builder_key(self, append_unknown: bool) -> tuple[Any, ...]:
        defaults = self.defaults or {}
        # A default that fills a variable of the rule is turned into text by that variable's
        # converter when the code is generated: the converter's class is part of the key.
        converters = tuple(sorted((name, type(self._converters[name]).__qualname__)
                                  for name in defaults if name in self._converters))
        return (self.rule, self.subdomain, self.host, tuple(self._trace),
                tuple(sorted((name, repr(value)) for name, value in defaults.items())),
                converters, append_unknown)

    def _compile_builder(self, append_unknown: bool = True) -> Builder:
        key = self._builder_key(append_unknown)
        builder = self._builders.get(key)
        if builder is None:
            builder = self._builders[key] = super()._compile_builder(append_unknown)
        return builder


class SharedBuildersFlask(Flask):
    url_rule_class = SharedBuildersRule
