"""`machikoe translations propose-readings`: pykakasi proposes {漢字|かんじ} for kanji without a reading in
やさしい日本語; the entries become fuzzy, are never shown or compiled, and `check` lists them until a person
confirms them. Always on a copy of translations/ (the repository's catalogs are never touched)."""
from __future__ import annotations

import gettext
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from survey_app.cli import main
from survey_app.i18n import catalogs, ruby
from survey_app.i18n.readings import propose, pykakasi_reader
from survey_app.i18n.workflow import Workspace, compile_catalogs, read_catalog, write_catalog
from survey_app.instrument import bundled_path
from survey_app.letter_languages import OTHER_LANGUAGE

REPO = Path(__file__).resolve().parents[1]
EASY = "ja-x-easy"


@pytest.mark.parametrize(("text", "expected"), [
    ("取り扱いを読んでください。", "{取|と}り{扱|あつか}いを{読|よ}んでください。"),
    ("{今日|きょう}は雨です。", "{今日|きょう}は{雨|あめ}です。"),  # a written reading is kept as it is
    ("%(count)d人が答えました。", "%(count)d{人|にん}が{答|こた}えました。"),  # placeholders are not read
    ("ウェブで回答", "ウェブで{回答|かいとう}"),
    ("ひらがなと カタカナだけ", "ひらがなと カタカナだけ"),
])
def test_proposals_cover_every_kanji_and_keep_markup_and_placeholders(text, expected):
    proposed = propose(text, pykakasi_reader())
    assert proposed == expected
    assert ruby.unread_kanji(proposed) == [] and ruby.bad_groups(proposed) == []
    assert ruby.kana_in_groups(proposed) == []  # readings over the kanji alone, as the catalogs now are
    assert ruby.plain(proposed) == ruby.plain(text)  # only readings were added


@pytest.mark.parametrize(("text", "flagged"), [
    ("{思う|おもう}", ["{思う|おもう}"]), ("{お願い|おねがい}", ["{お願い|おねがい}"]),
    ("{思|おも}う", []), ("お{願|ねが}い", []), ("{今日|きょう}", []), ("{一人|ひとり}", []),
])
def test_okurigana_belong_outside_the_ruby_group(text, flagged):
    """Readings over whole words (思う/おもう) put furigana over kana that need none once a narrow
    phone wraps the word: ``check`` asks for {思|おも}う."""
    assert ruby.kana_in_groups(text) == flagged


@pytest.fixture
def copy(tmp_path):
    instrument = tmp_path / "ebetsu-2025.yaml"
    shutil.copy(bundled_path(), instrument)
    shutil.copytree(REPO / "translations", tmp_path / "translations", ignore=shutil.ignore_patterns("*.mo"))
    yield Workspace(translations=tmp_path / "translations", instruments=(instrument,))
    catalogs.clear_cache()


def run(ws: Workspace, command: str, *args: str):
    argv = ["translations", command, "--instrument", str(ws.instruments[0]),
            "--translations-dir", str(ws.translations), *args]
    return CliRunner().invoke(main, argv, catch_exceptions=False)


def strip_readings(ws: Workspace, domain: str, pick) -> tuple[object, str, str]:
    """Drop the readings of one confirmed entry (as a translator who typed kanji would leave it)."""
    path = ws.po_path(EASY, domain)
    catalog = read_catalog(path, EASY)
    entry = next(m for m in catalog if m.id and pick(m))
    confirmed = entry.string
    entry.string = ruby.plain(confirmed)
    write_catalog(path, catalog)
    return (entry.id, entry.context), confirmed, entry.string


def strings(ws: Workspace, domain: str) -> dict:
    return {(m.id, m.context): (m.string, m.fuzzy) for m in read_catalog(ws.po_path(EASY, domain), EASY) if m.id}


def test_proposals_are_fuzzy_listed_and_never_published_until_confirmed(copy):
    ws = copy
    message_key, _confirmed, typed = strip_readings(ws, "messages", lambda m: m.id == OTHER_LANGUAGE)
    survey_key, _survey_confirmed, survey_typed = strip_readings(
        ws, "survey", lambda m: ruby.has_markup(m.string) and "%" not in m.string)
    before = {d: strings(ws, d) for d in ("messages", "survey")}
    assert run(ws, "check", "--locale", EASY).exit_code == 1  # kanji without a reading

    dry = run(ws, "propose-readings", "--dry-run")
    assert dry.exit_code == 0 and "2 entries" in dry.output
    assert {d: strings(ws, d) for d in ("messages", "survey")} == before  # a dry run changes nothing

    result = run(ws, "propose-readings")
    assert result.exit_code == 0, result.output
    after = {d: strings(ws, d) for d in ("messages", "survey")}
    proposed, fuzzy = after["messages"][message_key]
    assert fuzzy and ruby.unread_kanji(proposed) == [] and ruby.plain(proposed) == typed
    survey_proposed, survey_fuzzy = after["survey"][survey_key]
    assert survey_fuzzy and ruby.unread_kanji(survey_proposed) == [] and ruby.plain(survey_proposed) == survey_typed
    for domain, key in (("messages", message_key), ("survey", survey_key)):
        del after[domain][key], before[domain][key]
    assert after == before  # every other entry, and every reading already written, untouched

    # file:line  before → after, the line being the entry's in the rewritten catalog
    report = [line for line in result.output.splitlines() if " → " in line]
    assert len(report) == 2 and f"{typed} → {proposed}" in result.output
    where, line = next(r for r in report if "messages.po" in r).split(": ", 1)[0].rsplit(":", 1)
    assert read_catalog(Path(where), EASY).get(OTHER_LANGUAGE).lineno == int(line)

    check = run(ws, "check", "--locale", EASY)
    assert check.exit_code == 1
    assert "fuzzy: check the proposed readings" in check.output and "2 translation problem(s)" in check.output

    # Not published: the loaded catalog falls back (Japanese), the compiled one leaves it out.
    catalogs.clear_cache()
    shown = catalogs.get_translations(EASY, directory=ws.translations).gettext(OTHER_LANGUAGE)
    assert shown != proposed and not ruby.has_markup(shown)
    compile_catalogs(ws, "messages", (EASY,))
    with (ws.po_path(EASY, "messages").with_suffix(".mo")).open("rb") as fh:
        assert gettext.GNUTranslations(fh).gettext(OTHER_LANGUAGE) == OTHER_LANGUAGE

    # A person confirms (corrects if needed, removes the flag): now shown, and check passes.
    for domain in ("messages", "survey"):
        path = ws.po_path(EASY, domain)
        catalog = read_catalog(path, EASY)
        for message in catalog:
            message.flags.discard("fuzzy")
        write_catalog(path, catalog)
    catalogs.clear_cache()
    (ws.po_path(EASY, "messages").with_suffix(".mo")).unlink()
    assert catalogs.get_translations(EASY, directory=ws.translations).gettext(OTHER_LANGUAGE) == proposed
    assert run(ws, "check", "--locale", EASY).exit_code == 0
    assert run(ws, "propose-readings").output.startswith("0 entries")
