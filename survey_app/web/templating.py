"""Compiled templates shared by the apps of one process.

Jinja turns a template's source into Python code the first time an environment loads it
(10–20 ms for a survey page: lexing, parsing, code generation, ``compile``). Every
``create_app`` has an environment of its own, so a process that builds many apps — the
test suite builds hundreds — compiled the same templates again for each. This
bytecode cache (Jinja's own mechanism, ``jinja2.BytecodeCache``) keeps the compiled code in
memory: Jinja checks each entry against a checksum of the template's source, so an edited
template is compiled afresh (with ``TEMPLATES_AUTO_RELOAD`` too).

Code compiled under one set of environment options (extensions, block trimming, the
gettext style) is only right for environments with the same options, so environments are
grouped by those options and each group has its own cache. Bounded: one entry per template
and group.
"""
from __future__ import annotations

from flask import Flask
from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket

OptionsKey = tuple[object, ...]


class SharedBytecodeCache(BytecodeCache):
    """Compiled templates in this process's memory, by Jinja's key (template name and file)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self._code.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)  # ignored by Jinja when the source's checksum differs

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._code.clear()


_CACHES: dict[OptionsKey, SharedBytecodeCache] = {}


def options_key(env: Environment) -> OptionsKey:
    """What the generated code depends on besides the source: the lexer's and the parser's
    settings, the extensions and the gettext style (``newstyle`` changes the calls emitted)."""
    return (env.block_start_string, env.block_end_string, env.variable_start_string, env.variable_end_string,
            env.comment_start_string, env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
            env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
            env.optimized, tuple(sorted(env.extensions)), getattr(env, "newstyle_gettext", None),
            getattr(env.autoescape, "__qualname__", env.autoescape), env.is_async)


def init_templating(app: Flask) -> None:
    """Give the app's environment the shared cache of its group (after every option is set)."""
    env = app.jinja_env
    env.bytecode_cache = _CACHES.setdefault(options_key(env), SharedBytecodeCache())
