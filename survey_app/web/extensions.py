"""Flask extensions shared by every blueprint (created once, bound in ``create_app``).

Flask-WTF is here for ``CSRFProtect`` alone: it checks the token of every POST (pages put
``csrf_token()`` in each form). Forms are plain HTML validated by the core, not WTForms
classes (why: ``survey_app/web/survey/fields.py``).

Rate limits live in memory by default; set ``REDIS_URL`` so that several web
processes share one count (otherwise each gunicorn worker counts on its own).
"""
from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def init_extensions(app: Flask) -> None:
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    csrf.init_app(app)
    limiter.init_app(app)
    # ``limiter`` is one object for every app of this process, and Flask-Limiter's init_app
    # gives it the new app's storage but keeps the earlier storage's "unreachable" flag: an app
    # made after one whose Redis was down would count in a throw-away fallback, then switch to
    # its own storage at the next health check and forget the count (seen in the test suite,
    # where many apps share a process). A new app starts from its own, reachable, storage.
    limiter._storage_dead = False
    _only_decorated_limits(app)


APP_WIDE_LIMITS = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")


def _only_decorated_limits(app: Flask) -> None:
    """Every limit here decorates its view (code entry, staff login) and the decorator checks
    it. Flask-Limiter's app-wide hook looks for default and application limits on every
    request — we configure none, and the lookup was a measurable share of each survey page.
    The hook stays if app-wide limits are ever configured."""
    if any(app.config.get(name) for name in APP_WIDE_LIMITS):
        return
    hooks = app.before_request_funcs.get(None, [])
    app.before_request_funcs[None] = [hook for hook in hooks if hook != limiter._check_request_limit]
