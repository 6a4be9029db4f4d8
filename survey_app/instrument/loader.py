"""Load and validate an instrument YAML file.

Every error names the file, the line and the id involved, e.g.::

    ebetsu-2025.yaml:42: question 'kosodate': unknown choice list 'agree5'

The loader is the specification of the format (DESIGN §3).
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from survey_app.i18n import locales

from .model import Choice, ChoiceList, Indicator, Instrument, Published, Question, Section, ShowIf, Target
from .types import MAX_DECIMALS, REGISTRY, QuestionType

# LibYAML's parser when PyYAML was built with it: ten times faster than the pure-Python one
# (an instrument is parsed by every process that serves or analyses it, and by every
# translations command), with the same documents and line numbers.
try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # PyYAML without LibYAML
    from yaml import SafeLoader  # type: ignore[assignment]

ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
SURVEY_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
#: How a published figure may have been weighted (the analysis methods' names).
WEIGHTINGS = ("none", "poststratify", "rake", "propensity", "design")
BUNDLED_DIR = Path(__file__).resolve().parent.parent / "instruments"


def known_languages() -> tuple[str, ...]:
    """An instrument may declare only languages the interface speaks: the language registry's."""
    return locales.supported()


class InstrumentError(ValueError):
    """A malformed instrument; the message is one line naming file, line and id."""


class _LineDict(dict[Any, Any]):
    line = 0


class _LineLoader(SafeLoader):
    """SafeLoader whose mappings remember their (1-based) line."""


def _construct_mapping(loader: SafeLoader, node: yaml.MappingNode, deep: bool = False) -> _LineDict:
    mapping = _LineDict(loader.construct_mapping(node, deep=deep))
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Ctx:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, node: Any, what: str, message: str) -> InstrumentError:
        line = getattr(node, "line", 0) or "?"
        return InstrumentError(f"{self.path}:{line}: {what}: {message}")

    def require(self, node: dict, key: str, what: str, kind: type | tuple[type, ...] = str) -> Any:
        if not isinstance(node, dict) or key not in node or node[key] in (None, ""):
            raise self.fail(node, what, f"missing '{key}'")
        value = node[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise self.fail(node, what, f"'{key}' must be {_kind_name(kind)}")
        return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "text", int: "a whole number", list: "a list", dict: "a mapping", bool: "true or false"}
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


def _check_id(ctx: _Ctx, node: object, value: object, what: str, seen: set[str] | None = None,
              pattern: re.Pattern[str] = ID_RE) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise ctx.fail(node, what, f"id {value!r} must be lower-case letters, digits and _")
    if seen is not None:
        if value in seen:
            raise ctx.fail(node, what, f"duplicate id '{value}'")
        seen.add(value)
    return value


def _choice_lists(ctx: _Ctx, doc: dict) -> dict[str, ChoiceList]:
    raw = doc.get("choice_lists") or {}
    if not isinstance(raw, dict):
        raise ctx.fail(doc, "choice_lists", "must be a mapping of list id to choices")
    lists = {}
    for list_id, items in raw.items():
        _check_id(ctx, raw, list_id, f"choice list '{list_id}'")
        if not isinstance(items, list) or not items:
            raise ctx.fail(raw, f"choice list '{list_id}'", "must be a non-empty list of choices")
        choices, codes = [], set()
        for item in items:
            what = f"choice list '{list_id}'"
            code = ctx.require(item, "code", what, int)
            if code in codes:
                raise ctx.fail(item, what, f"duplicate code {code}")
            codes.add(code)
            text = ctx.require(item, "text", f"{what} code {code}")
            choices.append(Choice(code=code, text=text.strip(), missing=bool(item.get("missing", False))))
        lists[list_id] = ChoiceList(list_id, tuple(choices))
    return lists


# Names the survey forms post beside the answers (fields are named by question id): no question may take one.
FORM_FIELDS = ("code", "confirm", "csrf_token", "lang", "nav", "then")


def _question(ctx: _Ctx, node: dict, section_id: str, lists: dict, earlier: dict, seen: set) -> Question:
    qid = _check_id(ctx, node, node.get("id"), f"question {node.get('id')!r}", seen)
    if qid in FORM_FIELDS:
        raise ctx.fail(node, f"question '{qid}'", f"the id '{qid}' is a field of every survey form ({', '.join(FORM_FIELDS)})")
    what = f"question '{qid}'"
    qtype = ctx.require(node, "type", what)
    if qtype not in REGISTRY:
        raise ctx.fail(node, what, f"unknown type '{qtype}' (one of: {', '.join(REGISTRY)})")
    kind = REGISTRY[qtype]
    text = ctx.require(node, "text", what).strip()
    choice_list = None
    if kind.has_choices:
        list_id = ctx.require(node, "choices", what)
        if list_id not in lists:
            raise ctx.fail(node, what, f"unknown choice list '{list_id}'")
        choice_list = lists[list_id]
    elif "choices" in node:
        raise ctx.fail(node, what, f"type '{qtype}' takes no choices")
    show_if = _show_if(ctx, node, what, earlier) if "show_if" in node else None
    weighting = bool(node.get("weighting", False))
    ordered = node.get("ordered", False)
    if ordered not in (True, False) or (ordered and choice_list is None):
        raise ctx.fail(node, what, "'ordered: true' marks a choice question whose codes run in order (age bands)")
    if weighting and not kind.groups_residents:
        raise ctx.fail(node, what, "a weighting question must be a single choice")
    short_name = node.get("short_name")
    if short_name is not None and (not isinstance(short_name, str) or not short_name.strip()):
        raise ctx.fail(node, what, "'short_name' must be text (e.g. 年齢)")
    numbers = {k: node.get(k) for k in ("min", "max")}
    for key, value in numbers.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ctx.fail(node, what, f"'{key}' must be a number")
    decimals = _decimals(ctx, node, what, kind)
    return Question(
        id=qid, type=qtype, text=text, section_id=section_id, line=getattr(node, "line", 0), choice_list=choice_list,
        required=bool(node.get("required", False)), hint=(node.get("hint") or None),
        show_if=show_if, weighting=weighting, ordered=bool(ordered), minimum=numbers["min"], maximum=numbers["max"],
        decimals=decimals, max_length=int(node.get("max_length", 2000)), max_choices=node.get("max_choices"),
        short_name=short_name.strip() if short_name else None,
    )


def _decimals(ctx: _Ctx, node: dict, what: str, kind: QuestionType) -> int:
    """``decimals``: digits a number answer may have after the point; 0 (whole numbers) when absent."""
    value = node.get("decimals", 0)
    if value and not kind.numeric:
        raise ctx.fail(node, what, "'decimals' is for number questions")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DECIMALS:
        raise ctx.fail(node, what, f"'decimals' must be a whole number from 0 to {MAX_DECIMALS}")
    return value


def _show_if(ctx: _Ctx, node: dict, what: str, earlier: dict) -> ShowIf:
    cond = node["show_if"]
    target = ctx.require(cond, "question", f"{what} show_if")
    if target not in earlier:
        raise ctx.fail(cond, what, f"show_if refers to '{target}', which is not an earlier question")
    ref = earlier[target]
    if ref.choice_list is None:
        raise ctx.fail(cond, what, f"show_if refers to '{target}', which has no choices")
    codes = ctx.require(cond, "in", f"{what} show_if", list)
    bad = [c for c in codes if isinstance(c, bool) or not isinstance(c, int) or ref.choice_list.get(c) is None]
    if bad:
        raise ctx.fail(cond, what, f"show_if code(s) {bad} are not choices of '{target}'")
    return ShowIf(target, frozenset(codes))


def _target(ctx: _Ctx, node: object, what: str) -> Target | None:
    if node is None:
        return None
    if not isinstance(node, dict):
        raise ctx.fail(node, what, "must be {value: …, year: …}")
    value, year = node.get("value"), node.get("year")
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100):
        raise ctx.fail(node, what, "value must be a percentage between 0 and 100")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise ctx.fail(node, what, "year must be a fiscal year such as 2023")
    return Target(None if value is None else float(value), year)


def _number(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float))


def _published(ctx: _Ctx, node: dict[str, Any] | None, what: str) -> Published | None:
    """A baseline or history point: ``{value, year}`` plus optional ``se`` | ``n`` (+ ``deff``), ``base``, ``weighting``."""
    target = _target(ctx, node, what)
    if target is None or node is None:
        return None
    unknown = set(node) - {"value", "year", "se", "n", "deff", "base", "weighting"}
    if unknown:
        raise ctx.fail(node, what, f"unknown key(s) {sorted(unknown)} (use value, year, se, n, deff, base, weighting)")
    se, n, deff = node.get("se"), node.get("n"), node.get("deff")
    if se is not None and (not _number(se) or not 0 <= se <= 50):
        raise ctx.fail(node, what, "se must be a standard error in percentage points (0 to 50), like value")
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ctx.fail(node, what, "n must be the number of respondents (a positive whole number)")
    if se is not None and n is not None:
        raise ctx.fail(node, what, "give either se or n (with an optional deff), not both")
    if deff is not None and (n is None or not _number(deff) or deff <= 0):
        raise ctx.fail(node, what, "deff (a positive design effect) needs n")
    base, weighting = node.get("base"), node.get("weighting")
    if base is not None and base not in ("valid", "all"):
        raise ctx.fail(node, what, f"base must be 'valid' or 'all', not {base!r}")
    if weighting is not None and weighting not in WEIGHTINGS:
        raise ctx.fail(node, what, f"weighting must be one of {', '.join(WEIGHTINGS)}, not {weighting!r}")
    return Published(target.value, target.year, None if se is None else float(se), n,
                     None if deff is None else float(deff), base, weighting)


def _indicator(ctx: _Ctx, node: dict, questions: dict, seen: set) -> Indicator:
    iid = _check_id(ctx, node, node.get("id"), f"indicator {node.get('id')!r}", seen)
    what = f"indicator '{iid}'"
    qid = ctx.require(node, "question", what)
    if qid not in questions:
        raise ctx.fail(node, what, f"unknown question '{qid}'")
    question = questions[qid]
    if not question.kind.one_code:
        raise ctx.fail(node, what, f"question '{qid}' must be a single choice, not '{question.type}'")
    positive = ctx.require(node, "positive", what, list)
    bad = [c for c in positive if isinstance(c, bool) or not isinstance(c, int) or question.choice_list.get(c) is None]
    if bad:
        raise ctx.fail(node, what, f"positive code(s) {bad} are not choices of '{qid}'")
    base = node.get("base", "valid")
    if base not in ("valid", "all"):
        raise ctx.fail(node, what, f"base must be 'valid' or 'all', not {base!r}")
    history = node.get("history") or []
    if not isinstance(history, list):
        raise ctx.fail(node, what, "history must be a list of {value, year}")
    return Indicator(
        id=iid, question=qid, positive=frozenset(positive), base=base, title=ctx.require(node, "title", what),
        baseline=_published(ctx, node.get("baseline"), f"{what} baseline"),
        target=_target(ctx, node.get("target"), f"{what} target"),
        history=tuple(_history_point(ctx, h, f"{what} history") for h in history),
    )


def _history_point(ctx: _Ctx, node: dict[str, Any] | None, what: str) -> Published:
    point = _published(ctx, node, what)
    if point is None:  # an empty list item ("- ")
        raise ctx.fail(node, what, "each entry must be {value, year}")
    return point


def parse_instrument(text: str, path: str = "<string>") -> Instrument:
    ctx = _Ctx(path)
    try:
        doc = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else "?"
        raise InstrumentError(f"{path}:{line}: malformed YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(doc, dict):
        raise InstrumentError(f"{path}:1: instrument: the file must be a YAML mapping")
    survey_id = _check_id(ctx, doc, ctx.require(doc, "id", "instrument"), "instrument", pattern=SURVEY_ID_RE)
    what = f"instrument '{survey_id}'"
    version = ctx.require(doc, "version", what, int)
    languages = tuple(ctx.require(doc, "languages", what, list))
    known = known_languages()
    unknown = [lang for lang in languages if lang not in known]
    if unknown:
        raise ctx.fail(doc, what, f"unsupported language(s) {unknown} (supported: {', '.join(known)})")
    source = doc.get("source_language", locales.default())
    if source not in languages:
        raise ctx.fail(doc, what, f"source_language '{source}' is not among languages {list(languages)}")
    lists = _choice_lists(ctx, doc)
    sections: list[Section] = []
    questions: dict[str, Question] = {}
    section_ids: set[str] = set()
    question_ids: set[str] = set()
    for snode in ctx.require(doc, "sections", what, list):
        sid = _check_id(ctx, snode, snode.get("id") if isinstance(snode, dict) else None,
                        f"section {snode.get('id') if isinstance(snode, dict) else snode!r}", section_ids)
        qs = []
        for qnode in ctx.require(snode, "questions", f"section '{sid}'", list):
            if not isinstance(qnode, dict):
                raise ctx.fail(snode, f"section '{sid}'", "each question must be a mapping")
            q = _question(ctx, qnode, sid, lists, questions, question_ids)
            questions[q.id] = q
            qs.append(q)
        sections.append(Section(sid, ctx.require(snode, "title", f"section '{sid}'").strip(), tuple(qs)))
    indicator_ids: set[str] = set()
    indicators = tuple(_indicator(ctx, n, questions, indicator_ids) for n in (doc.get("indicators") or []))
    return Instrument(
        id=survey_id, version=version, title=ctx.require(doc, "title", what).strip(), source_language=source,
        languages=languages, privacy_notice=ctx.require(doc, "privacy_notice", what).strip(),
        contact=str(doc.get("contact", "")).strip(), choice_lists=lists, sections=tuple(sections),
        indicators=indicators, content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        source_text=text, path=path, allow_open=bool(doc.get("allow_open", True)),
    )


def load_instrument(path: str | Path) -> Instrument:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InstrumentError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise InstrumentError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_instrument(text, path.name)


@lru_cache(maxsize=64)
def parse_cached(text: str, name: str) -> Instrument:
    """Instruments stored in the database are parsed once per process."""
    return parse_instrument(text, name)


def bundled_path(survey_id: str = "ebetsu-2025") -> Path:
    return BUNDLED_DIR / f"{survey_id}.yaml"
