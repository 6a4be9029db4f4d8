"""``machikoe staff …`` and the first admin made by ``machikoe setup``."""
from __future__ import annotations

import re

from survey_app.cli.setup import SETUP_STEPS
from survey_app.cli.staff import first_admin_step


def test_staff_create_prints_generated_password_once_and_lists(cli):
    result = cli("staff", "create", "Analyst@City.example", "--role", "analyst")
    assert result.exit_code == 0, result.output
    assert re.search(r"password: \S{16}", result.output)
    given = cli("staff", "create", "viewer@city.example", "--role", "viewer", "--password-stdin",
                input="a long enough password\n")
    assert given.exit_code == 0 and "password:" not in given.output
    listed = cli("staff", "list")
    assert "analyst@city.example\tanalyst\tactive\tno token" in listed.output
    assert "viewer@city.example\tviewer" in listed.output


def test_staff_create_errors_are_one_line(cli):
    assert cli("staff", "create", "a@b.example", "--role", "admin").exit_code == 0
    again = cli("staff", "create", "a@b.example", "--role", "admin")
    assert again.exit_code == 1 and "already exists" in again.output
    short = cli("staff", "create", "c@b.example", "--role", "admin", "--password-stdin", input="short\n")
    assert short.exit_code == 1 and "at least 12" in short.output
    bad_role = cli("staff", "create", "d@b.example", "--role", "boss")
    assert bad_role.exit_code == 2


def test_staff_token_issue_revoke_and_unknown(cli):
    cli("staff", "create", "a@b.example", "--role", "analyst")
    result = cli("staff", "token", "a@b.example", "--days", "7")
    assert result.exit_code == 0
    assert re.match(r"mk_[A-Za-z0-9_-]{40,}$", result.stdout.splitlines()[0])
    assert "token until" in cli("staff", "list").output
    assert "revoked" in cli("staff", "token", "a@b.example", "--revoke").output
    missing = cli("staff", "token", "nobody@b.example")
    assert missing.exit_code == 1 and "no staff account" in missing.output


def test_password_and_unlock(cli):
    cli("staff", "create", "a@b.example", "--role", "admin")
    changed = cli("staff", "password", "a@b.example")
    assert changed.exit_code == 0 and re.search(r"password: \S{16}", changed.output)
    assert "unlocked" in cli("staff", "unlock", "a@b.example").output


def test_setup_creates_first_admin_once(cli, monkeypatch):
    assert first_admin_step in SETUP_STEPS
    monkeypatch.setenv("MACHIKOE_ADMIN_EMAIL", "chief@city.example")
    first = cli("setup")
    assert first.exit_code == 0, first.output
    assert re.search(r"first staff account: chief@city.example \(admin\), password: \S{16}", first.output)
    second = cli("setup")
    assert second.exit_code == 0 and "first staff account" not in second.output


def test_role_and_disable_keep_an_active_administrator_as_the_console_does(cli):
    assert cli("staff", "create", "a@b.example", "--role", "admin").exit_code == 0
    assert cli("staff", "create", "b@b.example", "--role", "analyst").exit_code == 0
    for args in (("role", "a@b.example", "viewer"), ("disable", "a@b.example")):
        refused = cli("staff", *args)
        assert refused.exit_code == 1 and "a@b.example is the last active administrator" in refused.output
        assert len(refused.output.strip().splitlines()) == 1
    assert cli("staff", "role", "b@b.example", "admin").exit_code == 0
    assert cli("staff", "role", "a@b.example", "viewer").output.strip() == "a@b.example is now viewer"
    assert cli("staff", "disable", "b@b.example").exit_code == 1  # b is the last one now
    assert cli("staff", "disable", "a@b.example").output.strip() == "a@b.example disabled"
    assert cli("staff", "enable", "a@b.example").output.strip() == "a@b.example enabled"
