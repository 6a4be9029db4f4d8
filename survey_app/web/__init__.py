"""The resident web survey (and the place staff blueprints plug into).

``create_app(test_config=None)`` builds the Flask app: the defaults below and
``survey_app.config.SETTINGS``, then the environment — every Flask setting as
``FLASK_<NAME>`` (Flask's ``from_prefixed_env``), Machikoe's own as ``MACHIKOE_<NAME>`` —
then ``test_config``; CSRF, rate limits,
security headers, per-request database session and language, Jinja i18n with our
catalogs, friendly error pages, then every blueprint listed in
``survey_app.web.blueprints`` and every ``init_app`` hook listed there; compiled templates
are shared with the process's other apps (``templating``), and so are the URL rules'
compiled builders (``routing``).
"""
from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from survey_app import config

from . import blueprints, context, errors, i18n, security, templating
from .extensions import init_extensions
from .routing import SharedBuildersFlask
from .unbroken import init_unbroken

DEFAULTS: dict[str, Any] = {
    "SESSION_COOKIE_NAME": "machikoe",
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SECURE": False,  # also Secure automatically for https requests
    # A half-finished survey is remembered on the phone for 30 days.
    "PERMANENT_SESSION_LIFETIME": timedelta(days=30),
    # Answers are a few kilobytes; anything much larger is not a survey page.
    "MAX_CONTENT_LENGTH": 256 * 1024,
    "MAX_FORM_MEMORY_SIZE": 256 * 1024,
    # A resident may leave a page open for hours; the CSRF token stays valid for a day.
    "WTF_CSRF_TIME_LIMIT": 24 * 3600,
    "WTF_CSRF_SSL_STRICT": False,  # same-origin is enforced by the token and SameSite
    "RATELIMIT_HEADERS_ENABLED": True,
    # Redis down: count in memory rather than fail residents' pages.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    "JSON_SORT_KEYS": False,
}


def _settings_config() -> dict[str, Any]:
    settings = config.load_settings()
    return {"DATABASE_URL": settings.database_url, "SECRET_KEY": settings.secret_key,
            "REDIS_URL": settings.redis_url}


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = SharedBuildersFlask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(config.defaults())
    app.config.from_prefixed_env("FLASK")
    app.config.update(config.app_settings())
    test_config = dict(test_config or {})
    if not {"DATABASE_URL", "SECRET_KEY"} <= test_config.keys():
        app.config.update(_settings_config())
    app.config.update(test_config)
    if app.config["PROXY_FIX_X_FOR"]:
        count = int(app.config["PROXY_FIX_X_FOR"])
        # Flask's documented way to wrap its WSGI app; mypy sees assigning to a method
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]

    security.init_security(app)
    init_extensions(app)
    i18n.init_i18n(app)
    errors.init_errors(app)
    app.teardown_appcontext(context.close_db)
    for hook in blueprints.INIT_APP_HOOKS:
        _import(hook)(app)
    for path in blueprints.BLUEPRINTS:
        app.register_blueprint(_import(path))
    init_unbroken(app)  # before any template is compiled: the templates use it
    templating.init_templating(app)
    return app


def _import(path: str) -> Any:
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)
