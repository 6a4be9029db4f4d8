"""Catalogs loaded straight from .po (fuzzy and empty skipped), .mo when newer, and the helpers."""
from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from survey_app.i18n import catalogs
from survey_app.i18n.catalogs import clear_cache, get_translations, gettext, ngettext
from survey_app.i18n.checks import entry_problems
from survey_app.i18n.workflow import read_catalog
from survey_app.instrument import REQUIRED_MESSAGE

REPO_TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"


@pytest.fixture
def tdir(tmp_path, monkeypatch):
    """An empty translations directory that the catalog loader uses, looking at the files on
    every lookup (as if a second had passed each time; the once-a-second check has its own test)."""
    directory = tmp_path / "translations"
    directory.mkdir()
    monkeypatch.setenv(catalogs.ENV_DIR, str(directory))
    monkeypatch.setattr(catalogs, "RECHECK_SECONDS", 0.0)
    clear_cache()
    yield directory
    clear_cache()


def write_catalog(directory: Path, locale: str, domain: str, entries, ext: str = "po") -> Path:
    catalog = Catalog(locale=locale, domain=domain)
    for entry in entries:
        msgid, msgstr, *rest = entry
        flags = rest[0] if rest else ()
        catalog.add(msgid, msgstr, flags=flags, context=rest[1] if len(rest) > 1 else None)
    path = directory / locale / "LC_MESSAGES" / f"{domain}.{ext}"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        (write_po if ext == "po" else write_mo)(fh, catalog)
    return path


def test_po_is_read_without_compiling_and_fuzzy_or_empty_entries_are_skipped(tdir):
    write_catalog(tdir, "vi", "messages", [
        ("Next", "Tiếp theo"),
        ("Back", "Quay lại", ("fuzzy",)),
        ("Start", ""),
        (("%(n)d answer", "%(n)d answers"), ("%(n)d câu trả lời",)),
    ])
    t = get_translations("vi")
    assert t.gettext("Next") == "Tiếp theo"
    assert t.gettext("Back") == "Back"          # unconfirmed translation never shown
    assert t.gettext("Start") == "Start"
    assert ngettext("vi", "%(n)d answer", "%(n)d answers", 3, n=3) == "3 câu trả lời"


def test_pgettext_and_npgettext(tdir):
    write_catalog(tdir, "ur", "messages", [("Open", "کھولیں", (), "button"), ("Open", "کھلا", (), "status")])
    t = get_translations("ur")
    assert t.pgettext("button", "Open") == "کھولیں"
    assert t.pgettext("status", "Open") == "کھلا"
    assert t.gettext("Open") == "Open"
    assert t.npgettext("button", "file", "files", 2) == "files"


def test_source_language_and_missing_catalog_are_identity(tdir):
    assert get_translations("en").gettext("Next") == "Next"
    assert get_translations("ja", "survey").pgettext("question:x", "質問") == "質問"
    assert get_translations("vi").gettext("Next") == "Next"      # no catalog: English msgid
    assert get_translations("en").ngettext("a", "b", 2) == "b"


def test_gettext_applies_params_and_survives_a_broken_translation(tdir, caplog):
    write_catalog(tdir, "vi", "messages", [("Hello %(name)s", "Xin chào %(nam)s"), ("100%% sure", "Chắc 100%%")])
    with caplog.at_level(logging.WARNING):
        assert gettext("vi", "Hello %(name)s", name="An") == "Hello An"
    assert "placeholders" in caplog.text
    assert gettext("vi", "100%% sure") == "Chắc 100%%"       # no params: no formatting
    assert gettext("ja", "Enter a number of at least %(min)s.", min=1) == "Enter a number of at least 1."


def test_newer_mo_wins_and_edited_po_is_picked_up(tdir):
    po = write_catalog(tdir, "ja", "messages", [("Next", "次へ")])
    mo = write_catalog(tdir, "ja", "messages", [("Next", "次へ進む")], ext="mo")
    os.utime(po, (1_000_000, 1_000_000))
    assert get_translations("ja").gettext("Next") == "次へ進む"
    os.utime(mo, (900_000, 900_000))                       # the .po was edited after compiling
    assert get_translations("ja").gettext("Next") == "次へ"


def test_cache_returns_the_same_object_until_a_file_changes(tdir):
    po = write_catalog(tdir, "vi", "messages", [("Next", "Tiếp")])
    first = get_translations("vi")
    assert get_translations("vi") is first
    write_catalog(tdir, "vi", "messages", [("Next", "Tiếp theo")])
    os.utime(po, (2_000_000_000, 2_000_000_000))
    assert get_translations("vi").gettext("Next") == "Tiếp theo"


def test_files_are_looked_at_again_once_a_second_or_when_the_cache_is_cleared(tdir, monkeypatch):
    """A page must not stat() every catalog on every request, yet an edit shows without a restart."""
    monkeypatch.setattr(catalogs, "RECHECK_SECONDS", 3600.0)
    po = write_catalog(tdir, "vi", "messages", [("Next", "Tiếp")])
    first, generation = get_translations("vi"), catalogs.generation()
    write_catalog(tdir, "vi", "messages", [("Next", "Tiếp theo")])
    os.utime(po, (2_000_000_000, 2_000_000_000))
    assert get_translations("vi") is first                  # within the window: not looked at
    assert catalogs.generation() == generation
    monkeypatch.setattr(catalogs, "RECHECK_SECONDS", 0.0)   # the window has passed
    assert get_translations("vi").gettext("Next") == "Tiếp theo"
    assert catalogs.generation() > generation               # what was made from the old one is stale
    monkeypatch.setattr(catalogs, "RECHECK_SECONDS", 3600.0)
    write_catalog(tdir, "vi", "messages", [("Next", "Kế tiếp")])
    os.utime(po, (2_000_000_100, 2_000_000_100))
    clear_cache()                                           # `machikoe translations` commands clear it
    assert get_translations("vi").gettext("Next") == "Kế tiếp"


def test_a_locale_with_fallbacks_is_chained_once_while_its_catalogs_stay(tdir):
    write_catalog(tdir, "ja", "messages", [("Next", "次へ")])
    easy = get_translations("ja-x-easy")
    assert easy is get_translations("ja-x-easy")
    assert easy.gettext("Next") == "次へ"                    # from the fallback


def test_a_malformed_po_shows_the_source_text_instead_of_failing(tdir, caplog):
    path = tdir / "ur" / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True)
    path.write_bytes(b'msgid "Next"\nmsgstr "\xff\xfe\n')
    with caplog.at_level(logging.ERROR):
        assert get_translations("ur").gettext("Next") == "Next"


def test_repository_catalogs_translate_the_validation_messages(monkeypatch, tmp_path):
    shutil.copytree(REPO_TRANSLATIONS, tmp_path / "t")
    monkeypatch.setenv(catalogs.ENV_DIR, str(tmp_path / "t"))
    clear_cache()
    assert gettext("ja", REQUIRED_MESSAGE) == "この質問にお答えください。"
    assert gettext("vi", REQUIRED_MESSAGE) == "Vui lòng trả lời câu hỏi này."
    assert gettext("ur", REQUIRED_MESSAGE) == "براہِ کرم اس سوال کا جواب دیں۔"
    assert gettext("vi", "Choose at most %(n)d answers.", n=2) == "Chỉ được chọn tối đa 2 câu trả lời."
    assert gettext("en", REQUIRED_MESSAGE) == REQUIRED_MESSAGE
    clear_cache()


@pytest.mark.parametrize("locale", ["ja", "vi", "ur"])
def test_every_translated_interface_string_is_in_the_right_script(locale):
    """Whatever is translated already passes the script rules (completeness is the real-tree check's job)."""
    catalog = read_catalog(REPO_TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    translated = [m for m in catalog if m.id and m.string and not m.fuzzy]
    assert len(translated) >= 30
    bad = {m.id: entry_problems(locale, "messages", m, m) for m in translated}
    assert {k: v for k, v in bad.items() if v} == {}
