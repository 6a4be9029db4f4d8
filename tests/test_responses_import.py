"""``machikoe responses import`` (issue 11): vendor and paper returns, all or nothing, errors by line."""
from __future__ import annotations

from sqlalchemy import func, select

from survey_app import responses
from survey_app.invitations import create_invitations
from survey_app.models import Invitation, Response
from tests.support.survey import SURVEY_OPTION

HEADER = "code,kurashiyasui,kosodate,age_band,sex,district,kosodate_needs\n"


def letters(session, instrument, secret, n=3):
    frame = [{"age_band": 2 + i, "sex": 1, "district": 1 + i % 3} for i in range(n)]
    return [letter.code for letter in create_invitations(session, instrument, secret, frame)]


def count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Response))


def test_a_clean_file_is_stored_invited_and_open(cli, session, instrument, secret, tmp_path):
    a, b, _c = letters(session, instrument, secret)
    path = tmp_path / "returns.csv"
    header = HEADER.replace("kosodate_needs", "has_children,kosodate_needs")  # kosodate_needs: if children
    path.write_text(header + f"{a},1,2,2,1,1,1,1;3\n,4,9,5,2,3,,\n{b.lower()},2,,3,2,2,2,\n", encoding="utf-8")
    result = cli("responses", "import", *SURVEY_OPTION, "--channel", "paper", str(path))
    assert result.exit_code == 0, result.output
    assert "3 responses imported" in result.output and "(2 invited, 1 open)" in result.output
    stored = session.scalars(select(Response).order_by(Response.id)).all()
    assert sorted((r.source, r.channel, r.status) for r in stored) == [
        ("invited", "paper", "complete"), ("invited", "paper", "complete"), ("open", "paper", "complete")]
    strata = sorted((r.stratum for r in stored), key=len)
    assert strata[0] == {} and {"age_band": 2, "sex": 1, "district": 1} in strata
    # one time for the whole file, rows in a random order: nothing lines a reply up with its letter
    assert len({(r.started_at, r.submitted_at) for r in stored}) == 1
    from survey_app.models import AuditEvent

    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "responses_import")).one()
    assert event.actor == "cli" and event.detail == {"invited": 2, "open": 1, "channel": "paper",
                                                     "file": "returns.csv"}
    # the letters' rows carry no mark of use (issue 14): the responses' access keys make the codes used
    assert not {"used_at", "used_channel"} & set(Invitation.__table__.columns.keys())
    again = cli("responses", "import", *SURVEY_OPTION, "--channel", "paper", str(path))
    assert again.exit_code == 1 and "already used (paper)" in again.output and "nothing was stored" in again.output
    assert count(session) == 3


def test_an_answer_the_form_skips_is_refused_by_line_not_dropped(cli, session, instrument, tmp_path):
    """kosodate_needs applies only to residents with children: answered under has_children 2 (or blank),
    it used to vanish without a word."""
    header = HEADER.replace("kosodate_needs", "has_children,kosodate_needs")
    path = tmp_path / "returns.csv"
    path.write_text(header + ",1,2,2,1,1,1,1;3\n,1,2,2,1,1,2,1;3\n,1,2,2,1,1,,4\n", encoding="utf-8")
    result = cli("responses", "import", *SURVEY_OPTION, "--channel", "paper", str(path))
    assert result.exit_code == 1 and "nothing was stored" in result.output
    for line in (3, 4):
        assert (f"line {line}: 'kosodate_needs': answered, but an earlier answer on this form skips the question"
                in result.output), result.output
    assert "line 2:" not in result.output and count(session) == 0


def test_errors_are_reported_by_line_and_nothing_is_stored(cli, session, instrument, secret, tmp_path):
    a, _b, _c = letters(session, instrument, secret)
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + f"{a},1,2,2,1,1,\n,7,1,2,1,1,\n{a},1,1,2,1,1,\nABCD,1,1,2,1,1,\n,,1,2,1,1,\n",
                    encoding="utf-8")
    result = cli("responses", "import", *SURVEY_OPTION, "--channel", "paper", str(path))
    assert result.exit_code == 1
    out = result.output
    assert "line 3: 'kurashiyasui'" in out and "line 4: code" in out and "also on line 2" in out
    assert "line 5: 'ABCD' is not a valid invitation code" in out
    assert "line 6: 'kurashiyasui': an answer is required" in out and "(4 error(s); nothing was stored)" in out
    assert count(session) == 0


def test_a_code_already_used_on_the_web_is_refused(cli, session, instrument, secret, tmp_path):
    a, _b, _c = letters(session, instrument, secret)
    responses.start(session, instrument, secret=secret, channel="web", locale="ja", code=a)
    path = tmp_path / "r.csv"
    path.write_text(HEADER + f"{a},1,2,2,1,1,\n", encoding="utf-8")
    result = cli("responses", "import", *SURVEY_OPTION, "--channel", "paper", str(path))
    assert result.exit_code == 1 and "already used (web)" in result.output
    assert count(session) == 1


def test_unknown_columns_refuse_the_file(cli, instrument, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("code,favourite\n,1\n", encoding="utf-8")
    result = cli("responses", "import", *SURVEY_OPTION, "--channel", "web", str(path))
    assert result.exit_code == 1 and "Unknown column(s): favourite" in result.output


def test_a_quotation_mark_left_open_refuses_the_file_naming_its_line(cli, session, instrument, tmp_path):
    """Left open, it swallowed every later line into one comment: 1 response imported of 3, exit 0."""
    header = "kurashiyasui,age_band,sex,district,comment\n"
    path = tmp_path / "quotes.csv"
    path.write_text(header + '1,2,1,1,よい\n1,2,1,1,"unterminated\n2,3,2,2,ふつう\n', encoding="utf-8")
    result = cli("responses", "import", *SURVEY_OPTION, "--channel", "paper", str(path))
    assert result.exit_code == 1 and "line 3: A quotation mark opened on this line is never closed" in result.output
    assert "end of data" not in result.output and count(session) == 0
    path.write_text(header + '1,2,1,1,"say ""hi"" twice"\n1,2,1,1,"a "bad" quote"\n', encoding="utf-8")
    result = cli("responses", "import", *SURVEY_OPTION, "--channel", "paper", str(path))
    assert result.exit_code == 1 and "line 3: A quotation mark inside a quoted value must be doubled" in result.output
    path.write_text(header + '1,2,1,1,"two\nlines"\n1,2,1,1,ok\n', encoding="utf-8")  # a quoted line break is fine
    assert cli("responses", "import", *SURVEY_OPTION, "--channel", "paper", str(path)).exit_code == 0
    assert count(session) == 2


def test_rows_are_stored_in_a_random_order(cli, session, instrument, secret, tmp_path):
    """A vendor keys returns in letter order: ids rising with the file gave each reply its letter back."""
    codes = letters(session, instrument, secret, n=20)
    path = tmp_path / "returns.csv"
    path.write_text(HEADER + "".join(f"{c},{1 + i % 4},1,2,1,1,\n" for i, c in enumerate(codes)), encoding="utf-8")
    assert cli("responses", "import", *SURVEY_OPTION, "--channel", "paper", str(path)).exit_code == 0
    stored = [r.stratum["district"] for r in session.scalars(select(Response).order_by(Response.id))]
    in_file = [1 + i % 3 for i in range(20)]  # letters() gives district 1, 2, 3, 1, … in file order
    assert sorted(stored) == sorted(in_file) and stored != in_file  # 20!/(7!·7!·6!) ≈ 1.3·10⁸ orders: equal by luck once in that many runs
