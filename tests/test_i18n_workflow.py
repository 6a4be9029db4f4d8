"""`machikoe translations extract|update|compile|check` on a copy of the instrument and catalogs."""
from __future__ import annotations

import io
import shutil
import unicodedata
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner

from survey_app.cli import main
from survey_app.i18n import catalogs
from survey_app.i18n.extract import messages_template
from survey_app.i18n.workflow import merge, read_catalog
from survey_app.instrument import bundled_path

REPO = Path(__file__).resolve().parents[1]
KURASHI = "あなたは、江別市は暮らしやすいまちだと思いますか。"
KURASHI_NEW = "あなたは、江別市は住みやすいまちだと思いますか。"


@pytest.fixture
def ws(tmp_path):
    """A copy of the bundled instrument and of translations/, and a runner pointed at them."""
    instrument = tmp_path / "ebetsu-2025.yaml"
    shutil.copy(bundled_path(), instrument)
    shutil.copytree(REPO / "translations", tmp_path / "translations",
                    ignore=shutil.ignore_patterns("*.mo"))

    def run(command: str, *args: str):
        argv = ["translations", command, "--instrument", str(instrument),
                "--translations-dir", str(tmp_path / "translations"), *args]
        return CliRunner().invoke(main, argv, catch_exceptions=False)

    run.instrument = instrument
    run.dir = tmp_path / "translations"
    yield run
    catalogs.clear_cache()


def po(run, locale: str, domain: str = "survey"):
    return read_catalog(run.dir / locale / "LC_MESSAGES" / f"{domain}.po", locale)


def save(run, catalog, locale: str, domain: str = "survey") -> None:
    with (run.dir / locale / "LC_MESSAGES" / f"{domain}.po").open("wb") as fh:
        write_po(fh, catalog, include_previous=True)


def reword(run, old: str, new: str) -> None:
    text = run.instrument.read_text(encoding="utf-8")
    assert old in text
    run.instrument.write_text(text.replace(old, new), encoding="utf-8")


def test_command_is_registered():
    result = CliRunner().invoke(main, ["translations", "--help"])
    assert result.exit_code == 0
    for command in ("extract", "update", "compile", "check"):
        assert command in result.output


def test_survey_catalogs_of_the_copy_pass(ws):
    result = ws("check", "--domain", "survey")
    assert result.exit_code == 0, result.output
    assert "survey: 77 entries checked in ja-x-easy, en, vi, ur" in result.output  # v2: the 4-point apply list is gone; + 4 short names


def test_rewording_a_question_fails_until_every_language_confirms_it(ws):
    reword(ws, KURASHI, KURASHI_NEW)
    failed = ws("check", "--domain", "survey")
    assert failed.exit_code == 1
    problems = [line for line in failed.output.splitlines() if "survey.po:" in line]
    assert sorted(problems) == sorted(
        f"{loc} survey.po: question:kurashiyasui: missing from the catalog (run: machikoe translations update)"
        for loc in ("ja-x-easy", "en", "vi", "ur"))

    assert ws("update", "--domain", "survey").exit_code == 0
    for locale in ("ja-x-easy", "en", "vi", "ur"):
        entry = po(ws, locale).get(KURASHI_NEW, "question:kurashiyasui")
        previous = [entry.previous_id] if isinstance(entry.previous_id, str) else list(entry.previous_id)
        assert entry.fuzzy and previous == [KURASHI] and entry.string   # the translator sees what changed
    ws("update", "--domain", "survey")               # a second update keeps the old wording shown
    assert po(ws, "vi").get(KURASHI_NEW, "question:kurashiyasui").previous_id == [KURASHI]
    after_update = ws("check", "--domain", "survey")
    assert after_update.exit_code == 1 and after_update.output.count("question:kurashiyasui: fuzzy") == 4

    for locale in ("ja-x-easy", "en", "vi"):         # three translators confirm; Urdu still pending
        catalog = po(ws, locale)
        catalog.get(KURASHI_NEW, "question:kurashiyasui").flags.discard("fuzzy")
        save(ws, catalog, locale)
    pending = ws("check", "--domain", "survey")
    assert pending.exit_code == 1 and "ur survey.po: question:kurashiyasui: fuzzy" in pending.output
    assert "en survey.po" not in pending.output and "vi survey.po" not in pending.output

    catalog = po(ws, "ur")
    catalog.get(KURASHI_NEW, "question:kurashiyasui").flags.discard("fuzzy")
    save(ws, catalog, "ur")
    assert ws("check", "--domain", "survey").exit_code == 0


def test_update_keeps_every_other_translation(ws):
    before = {loc: {(m.id, m.context): m.string for m in po(ws, loc) if m.id} for loc in ("en", "vi", "ur")}
    reword(ws, KURASHI, KURASHI_NEW)
    ws("update", "--domain", "survey")
    for loc, entries in before.items():
        after = {(m.id, m.context): m.string for m in po(ws, loc) if m.id}
        changed = {k for k in entries if after.get(k) != entries[k]}
        assert changed == {(KURASHI, "question:kurashiyasui")}


def test_removed_then_restored_text_comes_back_translated(ws):
    hint = "お名前や連絡先など、個人が分かることは書かないでください。"
    reword(ws, f"        hint: {hint}\n", "")
    ws("update", "--domain", "survey")
    assert po(ws, "vi").get(hint, "hint:comment") is None
    assert "#~ msgctxt \"hint:comment\"" in (ws.dir / "vi/LC_MESSAGES/survey.po").read_text(encoding="utf-8")
    shutil.copy(bundled_path(), ws.instrument)
    ws("update", "--domain", "survey")
    entry = po(ws, "vi").get(hint, "hint:comment")
    assert entry.string.startswith("Xin đừng viết tên") and not entry.fuzzy
    assert ws("check", "--domain", "survey").exit_code == 0


def test_missing_catalog_for_a_declared_language_fails(ws):
    (ws.dir / "vi" / "LC_MESSAGES" / "survey.po").unlink()
    result = ws("check", "--domain", "survey")
    assert result.exit_code == 1
    assert "vi survey.po:" in result.output and "no catalog for this language" in result.output


@pytest.mark.parametrize("locale, context, bad, reason", [
    ("ur", "choice:yes_no:1", "Ji haan", "not in Urdu (Arabic) script"),
    ("ur", "choice:yes_no:2", "جی نہیں (no)", None),                       # Latin inside (…) is fine
    ("ur", "section:health", "صحت health", "Latin-script words not in the source: health"),
    ("vi", "section:health", unicodedata.normalize("NFD", "Sức khỏe"), "not in Unicode NFC"),
    ("en", "section:health", "健康", "contains Japanese outside parentheses"),
    ("en", "choice:districts:2", "Nopporo (野幌) area", None),
    ("vi", "section:health", "", "untranslated"),
])
def test_script_and_completeness_rules(ws, locale, context, bad, reason):
    catalog = po(ws, locale)
    entry = next(m for m in catalog if m.context == context)
    entry.string = bad
    save(ws, catalog, locale)
    result = ws("check", "--domain", "survey", "--locale", locale)
    if reason is None:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 1
        assert f"{locale} survey.po: {context}: {reason}" in result.output


def test_mismatched_placeholders_fail(ws):
    catalog = po(ws, "vi", "messages")
    entry = catalog.get("Choose at most %(n)d answers.")
    entry.string = "Chỉ được chọn tối đa vài câu trả lời."
    save(ws, catalog, "vi", "messages")
    result = ws("check", "--domain", "messages", "--locale", "vi")
    assert result.exit_code == 1
    assert "'Choose at most %(n)d answers.' (survey_app/instrument/types.py:" in result.output
    assert "placeholders none instead of ['%(n)d']" in result.output


def test_extract_writes_templates_with_context_lines_and_comments(ws):
    result = ws("extract")
    assert result.exit_code == 0, result.output
    with (ws.dir / "survey.pot").open("rb") as fh:
        template = read_po(fh)
    entry = template.get(KURASHI, "question:kurashiyasui")
    line = next(i for i, text in enumerate(ws.instrument.read_text(encoding="utf-8").splitlines(), 1)
                if KURASHI in text)
    assert entry.locations == [("ebetsu-2025.yaml", line)]
    assert "section title: 江別市での暮らしについて" in " ".join(entry.auto_comments)
    choice = template.get("どちらかといえばそう思う", "choice:agree4:2")
    assert "Whole list: そう思う / どちらかといえばそう思う" in " ".join(choice.auto_comments)
    with (ws.dir / "messages.pot").open("rb") as fh:
        messages = read_po(fh)
    assert messages.get("Please answer this question.") is not None
    assert "python-format" in messages.get("Choose at most %(n)d answers.").flags


def test_extractor_entry_point_is_usable_by_babel():
    with bundled_path().open("rb") as fh:
        found = list(extract("machikoe_instrument", fh, comment_tags=("i18n:",)))
    contexts = {context for _line, _msg, _comments, context in found}
    assert {"question:kosodate", "choice:agree4:1", "section:living", "indicator:childcare",
            "privacy_notice", "hint:district"} <= contexts
    line, msg, comments, _ = next(f for f in found if f[3] == "question:kosodate")
    assert msg == "あなたは、江別市は子育て環境が充実していると思いますか。" and line > 1 and comments


def test_compile_writes_mo_files_that_the_loader_uses(ws, monkeypatch):
    result = ws("compile", "--domain", "survey")
    assert result.exit_code == 0 and "survey: vi 77 translations" in result.output
    mo = ws.dir / "vi" / "LC_MESSAGES" / "survey.mo"
    assert mo.exists()
    monkeypatch.setenv(catalogs.ENV_DIR, str(ws.dir))
    catalogs.clear_cache()
    translations = catalogs.get_translations("vi", "survey")
    assert translations.pgettext("choice:agree4:1", "そう思う") == "Đồng ý"


def test_bad_instrument_is_one_line_error(ws, tmp_path):
    missing = CliRunner().invoke(main, ["translations", "check", "--instrument", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 1 and "instrument file not found" in missing.output
    reword(ws, "choices: agree4\n        required: true", "choices: agree5\n        required: true")
    broken = ws("check", "--domain", "survey")
    assert broken.exit_code == 1
    assert "unknown choice list 'agree5'" in broken.output and "Traceback" not in broken.output


def test_the_real_tree_passes_check():
    """The shipped catalogs are complete for the bundled instrument and every interface string."""
    result = CliRunner().invoke(main, ["translations", "check"], catch_exceptions=False)
    assert result.exit_code == 0, result.output[-3000:]
    assert "translations OK" in result.output


def test_output_is_parseable_by_translator_tools(ws):
    ws("update")
    for path in ws.dir.glob("*/LC_MESSAGES/*.po"):
        catalog = read_po(io.BytesIO(path.read_bytes()))
        assert catalog.locale is not None and len(catalog) > 5


def test_update_is_idempotent_even_with_pending_fuzzy_entries(ws):
    reword(ws, KURASHI, KURASHI_NEW)
    ws("update")
    first = {p: p.read_bytes() for p in ws.dir.rglob("*.po*")}
    ws("update")
    second = {p: p.read_bytes() for p in ws.dir.rglob("*.po*")}
    assert first == second
    vi = (ws.dir / "vi/LC_MESSAGES/survey.po").read_text(encoding="utf-8")
    assert vi.count(f'#| msgid "{KURASHI}"') == 1 and "# |" not in vi


def test_a_changed_interface_msgid_arrives_empty_not_guessed():
    catalog = Catalog(locale="vi", domain="messages")
    catalog.add("Page", "Trang")
    template = Catalog(domain="messages")
    template.add("Paper")
    merged = merge(catalog, template, "messages")
    assert not merged.get("Paper").string and not merged.get("Paper").fuzzy
    assert merged.obsolete  # the old entry is kept for reference


def test_two_waves_share_one_catalog(ws):
    """Next year's instrument beside this one: a reworded question needs confirming for the new wave
    only; this year's confirmed translation stays in use."""
    wave2 = ws.instrument.with_name("ebetsu-2026.yaml")
    wave2.write_text(ws.instrument.read_text(encoding="utf-8").replace("id: ebetsu-2025", "id: ebetsu-2026")
                     .replace(KURASHI, KURASHI_NEW), encoding="utf-8")
    both = ["--instrument", str(ws.instrument), "--instrument", str(wave2)]
    failed = ws("check", "--domain", "survey", *both[2:])
    assert failed.exit_code == 1 and failed.output.count("question:kurashiyasui: missing") == 4
    ws("update", "--domain", "survey", *both[2:])
    catalog = po(ws, "vi")
    assert not catalog.get(KURASHI, "question:kurashiyasui").fuzzy
    assert catalog.get(KURASHI_NEW, "question:kurashiyasui").fuzzy
    assert ws("check", "--domain", "survey").exit_code == 0      # this year's file alone is complete


def test_messages_extraction_covers_python_and_jinja_forms(tmp_path):
    (tmp_path / "survey_app" / "web" / "templates").mkdir(parents=True)
    shutil.copy(REPO / "babel.cfg", tmp_path / "babel.cfg")
    (tmp_path / "survey_app" / "bot_texts.py").write_text(
        "# i18n: shown on the bot's first screen\n"
        "WELCOME = N_('Welcome')\n"
        "def f(locale, n):\n"
        "    gettext(locale, 'You have %(n)d answers', n=n)\n"
        "    ngettext(locale, 'one day left', '%(n)d days left', n, n=n)\n"
        "    pgettext('button', 'Open')\n"
        "    lazy_gettext('Lazy label')\n"
        "    gettext('Plain')\n"
        "    _('Underscore %(x)s', x=1)\n", encoding="utf-8")
    (tmp_path / "survey_app" / "web" / "templates" / "page.html").write_text(
        "{# i18n: page heading #}\n<h1>{{ _('Hello') }}</h1>\n"
        "{% trans count=n %}One question{% pluralize %}{{ count }} questions{% endtrans %}\n",
        encoding="utf-8")
    template = messages_template(tmp_path)
    found = {(m.id if isinstance(m.id, str) else tuple(m.id), m.context) for m in template if m.id}
    assert found >= {
        ("Welcome", None), ("You have %(n)d answers", None), (("one day left", "%(n)d days left"), None),
        ("Open", "button"), ("Lazy label", None), ("Plain", None), ("Underscore %(x)s", None), ("Hello", None),
        (("One question", "%(count)s questions"), None)}
    assert template.get("Welcome").auto_comments == ["shown on the bot's first screen"]
    assert template.get("Hello").auto_comments == ["page heading"]
    assert "python-format" in template.get("You have %(n)d answers").flags
    # the same process extracts again (as `translations check` then `update` do): what was read
    # before is remembered by content, so the comments come out the same and an edit shows
    again = messages_template(tmp_path)
    assert [(m.id, m.auto_comments, m.locations) for m in again] == [(m.id, m.auto_comments, m.locations)
                                                                      for m in template]
    (tmp_path / "survey_app" / "web" / "templates" / "page.html").write_text(
        "{# i18n: the heading, edited #}\n<h1>{{ _('Hello again') }}</h1>\n", encoding="utf-8")
    edited = messages_template(tmp_path)
    assert edited.get("Hello") is None and edited.get("Hello again").auto_comments == ["the heading, edited"]


def test_a_language_the_registry_lacks_is_refused_by_name():
    """``-l xx`` reported a missing catalog and told one to run ``update`` for a language there is none of."""
    result = CliRunner().invoke(main, ["translations", "check", "-l", "xx"])
    assert result.exit_code == 2 and "xx: not a language of the registry" in result.output
