"""Self-service console: accounts (create, disable, re-role, one-time passwords, own password) and
indicator targets as audited survey metadata — through the core, the pages and the CLI."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app import indicator_values, staff_admin
from survey_app import staff as staff_core
from survey_app.models import AuditEvent, IndicatorValue, StaffUser
from tests.support.demo import BUNDLED_MARGINS
from tests.support.staff import PASSWORD
from tests.support.survey import SURVEY
from tests.support.web import csrf, text_of


def _events(session, action):
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_last_admin_is_protected_and_changes_are_audited(session, staff_users):
    admin, analyst = staff_users["admin"], staff_users["analyst"]
    with pytest.raises(staff_core.StaffError, match="last active administrator"):
        staff_admin.set_role(session, admin, "viewer", admin.email)
    with pytest.raises(staff_core.StaffError, match="your own account"):
        staff_admin.set_active(session, admin, False, admin.email)
    assert staff_admin.set_role(session, analyst, "admin", admin.email)
    assert staff_admin.set_role(session, admin, "viewer", analyst.email)  # another admin now exists
    assert staff_admin.set_active(session, admin, False, analyst.email) and not admin.active
    assert [e.target for e in _events(session, "staff_disable")] == [admin.email]
    assert [(e.detail["from"], e.detail["to"]) for e in _events(session, "staff_role")] == [
        ("analyst", "admin"), ("admin", "viewer")]


def test_one_time_password_must_be_changed(session, staff_users):
    viewer = staff_users["viewer"]
    password = staff_admin.issue_one_time_password(session, viewer, "admin@city.example")
    assert viewer.must_change_password and staff_core.authenticate(session, viewer.email, password)
    with pytest.raises(staff_core.StaffError, match="not correct"):
        staff_admin.change_own_password(session, viewer, "wrong", "a new long password", "a new long password")
    with pytest.raises(staff_core.StaffError, match="not the same"):
        staff_admin.change_own_password(session, viewer, password, "a new long password", "another one!!")
    staff_admin.change_own_password(session, viewer, password, "a new long password", "a new long password")
    assert not viewer.must_change_password
    assert staff_core.authenticate(session, viewer.email, "a new long password")
    # the core audits both: the admin's one-time password and the owner's own change
    assert [e.actor for e in _events(session, "staff_password")] == ["admin@city.example", viewer.email]


def test_guessing_the_current_password_is_counted_like_a_login(session, staff_users):
    """25 wrong guesses on the password form were let through, unaudited; the 26th changed the password."""
    from survey_app import lockout

    viewer = staff_users["viewer"]
    for _ in range(lockout.MAX_FAILURES - 1):
        with pytest.raises(staff_core.StaffError, match="not correct"):
            staff_admin.change_own_password(session, viewer, "guess", "a new long password", "a new long password",
                                            secret="k", address="192.0.2.7")
    with pytest.raises(staff_core.AccountLocked):
        staff_admin.change_own_password(session, viewer, "guess", "a new long password", "a new long password",
                                        secret="k", address="192.0.2.7")
    with pytest.raises(staff_core.AccountLocked):  # the right password too, while paused
        staff_admin.change_own_password(session, viewer, PASSWORD, "a new long password", "a new long password",
                                        secret="k", address="192.0.2.7")
    assert len(_events(session, "password_change_failed")) == lockout.MAX_FAILURES
    with pytest.raises(staff_core.AccountLocked):  # and logging in from there, as after five wrong logins
        staff_core.authenticate(session, viewer.email, PASSWORD, secret="k", address="192.0.2.7")


def test_targets_are_metadata_overriding_the_instrument(session, instrument):
    assert indicator_values.parse_assignment("childcare=60@2029") == indicator_values.Assignment(
        "childcare", "target", 60.0, 2029)
    assert indicator_values.parse_assignment("childcare.history=５２．１@令和4年度").year == 2022
    for bad in ("childcare=160@2029", "childcare=60", "childcare=60@昭和", "nothing=1@2029"):
        with pytest.raises(indicator_values.IndicatorValueError):
            indicator_values.set_value(session, instrument, indicator_values.parse_assignment(bad), "x")
    indicator_values.set_value(session, instrument, indicator_values.parse_assignment("childcare=60@2029"), "x")
    indicator_values.set_value(session, instrument, indicator_values.parse_assignment("childcare=62.5@2029"), "x")
    applied = indicator_values.apply(session, instrument).indicator("childcare")
    assert applied.target.value == 62.5 and applied.target.year == 2029
    assert applied.baseline == instrument.indicator("childcare").baseline  # untouched
    assert session.scalar(select(IndicatorValue.value).where(IndicatorValue.kind == "target")) == 62.5
    events = _events(session, "indicator_values")
    assert events[-1].detail == {"indicator": "childcare", "kind": "target", "year": 2029, "old": 60.0, "new": 62.5}
    years = [h.year for h in instrument.indicator("childcare").history]
    indicator_values.set_value(session, instrument,
                               indicator_values.parse_assignment(f"childcare.history=@{years[0]}"), "x")
    assert [h.year for h in indicator_values.apply(session, instrument).indicator("childcare").history] == years[1:]


def test_accounts_page_creates_and_forces_a_password_change(login_as, client, session):
    admin = login_as("admin")
    token = csrf(text_of(admin.get("/staff/accounts")))
    created = admin.post("/staff/accounts", data={"csrf_token": token, "email": "new@city.example",
                                                  "role": "analyst", "locale": "ja"})
    page = text_of(created)
    assert created.status_code == 200 and "new@city.example" in page
    one_time = page.split('data-testid="one-time-password">')[1].split("<")[0]
    user = session.scalars(select(StaffUser).where(StaffUser.email == "new@city.example")).one()
    assert user.must_change_password and user.role == "analyst"
    demote = admin.post(f"/staff/accounts/{user.id}", data={"csrf_token": token, "action": "role", "role": "viewer"})
    assert demote.status_code == 200
    session.refresh(user)
    assert user.role == "viewer"
    self_disable = admin.post(f"/staff/accounts/{session.scalars(select(StaffUser.id).where(StaffUser.role == 'admin')).first()}",
                              data={"csrf_token": token, "action": "disable"})
    assert self_disable.status_code == 400
    login_as(None)
    token = csrf(text_of(client.get("/staff/login")))
    client.post("/staff/login", data={"csrf_token": token, "email": "new@city.example", "password": one_time})
    blocked = client.get(f"/staff/s/{SURVEY}/")
    assert blocked.status_code == 302 and blocked.headers["Location"].endswith("/staff/password")
    token = csrf(text_of(client.get("/staff/password")))
    changed = client.post("/staff/password", data={"csrf_token": token, "current": one_time,
                                                   "new": "my own long password", "repeat": "my own long password"})
    assert changed.status_code == 302
    assert client.get(f"/staff/s/{SURVEY}/").status_code == 200


def test_viewers_cannot_manage(login_as):
    viewer = login_as("viewer")
    assert viewer.get("/staff/accounts").status_code == 403
    token = csrf(text_of(viewer.get(f"/staff/s/{SURVEY}/targets")))
    assert viewer.post(f"/staff/s/{SURVEY}/targets", data={"csrf_token": token, "indicator": "childcare",
                                                           "kind": "target", "value": "60", "year": "2029"}
                       ).status_code == 403
    assert PASSWORD  # the fixture accounts' password is shared (tests/support/staff.py)


def test_an_upload_refusal_names_questions_as_the_file_did(login_as, instrument):
    """Margins written with 年齢 and 性別 were refused about 「sex」 and 「age_band」."""
    import io

    client = login_as("admin")
    token = csrf(text_of(client.get(f"/staff/s/{SURVEY}/population")))
    table = "dimension,category,count\n年齢,18〜29歳,15500\n年齢,30〜39歳,15000\n性別,男性,20000\n性別,女性,20000\n"
    refused = client.post(f"/staff/s/{SURVEY}/population", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(table.encode()), "register.csv")})
    page = text_of(refused)
    assert refused.status_code == 400 and "「性別」" in page and "「年齢」" in page, page
    assert "「sex」" not in page and "「age_band」" not in page


def test_cli_targets(cli):
    cli("setup")
    done = cli("survey", "targets", "--survey", "ebetsu-2025", "--set", "childcare=60@2029",
               "--set", "living.baseline=70.5@令和5年度")
    assert done.exit_code == 0, done.output
    assert "childcare" in done.output and "60@2029" in done.output and "70.5@2023" in done.output
    bad = cli("survey", "targets", "--survey", "ebetsu-2025", "--set", "childcare=600@2029")
    assert bad.exit_code == 1 and "percentage" in bad.output


def test_illustrative_margins_are_marked_until_real_ones_are_imported(login_as, session, instrument, load_demo):
    load_demo(instrument, 120, seed=3, illustrative=True)
    client = login_as("admin")
    mark = "例示用（実際の住民基本台帳ではありません）"
    dashboard = text_of(client.get(f"/staff/s/{SURVEY}/"))
    assert dashboard.count(mark) >= 2  # the warning above the table and the first footnote
    assert mark in text_of(client.get(f"/staff/s/{SURVEY}/population"))
    assert mark not in text_of(client.get(f"/staff/s/{SURVEY}/?weighting=none"))
    import io

    def upload(data: bytes):
        token = csrf(text_of(client.get(f"/staff/s/{SURVEY}/population")))
        return client.post(f"/staff/s/{SURVEY}/population", content_type="multipart/form-data", data={
            "csrf_token": token, "file": (io.BytesIO(data), "register.csv")})

    # the bundled example imported as if it were the register: still the example, still marked
    assert upload(BUNDLED_MARGINS.read_bytes()).status_code == 200
    assert mark in text_of(client.get(f"/staff/s/{SURVEY}/"))
    register = BUNDLED_MARGINS.read_bytes().replace(b"age_band,1,15500", b"age_band,1,15520")
    imported = upload(register)
    assert imported.status_code == 200
    assert mark not in text_of(client.get(f"/staff/s/{SURVEY}/")) and mark not in text_of(imported)


def test_notices_name_questions_and_indicators_by_label(instrument):
    from survey_app.i18n.texts import InstrumentTexts

    ja, en = InstrumentTexts(instrument, "ja"), InstrumentTexts(instrument, "en")
    assert ja.name_ids("8人が「sex」に回答していません") == "8人が「性別」に回答していません"
    assert "'sex'" not in en.name_ids("8 respondent(s) did not give 'sex'")
    assert ja.name_ids("「living」の基準値") == "「江別市が暮らしやすいと思う市民割合」の基準値"
    assert ja.name_ids("living と sex") == "living と sex"  # unquoted words are left alone


def test_notices_name_cells_by_their_choices_in_the_readers_language(instrument):
    """A council member read 「調整セル age_band=1 の回答者は 3 人」: the cell is worded as the page words it."""
    from survey_app.i18n.texts import InstrumentTexts

    ja, en, ur = (InstrumentTexts(instrument, lang) for lang in ("ja", "en", "ur"))
    assert ja.name_ids("セル age_band=1 の回答者") == "セル 年齢=18〜29歳 の回答者"
    assert ja.name_ids("age_band:sex=1:2") == "年齢=18〜29歳、性別=女性"  # a joint margin's cell
    assert en.name_ids("merged (age_band=5→6)") == "merged (Age group=60–69 years→70 years or older)"
    assert ur.name_ids("district=3") == "علاقہ=اوآسا (大麻) کا علاقہ"
    assert en.name_ids("in the group sex=女性") == "in the group Sex=女性"  # a group the analysis already worded
    # anything that is not a question's listed choice stays as the analysis wrote it
    for text in ("district=99", "weight=2", "age_band:sex=1", "a==b", "x age_band=1x", "age_band=1→99"):
        assert ja.name_ids(text) == text, text


def test_a_target_without_its_year_is_asked_for_in_the_forms_words(login_as):
    """The error quoted the command line's syntax: 「childcare.target=60@」は ID=値@年度 の形ではありません."""
    admin = login_as("admin")
    token = csrf(text_of(admin.get(f"/staff/s/{SURVEY}/targets")))
    refused = admin.post(f"/staff/s/{SURVEY}/targets", data={"csrf_token": token, "indicator": "childcare",
                                                             "kind": "target", "value": "60", "year": " "})
    assert refused.status_code == 400
    assert "年度を入力してください" in text_of(refused) and "ID=" not in text_of(refused)


def test_refused_targets_and_accounts_come_back_as_typed(login_as):
    """The targets form came back with an empty value and year and 目標値 for a refused 基準値; the account form
    with role 分析担当 for a refused 閲覧者 — fixing only the address made an analyst of a viewer."""
    admin = login_as("admin")
    token = csrf(text_of(admin.get(f"/staff/s/{SURVEY}/targets")))
    refused = text_of(admin.post(f"/staff/s/{SURVEY}/targets", data={
        "csrf_token": token, "indicator": "work", "kind": "baseline", "value": "60,5", "year": "2023"}))
    assert 'value="work" selected' in refused and 'value="baseline" selected' in refused
    assert 'name="value" inputmode="decimal" aria-describedby="value-hint" value="60,5"' in refused
    assert 'value="2023"' in refused
    token = csrf(text_of(admin.get("/staff/accounts")))
    refused = text_of(admin.post("/staff/accounts", data={"csrf_token": token, "email": "sato", "role": "viewer",
                                                          "locale": "en"}))
    form = refused.split('id="create-title"')[1]
    assert 'value="sato"' in form
    assert '<option value="viewer" selected>' in form and '<option value="analyst" selected>' not in form
    assert '<option value="en" selected>' in form
