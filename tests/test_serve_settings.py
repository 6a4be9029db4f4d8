"""Every documented setting reachable (issue 14), through a real ``machikoe serve`` process:
Flask's settings as ``FLASK_<NAME>``, Machikoe's as ``MACHIKOE_<NAME>``; README's table is the
code's table."""
from __future__ import annotations

import http.client
import urllib.parse
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from survey_app import codes, config
from survey_app.surveys import load_survey
from tests.support.db import clean, migrated_engine
from tests.support.servekit import serving

README = Path(__file__).resolve().parent.parent / "README.md"


def _get(base: str, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_flask_and_machikoe_settings_reach_a_served_app(sqlite_url, bundled_instrument, tmp_path):
    with Session(migrated_engine(sqlite_url)) as session:
        load_survey(session, bundled_instrument)
    env = {"FLASK_SESSION_COOKIE_SECURE": "true", "MACHIKOE_PROXY_FIX_X_FOR": "1",
           "MACHIKOE_RATE_LIMIT_CODE_PER_IP": "2 per minute"}
    try:
        with serving(sqlite_url, tmp_path, env) as (base, _process):
            login = _get(base, "/staff/login")
            cookie = login.getheader("Set-Cookie") or ""
            assert "machikoe=" in cookie and "Secure" in cookie  # over plain http: only the setting does it

            def code_try(client: str) -> int:
                path = f"/s/ebetsu-2025/?code={codes.generate()}"
                return _get(base, path, {"X-Forwarded-For": client}).status
            assert [code_try("198.51.100.1") for _ in range(3)][-1] == 429
            # Another resident behind the same proxy is counted on their own address.
            assert code_try("198.51.100.2") != 429
    finally:
        clean(migrated_engine(sqlite_url))  # the session-wide SQLite database is shared


def test_readme_settings_table_is_the_codes_table():
    assert config.settings_table() in README.read_text(encoding="utf-8")


def test_legacy_names_keep_working_and_machikoe_names_win():
    env = {"DATABASE_URL": "sqlite:///old.db", "MACHIKOE_REDIS_URL": "redis://new", "REDIS_URL": "redis://old",
           "MACHIKOE_STAFF_IDLE_MINUTES": "5", "MACHIKOE_PROXY_FIX_X_FOR": "2"}
    values = config.app_settings(env)
    assert values["DATABASE_URL"] == "sqlite:///old.db" and values["REDIS_URL"] == "redis://new"
    assert values["STAFF_IDLE_MINUTES"] == 5 and values["PROXY_FIX_X_FOR"] == 2


def _options(command, path=()):
    import click

    for param in command.params:
        if isinstance(param, click.Option) and param.envvar:
            yield " ".join(path), param
    for name, sub in getattr(command, "commands", {}).items():
        yield from _options(sub, (*path, name))


def test_every_cli_option_read_from_the_environment_reads_the_machikoe_name_first():
    """`invitations create` read PUBLIC_BASE_URL only: with MACHIKOE_PUBLIC_BASE_URL set (as the README
    says), letters were written, once, with http://localhost:5000 links."""
    from survey_app.cli import main

    checked = []
    for where, option in _options(main):
        names = [option.envvar] if isinstance(option.envvar, str) else list(option.envvar)
        for name in names:
            setting = name.removeprefix(config.PREFIX)
            if setting in config.LEGACY_NAMES or any(s.name == setting for s in config.SETTINGS):
                assert names[0] == config.PREFIX + setting, f"machikoe {where} {option.opts[0]}: {names}"
                checked.append(f"{where} {option.opts[0]}")
    assert "invitations create --base-url" in checked and "invitations letters --bot-username" in checked


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # a setting read by the CLI: either database
def test_the_machikoe_public_address_reaches_the_letters_file(cli, session, instrument, tmp_path, monkeypatch):
    frame = tmp_path / "frame.csv"
    frame.write_text("age_band,sex,district\n2,1,1\n", encoding="utf-8")
    monkeypatch.setenv("MACHIKOE_PUBLIC_BASE_URL", "https://survey.city.example")
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    result = cli("invitations", "create", "--survey", instrument.id, "--frame", str(frame),
                 "--out", str(tmp_path / "letters.csv"))
    assert result.exit_code == 0, result.output
    assert "https://survey.city.example/s/" in (tmp_path / "letters.csv").read_text(encoding="utf-8")
