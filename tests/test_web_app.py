"""App factory, health, security headers, cookies, languages, error pages, plug-in points."""
from __future__ import annotations

import re

import pytest
from flask import Response
from werkzeug.exceptions import BadRequest, Forbidden

from survey_app.web import blueprints, create_app
from survey_app.web.security import HEADERS, add_security_headers
from tests.support.db import TEST_SECRET
from tests.support.survey import SURVEY_URL
from tests.support.web import start, text_of, web_config

# The subject is the app's pages, headers and errors, not storage: SQLite alone; every statement sent here reaches
# PostgreSQL in another test (tests/support/db.py, checked by tests/support/sql_reach.py).
pytestmark = pytest.mark.databases("sqlite")


@pytest.mark.databases("sqlite", "postgresql")  # the health check asks the database itself
def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET,
                      "DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/x.db"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "unavailable"


def test_security_headers(client):
    response = client.get(f"{SURVEY_URL}/?code=K7QF-3MZD-8WXP-R2TA")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_security_headers_keep_a_views_own_value_and_appear_once():
    own = Response("x", mimetype="text/html", headers={"x-frame-options": "SAMEORIGIN"})
    headers = add_security_headers(own).headers
    assert headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    for name, value in HEADERS.items():
        assert len(headers.getlist(name)) == 1 and (name == "X-Frame-Options" or headers[name] == value)
    assert headers["Cache-Control"] == "no-store"
    assert "Cache-Control" not in add_security_headers(Response("{}", mimetype="application/json")).headers


def test_no_inline_script_or_style_and_nothing_from_elsewhere(client):
    start(client)
    for path in ("/", f"{SURVEY_URL}/", f"{SURVEY_URL}/q/living", f"{SURVEY_URL}/review"):
        page = text_of(client.get(path))
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), path
        assert " style=" not in page and "<style" not in page, path
        assert not re.search(r'(src|href)="(https?:)?//', page), path


def test_session_cookie_flags_over_http_and_https(app, db_url):
    over_http = start(app.test_client()).headers["Set-Cookie"]
    assert "HttpOnly" in over_http and "SameSite=Lax" in over_http and "Secure" not in over_http
    over_https = app.test_client().get(f"{SURVEY_URL}/?lang=en", base_url="https://survey.example")
    assert "Secure" in over_https.headers["Set-Cookie"]
    configured = create_app(web_config(db_url, SESSION_COOKIE_SECURE=True)).test_client()
    assert "Secure" in configured.get("/?lang=en").headers["Set-Cookie"]


def test_a_rotated_secret_key_keeps_cookies_through_its_fallback_and_ends_them_without(app, client):
    """The session cookie's serializer is made once per set of keys: a key changed in a running
    app (as Flask's SECRET_KEY_FALLBACKS rotation does) is followed, not the first one kept."""
    assert '<html lang="en"' in text_of(client.get("/?lang=en"))  # the cookie remembers English
    old = app.secret_key
    app.secret_key, app.config["SECRET_KEY_FALLBACKS"] = TEST_SECRET[::-1], [old]
    assert '<html lang="en"' in text_of(client.get("/"))  # signed with the old key: still read
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert '<html lang="ja"' in text_of(client.get("/"))  # the old key retired: a fresh session


@pytest.mark.parametrize(("lang", "direction", "name"), [
    ("ja", "ltr", "日本語"), ("en", "ltr", "English"), ("vi", "ltr", "Tiếng Việt"), ("ur", "rtl", "اردو")])
def test_every_page_has_lang_and_dir(client, lang, direction, name):
    for path in ("/", f"{SURVEY_URL}/", "/no-such-page"):
        page = text_of(client.get(f"{path}?lang={lang}"))
        assert f'<html lang="{lang}" dir="{direction}">' in page, path
        assert f'aria-current="true">{name}</a>' in page


def test_language_is_negotiated_then_remembered(client):
    assert '<html lang="vi"' in text_of(client.get("/", headers={"Accept-Language": "vi-VN,vi;q=0.9"}))
    assert '<html lang="ja"' in text_of(client.get("/", headers={"Accept-Language": "de-DE"}))
    client.get("/?lang=ur")
    assert '<html lang="ur"' in text_of(client.get("/", headers={"Accept-Language": "en"}))
    assert '<html lang="ur"' in text_of(client.get("/?lang=xx"))  # an unknown choice is ignored
    assert '<html lang="en"' in text_of(client.get("/?lang=EN"))  # tags are case-insensitive
    assert '<html lang="vi"' in text_of(client.get("/?lang=vi-VN"))  # a region is dropped
    assert '<html lang="ja-x-easy"' in text_of(client.get("/?lang=JA-x-Easy"))


def test_home_lists_the_loaded_surveys(client):
    page = text_of(client.get("/?lang=ja"))
    assert f'href="{SURVEY_URL}/"' in page and "江別市 市民アンケート" in page


@pytest.mark.parametrize(("method", "path", "status"), [
    ("get", "/no-such-page", 404), ("delete", "/", 405), ("post", "/healthz", 405)])
def test_http_errors_are_friendly_pages(client, method, path, status):
    response = getattr(client, method)(path + "?lang=en")
    assert response.status_code == status and response.mimetype == "text/html"
    assert "<h1>" in text_of(response) and "home page" in text_of(response)


def test_a_huge_body_is_a_413_page(client):
    start(client)
    response = client.post(f"{SURVEY_URL}/q/comment", data={"comment": "あ" * 400_000, "nav": "next"},
                           query_string={"lang": "en"})
    assert response.status_code == 413 and "Too much was sent" in text_of(response)


def test_a_huge_body_from_a_phone_without_cookies_is_a_413_page_too(app):
    """No language remembered and none asked for: the page's language would be read from the posted form,
    which is too large to read; the error page is drawn in the browser's language instead."""
    response = app.test_client().post(f"{SURVEY_URL}/q/comment", data={"comment": "あ" * 400_000, "lang": "vi"},
                                      headers={"Accept-Language": "en"})
    assert response.status_code == 413 and "Too much was sent" in text_of(response)


@pytest.mark.parametrize(("exception", "status", "title"), [
    (RuntimeError("boom"), 500, "Something went wrong on our side"),
    (BadRequest(), 400, "The page could not be read"),
    (Forbidden(), 403, "This page is not available"),
])
def test_unexpected_errors_are_pages_in_the_residents_language(db_url, instrument, exception, status, title):
    app = create_app(web_config(db_url, TESTING=False, PROPAGATE_EXCEPTIONS=False))

    @app.get("/boom")
    def boom():
        raise exception

    response = app.test_client().get("/boom?lang=en")
    assert response.status_code == status and title in text_of(response)
    vietnamese = app.test_client().get("/boom?lang=vi")
    assert vietnamese.status_code == status and title not in text_of(vietnamese)
    assert '<html lang="vi" dir="ltr">' in text_of(vietnamese)


def test_rate_limits_use_redis_when_configured(db_url, instrument):
    app = create_app(web_config(db_url, REDIS_URL="redis://127.0.0.1:1/0"))
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:1/0"
    # Nothing listens there: limits fall back to memory and the page still works.
    assert app.test_client().get(f"{SURVEY_URL}/?code=K7QF-3MZD-8WXP-R2TA").status_code == 200


def test_staff_parts_plug_in_through_the_registry(db_url, instrument, monkeypatch):
    calls = []
    monkeypatch.setattr(blueprints, "INIT_APP_HOOKS", [*blueprints.INIT_APP_HOOKS, "tests_web_plugin:init_app"])
    monkeypatch.setattr(blueprints, "BLUEPRINTS", [*blueprints.BLUEPRINTS, "tests_web_plugin:bp"])
    import sys
    import types

    from flask import Blueprint, render_template_string
    plugin = types.ModuleType("tests_web_plugin")
    plugin.bp = Blueprint("plugin", __name__, url_prefix="/plugin-test")
    plugin.bp.get("/")(lambda: render_template_string(
        '{% extends "base.html" %}{% block content %}<h1>plugged-in page</h1>{% endblock %}'))
    plugin.init_app = calls.append
    monkeypatch.setitem(sys.modules, "tests_web_plugin", plugin)
    app = create_app(web_config(db_url))
    assert calls == [app]
    page = text_of(app.test_client().get("/plugin-test/"))
    assert "<h1>plugged-in page</h1>" in page and '<html lang="ja" dir="ltr">' in page


def test_static_files_are_served_by_the_app(client):
    css = client.get("/static/machikoe.css")
    assert css.status_code == 200
    # Logical properties only, so that right-to-left pages mirror completely.
    physical = re.findall(r"(?:margin|padding|border)-(?:left|right)|(?<![-\w])(?:left|right)\s*:|"
                          r"text-align:\s*(?:left|right)|float:|@font-face|url\(", text_of(css))
    assert physical == []
    assert client.get("/static/machikoe.js").status_code == 200


def test_the_limiter_hook_runs_only_when_app_wide_limits_exist(app):
    """Our limits are per view (their decorators check them); Flask-Limiter's per-request
    hook is dropped — and kept should app-wide limits ever be configured."""
    from flask import Flask

    from survey_app.web.extensions import _only_decorated_limits, limiter

    assert limiter._check_request_limit not in app.before_request_funcs[None]
    for config, kept in (({}, False), ({"RATELIMIT_APPLICATION": "100 per minute"}, True)):
        bare = Flask("limits")
        bare.config.update(config)
        bare.before_request_funcs[None] = [limiter._check_request_limit]
        _only_decorated_limits(bare)
        assert (limiter._check_request_limit in bare.before_request_funcs[None]) is kept
