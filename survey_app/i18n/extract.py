"""Extraction: the instrument YAML → domain ``survey``; Python and Jinja2 → domain ``messages``.

``extract_instrument`` is a Babel extraction method (entry point ``machikoe_instrument``
in setup.cfg): every translatable text becomes a ``pgettext`` call with msgctxt = the
id path (``question:kosodate``, ``choice:agree4:1``) and a translator comment that
gives the context a translator needs (the question a hint belongs to, the questions
a choice list answers, the condition under which a question is shown).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_python
from babel.messages.frontend import parse_mapping_cfg
from jinja2.ext import babel_extract

from survey_app.instrument import Instrument, Question, parse_instrument
from survey_app.instrument.loader import SafeLoader

from .catalogs import SOURCE_LANGUAGE
from .placeholders import MessageId, placeholders

PROJECT_ROOT = Path(__file__).resolve().parents[2]
COMMENT_TAGS = ("i18n:",)
PROJECT = "Machikoe"

# Interface keywords. Our own ``gettext(locale, msgid, **params)`` and
# ``ngettext(locale, singular, plural, n, **params)`` take the locale first, so calls
# with more arguments are also tried with the msgid in second place; Babel skips a
# spec silently when the argument there is not a string literal.
# Babel's keyword spec: the argument positions of the msgid (and plural), per number of arguments.
_Spec = tuple[int | tuple[int, int] | tuple[int, str], ...] | None
_LOCALE_FIRST: dict[int | None, _Spec] = {n: (2,) for n in range(2, 9)}
_LOCALE_FIRST_PLURAL: dict[int | None, _Spec] = {n: (2, 3) for n in range(4, 11)}
KEYWORDS: dict[str, dict[int | None, _Spec] | _Spec] = {
    **DEFAULT_KEYWORDS,
    "gettext": {None: None, **_LOCALE_FIRST},
    "_": {None: None, **_LOCALE_FIRST},
    "ngettext": {None: (1, 2), **_LOCALE_FIRST_PLURAL},
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
    "gettext_noop": None,
}


def _line_index(source: str) -> dict[str, int]:
    """msgctxt → 1-based line of the YAML node holding that text (for '#:' locations)."""
    root = yaml.compose(source, Loader=SafeLoader)
    lines: dict[str, int] = {}
    if not isinstance(root, yaml.MappingNode):
        return lines
    top = {k.value: v for k, v in root.value}
    for key in ("title", "privacy_notice", "contact"):
        if key in top:
            lines[key] = top[key].start_mark.line + 1
    lists = top.get("choice_lists")
    for list_key, items in (lists.value if isinstance(lists, yaml.MappingNode) else []):
        for item in getattr(items, "value", []):
            fields = _fields(item)
            if "code" in fields:
                lines[f"choice:{list_key.value}:{fields['code'].value}"] = item.start_mark.line + 1
    for section in getattr(top.get("sections"), "value", []):
        fields = _fields(section)
        sid = getattr(fields.get("id"), "value", None)
        lines[f"section:{sid}"] = (fields.get("title") or section).start_mark.line + 1
        for question in getattr(fields.get("questions"), "value", []):
            qf = _fields(question)
            qid = getattr(qf.get("id"), "value", None)
            lines[f"question:{qid}"] = (qf.get("text") or question).start_mark.line + 1
            if "hint" in qf:
                lines[f"hint:{qid}"] = qf["hint"].start_mark.line + 1
    for indicator in getattr(top.get("indicators"), "value", []):
        fields = _fields(indicator)
        iid = getattr(fields.get("id"), "value", None)
        lines[f"indicator:{iid}"] = (fields.get("title") or indicator).start_mark.line + 1
    return lines


def _fields(node: yaml.Node) -> dict[str, yaml.Node]:
    return {k.value: v for k, v in node.value} if isinstance(node, yaml.MappingNode) else {}


def _condition(instrument: Instrument, question: Question) -> str:
    if question.show_if is None:
        return ""
    codes = ", ".join(str(c) for c in sorted(question.show_if.codes))
    return f" Shown only to those who answered {codes} to '{question.show_if.question}'."


def translator_comments(instrument: Instrument) -> dict[str, str]:
    """msgctxt → the context a translator needs, beyond the source text itself."""
    users: dict[str, list[str]] = {}
    for q in instrument.questions:
        if q.choice_list:
            users.setdefault(q.choice_list.id, []).append(q.id)
    comments = {ctx: comment for ctx, _text, comment in instrument.texts()}
    for cl in instrument.choice_lists.values():
        scale = " / ".join(c.text for c in cl.choices)
        for c in cl.choices:
            used = ", ".join(users.get(cl.id, [])) or "no question yet"
            note = " Counts as 'no substantive answer'." if c.missing else ""
            comments[f"choice:{cl.id}:{c.code}"] += (
                f". Whole list: {scale}. Answers: {used}. Keep the list balanced and parallel.{note}")
    for s in instrument.sections:
        for q in s.questions:
            comments[f"question:{q.id}"] += f", section title: {s.title}.{_condition(instrument, q)}"
            if q.choice_list:
                comments[f"question:{q.id}"] += f" Answered with list '{q.choice_list.id}'."
    for ind in instrument.indicators:
        question = instrument.question(ind.question)
        positive = ", ".join(str(c) for c in sorted(ind.positive))
        comments[f"indicator:{ind.id}"] += (
            f" (% answering {positive}): {question.text} Read by city staff in reports.")
    return comments


def instrument_messages(instrument: Instrument) -> Iterator[tuple[int, str, str, str]]:
    """(line, msgctxt, source text, translator comment) for every text, in document order."""
    lines = _line_index(instrument.source_text) if instrument.source_text else {}
    comments = translator_comments(instrument)
    for context, text, _comment in instrument.texts():
        if text:
            yield lines.get(context, 0), context, text, comments[context]


def extract_instrument(fileobj: IO[bytes] | IO[str], keywords: object, comment_tags: object,
                       options: Mapping[str, str]) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Babel extraction method for instrument YAML (see the module docstring)."""
    source = fileobj.read()
    if isinstance(source, bytes):
        source = source.decode(options.get("encoding", "utf-8"))
    name = Path(getattr(fileobj, "name", "<instrument>")).name
    instrument = parse_instrument(source, name)
    for line, context, text, comment in instrument_messages(instrument):
        yield line, "pgettext", (context, text), [comment]


def _new_catalog(domain: str, source_language: str) -> Catalog:
    return Catalog(domain=domain, project=PROJECT, version="1", charset="utf-8", fuzzy=False,
                   creation_date=dt.datetime(2025, 4, 1, tzinfo=dt.UTC),
                   msgid_bugs_address="translations@machikoe.invalid",
                   copyright_holder="Ebetsu City", header_comment=_header(domain, source_language))


def _header(domain: str, source_language: str) -> str:
    return (f"# Machikoe — domain '{domain}' (source language: {source_language}).\n"
            "# Generated by `machikoe translations extract`; do not edit the .pot by hand.\n"
            "# See translations/README.md.")


def instrument_template(paths: Path | Sequence[Path], root: Path = PROJECT_ROOT) -> Catalog:
    """The ``survey`` template (.pot) of one or more instrument files (one entry per wording)."""
    paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    catalog = _new_catalog("survey", SOURCE_LANGUAGE["survey"])
    for path in paths:
        instrument = parse_instrument(path.read_text(encoding="utf-8"), path.name)
        location = _relative(path, root)
        for line, context, text, comment in instrument_messages(instrument):
            existing = catalog.get(text, context)
            if existing is not None:  # the same wording in another wave: one translation serves both
                existing.locations.append((location, line))
                continue
            catalog.add(text, context=context, locations=[(location, line)], auto_comments=[comment])
    return catalog


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def messages_template(root: Path = PROJECT_ROOT, mapping: Path | None = None) -> Catalog:
    """The ``messages`` template: Python and Jinja2 sources listed in ``babel.cfg``."""
    mapping = mapping or root / "babel.cfg"
    with mapping.open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    catalog = _new_catalog("messages", "en")
    method_map = [(pattern, _remembered(method)) for pattern, method in method_map]
    for filename, line, message, comments, context in extract_from_dir(
            str(root), method_map, options_map, keywords=KEYWORDS, comment_tags=COMMENT_TAGS,
            strip_comment_tags=True):
        flags = {"python-format"} if _has_placeholder(message) else set()
        catalog.add(message, None, [(Path(filename).as_posix(), line)], auto_comments=comments,
                    context=context, flags=flags)
    return catalog


def _has_placeholder(message: MessageId) -> bool:
    texts = message if isinstance(message, (tuple, list)) else (message,)
    return any(placeholders(t) for t in texts)


# What Babel's extractors found, by file content. ``translations check`` and ``update``
# extract the whole tree each time (about 1.5 s); a process that does so again — the test
# suite, dozens of times — reads every file but tokenises only what changed. Keyed by the
# file's bytes and the extractor's options, so an edit is always seen. Bounded.
RawMessages = list[tuple[int, str, Any, list[str]]]
_EXTRACTORS: dict[str, Callable[..., Any]] = {"python": extract_python, "jinja2": babel_extract}
_FOUND: dict[tuple[object, ...], RawMessages] = {}
_MAX_FOUND = 4096


def _remembered(method: str | Callable[..., Any]) -> str | Callable[..., Any]:
    extractor = _EXTRACTORS.get(method) if isinstance(method, str) else None
    if extractor is None:
        return method  # "ignore", or a method of someone else's: Babel resolves it as usual

    def extract(fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str],
                options: Mapping[str, Any]) -> RawMessages:
        data = fileobj.read()
        key = (method, hashlib.sha256(data).digest(), tuple(keywords), tuple(comment_tags),
               tuple(sorted(options.items())))
        if key not in _FOUND:
            if len(_FOUND) >= _MAX_FOUND:
                _FOUND.clear()
            _FOUND[key] = list(extractor(io.BytesIO(data), keywords, comment_tags, options))
        # copies of the comment lists: Babel strips their tags in place
        return [(line, function, messages, list(comments)) for line, function, messages, comments in _FOUND[key]]
    return extract
