"""The core CLI: setup, surveys, population, invitations, demo — and its one-line errors."""
from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey_app import codes
from survey_app.instrument import bundled_path
from survey_app.models import AuditEvent, DesignStratum, Invitation, Response
from tests.support.db import TEST_SECRET


def test_setup_is_idempotent_and_loads_everything(cli):
    first = cli("setup")
    assert first.exit_code == 0, first.output
    assert "survey 'ebetsu-2025': created" in first.output
    again = cli("setup")
    assert again.exit_code == 0 and "unchanged" in again.output
    listed = cli("survey", "list")
    assert "ebetsu-2025\tv2" in listed.output
    shown = cli("population", "show", "--survey", "ebetsu-2025")
    assert "age_band,6,29000" in shown.output


def test_survey_validate(cli, tmp_path):
    ok = cli("survey", "validate", str(bundled_path()))
    assert ok.exit_code == 0 and "16 questions, 5 indicators" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(bundled_path().read_text(encoding="utf-8").replace("choices: agree4\n        required: true",
                                                                       "choices: agree5\n        required: true"),
                   encoding="utf-8")
    result = cli("survey", "validate", str(bad))
    assert result.exit_code == 1
    line = next(i for i, text in enumerate(bad.read_text(encoding="utf-8").splitlines(), 1)
                if "id: kurashiyasui" in text)
    assert result.output.strip() == f"Error: bad.yaml:{line}: question 'kurashiyasui': unknown choice list 'agree5'"


def test_unknown_survey_is_one_clear_line(cli):
    cli("setup")
    result = cli("population", "import", "--survey", "nope", str(bundled_path()))
    assert result.exit_code == 1
    assert result.output.strip() == "Error: unknown survey 'nope' (loaded: ebetsu-2025)"


@pytest.mark.parametrize("args", [("indicators", "--survey", "x", "--format", "docx"),
                                  ("staff", "create", "--role", "boss", "a@city.example"),
                                  ("report", "--survey", "x", "--format", "docx", "--output", "r.pdf"),
                                  ("nosuch",), ("survey", "list", "--colour")], ids=lambda a: a[0])
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # refused before any database is opened
def test_a_wrong_flag_or_value_is_one_line_naming_it_and_the_help(cli, args):
    """click printed a usage block and a hint before the error (four lines) for every command but report."""
    result = cli(*args)
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1, result.output
    assert lines[0].startswith("Error: ") and lines[0].endswith("--help)") and "Usage:" not in result.output


def test_population_import_errors(cli, tmp_path):
    cli("setup")
    sjis = tmp_path / "sjis.csv"
    sjis.write_bytes("dimension,category,count\nage_band,1,10\n# 合計\n".encode("cp932"))
    result = cli("population", "import", "--survey", "ebetsu-2025", str(sjis))
    assert result.exit_code == 1 and "line 3" in result.output and "Shift_JIS" in result.output
    ok = cli("population", "import", "--survey", "ebetsu-2025", "--encoding", "cp932", str(sjis))
    assert ok.exit_code == 1 and "line 3" in ok.output  # '# 合計' is not a weighting question
    good = tmp_path / "good.csv"
    good.write_text("dimension,category,count\nage_band,1,10\nage_band,2,20\n", encoding="utf-8")
    result = cli("population", "import", "--survey", "ebetsu-2025", str(good))
    assert result.exit_code == 0 and "2 cells imported" in result.output


def test_invitations_create_writes_codes_once(cli, tmp_path, db_url):
    cli("setup")
    frame = tmp_path / "frame.csv"
    frame.write_text("age_band,sex,district\n1,1,1\n6,2,3\n3,1,2\n", encoding="utf-8")
    out = tmp_path / "letters.csv"
    result = cli("invitations", "create", "--survey", "ebetsu-2025", "--frame", str(frame), "--out", str(out),
                 "--base-url", "https://survey.example.jp", "--bot-username", "EbetsuSurveyBot")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert len(rows) == 3 and all(codes.check(r["code"])[0] == "valid" for r in rows)
    assert rows[1]["age_band"] == "6" and rows[1]["web_url"].startswith("https://survey.example.jp/s/ebetsu-2025/?code=")
    assert rows[0]["telegram_url"].startswith("https://t.me/EbetsuSurveyBot?start=")
    from survey_app.db import engine_for
    with Session(engine_for(db_url)) as s:
        stored = list(s.scalars(select(Invitation)))
        # only HMACs of the codes are stored, never the codes
        assert {i.code_hmac for i in stored} == {codes.invitation_hmac(TEST_SECRET, r["code"]) for r in rows}
        assert not any(r["code"] in repr(i.__dict__) for i in stored for r in rows)
        created = s.scalars(select(AuditEvent).where(AuditEvent.action == "invitations_create")).one()
        assert (created.actor, created.detail) == ("cli", {"count": 3, "batch": "frame.csv"})  # as the console's
    again = cli("invitations", "create", "--survey", "ebetsu-2025", "--frame", str(frame), "--out", str(out))
    assert again.exit_code == 1 and "exists" in again.output


def test_a_letters_file_that_cannot_be_written_stores_no_code(cli, tmp_path, db_url):
    """The codes were committed before the file was written: a folder that refuses the file (here
    /proc, which refuses even root), a full disk, lost them all and counted them as letters sent."""
    cli("setup")
    frame = tmp_path / "frame.csv"
    frame.write_text("age_band,sex,district\n1,1,1\n6,2,3\n", encoding="utf-8")
    result = cli("invitations", "create", "--survey", "ebetsu-2025", "--frame", str(frame),
                 "--out", "/proc/letters.csv", "--base-url", "https://survey.example.jp")
    assert result.exit_code == 1 and "cannot write the letters file" in result.output
    assert "no code was stored" in result.output and "Traceback" not in result.output
    from survey_app.db import engine_for
    with Session(engine_for(db_url)) as s:
        assert s.scalar(select(func.count()).select_from(Invitation)) == 0
        assert s.scalar(select(func.count()).select_from(DesignStratum)) == 0
    assert not list(tmp_path.glob(".*.part"))


@pytest.mark.parametrize(("given", "link"), [("@EbetsuSurveyBot", "https://t.me/EbetsuSurveyBot?start="),
                                             ("@@ bad", None), ("ebetsu_survey", None), ("EbetsuSurveyBot", "")])
def test_the_bot_username_is_checked_before_any_code_exists(cli, tmp_path, db_url, given, link):
    """'@name' was printed as t.me/@name and '@@ bad' as it was typed: links that open no chat."""
    cli("setup")
    frame = tmp_path / "frame.csv"
    frame.write_text("age_band,sex,district\n1,1,1\n", encoding="utf-8")
    out = tmp_path / "letters.csv"
    result = cli("invitations", "create", "--survey", "ebetsu-2025", "--frame", str(frame), "--out", str(out),
                 "--base-url", "https://survey.example.jp", "--bot-username", given)
    if link is None:
        assert result.exit_code == 1 and "is not a Telegram bot's username" in result.output
        assert not out.exists()
        return
    assert result.exit_code == 0, result.output
    row = next(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert row["telegram_url"].startswith(link or "https://t.me/EbetsuSurveyBot?start=")


def test_letters_file_links_come_from_public_base_url_and_a_local_address_is_warned(cli, tmp_path, monkeypatch):
    """The letters CSV goes to the print vendor: links to this computer's own address would reach no resident."""
    cli("setup")
    frame = tmp_path / "frame.csv"
    frame.write_text("age_band,sex,district\n1,1,1\n", encoding="utf-8")
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    local = cli("invitations", "create", "--survey", "ebetsu-2025", "--frame", str(frame), "--out", str(tmp_path / "a.csv"))
    assert local.exit_code == 0 and "1 invitation code created" in local.output
    assert "warning: the file's web_url links will not work for residents" in local.output
    assert "'http://localhost:5000' only works on this computer: set --base-url or PUBLIC_BASE_URL" in local.output
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://survey.example.jp")
    public = cli("invitations", "create", "--survey", "ebetsu-2025", "--frame", str(frame), "--out", str(tmp_path / "b.csv"))
    assert public.exit_code == 0 and "warning" not in public.output
    row = next(csv.DictReader((tmp_path / "b.csv").open(encoding="utf-8-sig")))
    assert row["web_url"].startswith("https://survey.example.jp/s/ebetsu-2025/?code=")


def test_invitation_frame_refuses_personal_columns(cli, tmp_path):
    cli("setup")
    frame = tmp_path / "frame.csv"
    frame.write_text("name,age_band\n江別太郎,1\n", encoding="utf-8")
    result = cli("invitations", "create", "--survey", "ebetsu-2025", "--frame", str(frame),
                 "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 1 and "line 1: Unknown column(s): name" in result.output
    frame.write_text("age_band\n9\n", encoding="utf-8")
    result = cli("invitations", "create", "--survey", "ebetsu-2025", "--frame", str(frame),
                 "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 1 and "line 2: '9' is not a code of 'age_band'" in result.output


def test_demo_has_older_residents_answering_more(cli, db_url):
    cli("setup")
    result = cli("demo", "--responses", "600", "--seed", "3")
    assert result.exit_code == 0, result.output
    from survey_app.db import engine_for
    from survey_app.models import Answer
    with Session(engine_for(db_url)) as s:
        assert s.scalar(select(func.count()).select_from(Response).where(Response.status == "complete")) == 600
        ages = dict(s.execute(select(Answer.code, func.count()).where(Answer.question_id == "age_band")
                              .group_by(Answer.code)).all())
    # population: 15,500 aged 18-29 vs 29,000 aged 70+; response propensity 1.0 vs 2.8
    assert ages[6] / ages[1] > 3.5
    bad = cli("demo", "--responses", "0")
    assert bad.exit_code == 2 and "0 is not in the range" in bad.output
