"""The language registry is the one list of languages: a new entry shows up everywhere."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from bot_memory_port import MemoryPort

from analysis import Options, compute
from analysis.breakdown import BY_LOCALE
from analysis.frame import frame_from_csv
from bot.engine import Engine
from bot.events import Start
from bot.states import Conversation
from survey_app import codes
from survey_app.i18n import locales
from survey_app.i18n.checks import check
from survey_app.i18n.workflow import Workspace
from survey_app.instrument import InstrumentError, bundled_path, load_instrument, parse_instrument
from survey_app.instrument.loader import known_languages
from survey_app.invitations import Letter
from survey_app.letter_pdf import letter_setup, letters_html

ROOT = Path(__file__).resolve().parents[1]
ESPERANTO = locales.LocaleInfo("eo", "Esperanto", "Esperanto", "Latn", fonts=("sans-serif",))


def _with_language(tag: str) -> str:
    text = bundled_path().read_text(encoding="utf-8")
    return re.sub(r"^languages: \[(.*)\]$", lambda m: f"languages: [{m.group(1)}, {tag}]", text, count=1,
                  flags=re.MULTILINE)


def test_the_registry_lists_every_locale_once_with_what_the_code_needs():
    tags = locales.supported()
    assert tags[0] == locales.default() == "ja" and len(set(tags)) == len(tags)
    for entry in locales.registry():
        assert entry.native_name and entry.script in {"Jpan", "Latn", "Arab"}
        assert entry.direction in {"ltr", "rtl"} and entry.fonts
        assert all(fallback in tags for fallback in entry.fallbacks)
    assert locales.direction("ur") == "rtl" and locales.staff_locales() == ("ja", "en")


def test_an_unknown_language_is_refused_by_the_loader_until_registered():
    with pytest.raises(InstrumentError, match="unsupported language"):
        parse_instrument(_with_language("eo"))
    with locales.registered(ESPERANTO):
        assert "eo" in known_languages()
        assert "eo" in parse_instrument(_with_language("eo")).languages
    assert "eo" not in locales.supported()


def test_a_registered_language_is_in_the_bot_chooser_and_negotiation():
    with locales.registered(ESPERANTO):
        instrument = parse_instrument(_with_language("eo"))
        _, out = Engine(instrument).handle(Conversation(), Start(None, "eo"), MemoryPort(instrument))
        labels = [b.label for row in out.messages[0].buttons for b in row]
        assert labels[0] == "✓ Esperanto" and "日本語" in labels
        assert locales.negotiate("eo, en;q=0.5") == "eo"
    assert locales.negotiate("eo, en;q=0.5") == "en"


def test_a_registered_language_is_in_the_web_language_menu(client):
    with locales.registered(ESPERANTO):
        page = client.get("/?lang=eo").get_data(as_text=True)
        assert "Esperanto" in page and 'lang="eo"' in page


def test_a_registered_language_without_catalogs_fails_the_translations_check(tmp_path):
    ws = Workspace(translations=ROOT / "translations", instruments=(bundled_path(),))
    with locales.registered(ESPERANTO):
        assert "eo" in ws.languages("messages")
        problems, _ = check(ws, ("messages",), only=("eo",))
        assert any("no catalog for this language" in p.reason for p in problems)


def test_a_registered_language_is_a_group_of_the_locale_breakdown_by_its_own_name():
    with locales.registered(ESPERANTO):
        instrument = parse_instrument(_with_language("eo"))
        answers = "".join(f"{1 + i % 4},{tag}\n" for i, tag in enumerate(["ja"] * 10 + ["eo"] * 10))
        frame = frame_from_csv("kurashiyasui,locale\n" + answers, instrument)
        result = compute(frame, options=Options(by=(BY_LOCALE,), strict=False))
    groups = {g.category: g for g in result.indicators[0].groups}
    assert groups["eo"].label == "Esperanto" and groups["eo"].n == 10 and groups["ja"].label == "日本語"


def test_a_registered_language_has_its_line_on_the_printed_letter():
    setup = letter_setup({"sender": "江別市長", "contact_office": "企画政策課", "contact_phone": "011-381-1010",
                          "contact_hours": "平日 8:45〜17:15", "response_deadline": "2026-01-31",
                          "letter_date": "2026-01-09"}, "https://survey.city.example", None)
    with locales.registered(ESPERANTO):
        page = letters_html([Letter(codes.generate(), {})], parse_instrument(_with_language("eo")), setup)
    assert '<li lang="eo" dir="ltr">' in page and "011-381-1010</bdi>" in page.split('lang="eo"')[1]


def test_readme_language_table_is_the_registrys():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert locales.markdown_table() in readme


TAG = r"""["'](?:ja|ja-x-easy|en|vi|ur)["']"""
LITERALS = (
    re.compile(rf"[\(\[]\s*{TAG}\s*,\s*{TAG}"),  # a list or tuple of language tags
    re.compile(rf"\b(?:lang|locale)\s*(?:==|!=)\s*{TAG}"),  # a test against one tag
    # Japanese as the default: of a parameter, a fallback, a request argument, a printed page
    re.compile(r"""\b(?:lang|locale)\s*:\s*str\s*=\s*["']ja["']|\bor\s+["']ja["']|default=["']ja["']"""),
    re.compile(r"""get\(["'](?:lang|locale)["'],\s*["']ja["']\)|<html lang="ja">"""),
)


def test_no_literal_language_lists_or_default_tags_outside_the_registry():
    sources = [p for folder in ("survey_app", "bot", "analysis") for pattern in ("*.py", "*.html")
               for p in (ROOT / folder).rglob(pattern) if p.name != "locales.py"]
    offenders = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in sources for literal in LITERALS
                 for m in literal.finditer(p.read_text(encoding="utf-8"))]
    assert offenders == []
    assert load_instrument(bundled_path()).languages[0] == locales.default()
