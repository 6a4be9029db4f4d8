"""One key, never empty (issue 14): the key file is created atomically by racing processes, an
empty or short key stops every command with one line, and the files that hold secrets or
personal data are private (0600)."""
from __future__ import annotations

import multiprocessing
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from survey_app import config

ROUNDS, RACERS = 6, 16


def _race(instance: str, barrier, results) -> None:
    barrier.wait()
    try:
        results.put(config.load_or_create_secret(Path(instance)))
    except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
        results.put(f"ERROR {type(exc).__name__}: {exc}")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_processes_racing_to_create_the_key_all_get_one_complete_key(tmp_path):
    context = multiprocessing.get_context("fork")
    for round_ in range(ROUNDS):
        instance = tmp_path / f"instance{round_}"
        barrier, results = context.Barrier(RACERS), context.Queue()
        racers = [context.Process(target=_race, args=(str(instance), barrier, results)) for _ in range(RACERS)]
        for racer in racers:
            racer.start()
        keys = [results.get(timeout=60) for _ in racers]
        for racer in racers:
            racer.join(30)
        assert len(set(keys)) == 1, keys
        assert len(keys[0]) == 64 and keys[0] == (instance / "secret_key").read_text()
        assert _mode(instance / "secret_key") == 0o600 and _mode(instance) == 0o700
        assert [p.name for p in instance.iterdir()] == ["secret_key"]  # no temporary file left behind


def _machikoe(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "MACHIKOE_SECRET_KEY", "DATABASE_URL")}
    machikoe = Path(sys.executable).with_name("machikoe")
    return subprocess.run([str(machikoe), "staff", "list"], capture_output=True, text=True, timeout=60,
                          env={**clean, "MACHIKOE_INSTANCE": str(tmp_path), **env})


@pytest.mark.parametrize("content", ["", "\n", "short-key"])
def test_an_empty_or_short_key_file_is_refused_with_one_line(tmp_path, content):
    (tmp_path / "secret_key").write_text(content)
    result = _machikoe(tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "secret key is empty or shorter than 32" in lines[0] and "secret_key" in lines[0]


def test_a_short_secret_in_the_environment_is_refused(tmp_path):
    result = _machikoe(tmp_path, MACHIKOE_SECRET_KEY="too-short")
    assert result.returncode == 2 and "MACHIKOE_SECRET_KEY" in result.stderr


def test_database_key_letters_and_exports_are_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("MACHIKOE_INSTANCE", str(tmp_path / "instance"))
    old = os.umask(0o022)  # the usual default: files would be world-readable
    try:
        settings = config.load_settings()
        database = Path(settings.database_url[len("sqlite:///"):])
        assert _mode(database) == 0o600 and _mode(tmp_path / "instance" / "secret_key") == 0o600
        letters = tmp_path / "letters.csv"
        letters.write_text("old")
        os.chmod(letters, 0o644)
        config.write_private(letters, b"code\n")
        assert _mode(letters) == 0o600 and letters.read_bytes() == b"code\n"
    finally:
        os.umask(old)


def test_letters_written_by_the_cli_are_private(cli, tmp_path):
    cli("setup")
    frame = tmp_path / "frame.csv"
    frame.write_text("age_band,sex,district\n1,1,1\n", encoding="utf-8")
    out = tmp_path / "letters.csv"
    result = cli("invitations", "create", "--survey", "ebetsu-2025", "--frame", str(frame), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert _mode(out) == 0o600


def test_sqlite_uri_urls_are_not_created_as_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config.load_settings(instance=tmp_path / "instance", secret_key="k" * 40,
                         database_url=f"sqlite:///file:{tmp_path}/ro.db?mode=ro&uri=true")
    assert not (tmp_path / "file:").exists() and not (tmp_path / "ro.db").exists()


@pytest.mark.parametrize("url", ["mysql://root:hunter2@db/machikoe", "bogus://x", "machikoe.db"])
def test_a_database_url_machikoe_cannot_use_is_refused_with_one_line_and_no_password(tmp_path, monkeypatch, url):
    from click.testing import CliRunner

    from survey_app.cli import main

    with pytest.raises(config.ConfigError):
        config.load_settings(instance=tmp_path / "instance", secret_key="k" * 40, database_url=url)
    monkeypatch.setenv("MACHIKOE_INSTANCE", str(tmp_path / "instance"))
    result = CliRunner().invoke(main, ["--database-url", url, "survey", "list"])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1, result.output
    assert "sqlite:///" in lines[0] and "postgresql://" in lines[0] and "hunter2" not in lines[0]
    assert not (tmp_path / "instance" / "machikoe.db").exists()


def test_a_sqlite_file_in_a_missing_folder_is_refused_in_one_line_and_no_folder_is_made(tmp_path, monkeypatch):
    """A mistyped path (``/srv/machikoe/dtaa/machikoe.db``) used to become a tree of empty folders and a
    fresh, empty database beside the real one. Folders are made only inside the instance folder."""
    from click.testing import CliRunner

    from survey_app.cli import main

    typo = tmp_path / "dtaa" / "deeper"
    monkeypatch.setenv("MACHIKOE_INSTANCE", str(tmp_path / "instance"))
    result = CliRunner().invoke(main, ["--database-url", f"sqlite:///{typo}/machikoe.db", "survey", "list"])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1, result.output
    assert str(typo) in lines[0] and "does not exist" in lines[0]
    assert not (tmp_path / "dtaa").exists()
    inside = tmp_path / "instance" / "db" / "machikoe.db"  # inside the instance folder: made, private
    config.load_settings(instance=tmp_path / "instance", secret_key="k" * 40, database_url=f"sqlite:///{inside}")
    assert inside.exists() and _mode(inside) == 0o600
