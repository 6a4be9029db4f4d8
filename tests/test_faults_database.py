"""The database fails under the resident: PostgreSQL refusing connections for a while, a
read-only SQLite file, a full SQLite file. Always a friendly 503 page in the resident's
language (never a traceback), the answers just posted shown again, nothing stored half,
and pressing the button again once the database is back stores the page."""
from __future__ import annotations

import contextlib
import logging
import time

import pytest
from rootconf import PG_ADMIN_URL, migrated_engine, web_config
from rootconf import clean as _clean
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.orm import Session
from webtools import BASE, SURVEY, csrf, post_page, start, text_of

from survey_app import responses
from survey_app.db import engine_for
from survey_app.models import Response
from survey_app.surveys import load_survey
from survey_app.web import create_app

# The start of survey_app.web.outage.PAGE_NOTICE in Vietnamese and Japanese.
NOTICE_VI = "Chúng tôi chưa lưu được trang này."
NOTICE_JA = "このページを保存できませんでした"
CHILDCARE = {"has_children": "2", "kosodate": "4"}


def stored(engine) -> dict:
    with Session(engine) as s:
        return responses.current_answers(s, s.scalars(select(Response)).one())


@contextlib.contextmanager
def postgres_refusing_connections(database_url: str):
    """``ALLOW_CONNECTIONS false`` and every open connection terminated; undone afterwards."""
    name = database_url.rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
    try:
        yield
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()


def _loaded(url: str, instrument):
    engine = migrated_engine(url)
    with Session(engine) as s:
        load_survey(s, instrument)
    return engine


@pytest.mark.postgres
def test_postgresql_unreachable_then_back(pg_url, bundled_instrument, caplog):
    engine = _loaded(pg_url, bundled_instrument)
    try:
        client = create_app(web_config(pg_url)).test_client()
        start(client, lang="vi")
        assert post_page(client, "living", {"kurashiyasui": "1"}).status_code == 302
        page = client.get(f"{BASE}/q/childcare")
        token = csrf(text_of(page))
        with postgres_refusing_connections(pg_url), caplog.at_level(logging.ERROR, "survey_app.web.outage"):
            refused = client.post(f"{BASE}/q/childcare", data={"csrf_token": token, "nav": "next", **CHILDCARE})
            html = text_of(refused)
            assert refused.status_code == 503 and refused.headers["Retry-After"] == "30"
            assert NOTICE_VI in html and 'lang="vi"' in html and "Traceback" not in html
            assert 'name="has_children" value="2" checked' in html and 'name="kosodate" value="4" checked' in html
            landing = client.get(f"{BASE}/")  # any page: the plain retry page, still in Vietnamese
            assert landing.status_code == 503 and 'lang="vi"' in text_of(landing)
            api = client.get(f"/api/v1/surveys/{SURVEY}/indicators", headers={"Authorization": "Bearer x"})
            assert api.status_code == 503 and api.get_json()["error"]["code"] == "database_unavailable"
            time.sleep(1)  # "a few seconds" of outage; the pool's dead connections stay in it
            assert any("database unavailable" in r.getMessage() for r in caplog.records)
        again = client.post(f"{BASE}/q/childcare", data={"csrf_token": csrf(html), "nav": "next", **CHILDCARE})
        assert again.status_code == 302
        assert stored(engine) == {"kurashiyasui": 1, "has_children": 2, "kosodate": 4}
    finally:
        _clean(engine)


def _switch_database(app, url: str) -> None:
    """Point a running app at another URL (the per-app session factory is rebuilt lazily)."""
    app.config["DATABASE_URL"] = url
    app.extensions.pop("machikoe_sessions", None)


def _integrity(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(text("PRAGMA integrity_check")).scalar_one()


@pytest.fixture
def sqlite_survey(tmp_path, bundled_instrument):
    """A SQLite file of its own, compacted (no free pages: any new answer must grow the file)."""
    url = f"sqlite:///{tmp_path / 'faults.db'}"
    engine = _loaded(url, bundled_instrument)
    with engine.connect() as conn:
        conn.exec_driver_sql("VACUUM")
        assert conn.exec_driver_sql("PRAGMA freelist_count").scalar_one() == 0
    app = create_app(web_config(url))
    yield app, app.test_client(), engine, url
    engine_for(url).dispose()
    engine.dispose()


def test_read_only_sqlite_file(sqlite_survey):
    app, client, engine, sqlite_url = sqlite_survey
    start(client, lang="ja")
    assert post_page(client, "living", {"kurashiyasui": "2"}).status_code == 302
    token = csrf(text_of(client.get(f"{BASE}/q/childcare")))
    path = sqlite_url[len("sqlite:///"):]
    _switch_database(app, f"sqlite:///file:{path}?mode=ro&uri=true")
    refused = client.post(f"{BASE}/q/childcare", data={"csrf_token": token, "nav": "next", **CHILDCARE})
    html = text_of(refused)
    assert refused.status_code == 503 and NOTICE_JA in html
    assert 'name="kosodate" value="4" checked' in html
    assert _integrity(engine) == "ok" and stored(engine) == {"kurashiyasui": 2}
    _switch_database(app, sqlite_url)
    again = client.post(f"{BASE}/q/childcare", data={"csrf_token": csrf(html), "nav": "next", **CHILDCARE})
    assert again.status_code == 302 and stored(engine) == {"kurashiyasui": 2, "has_children": 2, "kosodate": 4}


def test_full_sqlite_file(sqlite_survey):
    _app, client, engine, sqlite_url = sqlite_survey
    start(client, lang="ja")
    assert post_page(client, "living", {"kurashiyasui": "3"}).status_code == 302
    token = csrf(text_of(client.get(f"{BASE}/q/comment")))
    app_engine = engine_for(sqlite_url)

    def no_room_to_grow(dbapi_conn, _record):
        # The file may not grow past its current size: SQLite answers SQLITE_FULL, as on a full disk.
        cur = dbapi_conn.cursor()
        pages = cur.execute("PRAGMA page_count").fetchone()[0]
        cur.execute(f"PRAGMA max_page_count = {pages}")
        cur.close()

    event.listen(app_engine, "connect", no_room_to_grow)
    app_engine.dispose()
    long_comment = "公園とバスについての意見です。" * 130  # ~1,900 characters: needs new pages
    try:
        refused = client.post(f"{BASE}/q/comment", data={"csrf_token": token, "nav": "next", "comment": long_comment})
    finally:
        event.remove(app_engine, "connect", no_room_to_grow)
        app_engine.dispose()
    html = text_of(refused)
    assert refused.status_code == 503 and NOTICE_JA in html and long_comment in html
    assert _integrity(engine) == "ok" and stored(engine) == {"kurashiyasui": 3}
    again = client.post(f"{BASE}/q/comment", data={"csrf_token": csrf(html), "nav": "next", "comment": long_comment})
    assert again.status_code == 302 and stored(engine) == {"kurashiyasui": 3, "comment": long_comment}
    assert _integrity(engine) == "ok"


def test_cli_on_a_read_only_file_says_so_in_one_line(sqlite_survey, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from survey_app.cli import main
    from survey_app.instrument import bundled_path

    margins = bundled_path().with_name("ebetsu-2025-population.csv")
    _, _, engine, url = sqlite_survey
    monkeypatch.setenv("MACHIKOE_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("SECRET_KEY", "cli-secret-at-least-thirty-two-characters")
    path = url[len("sqlite:///"):]
    result = CliRunner().invoke(main, ["--database-url", f"sqlite:///file:{path}?mode=ro&uri=true",
                                       "population", "import", "--survey", "ebetsu-2025", str(margins)])
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "readonly" in lines[0] and "Traceback" not in result.output
    assert _integrity(engine) == "ok"
