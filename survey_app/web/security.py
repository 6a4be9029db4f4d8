"""Security headers and cookie policy.

- CSP allows only the app's own scripts and styles: no inline script, no inline style,
  nothing from another origin (no CDN, no external fonts).
- ``Referrer-Policy: no-referrer`` everywhere: survey URLs can carry an invitation code.
- HTML is ``no-store``: a shared phone's back button must not show someone's answers
  from the cache; it asks the server, which answers with the current state.
- The session cookie is SameSite=Lax and HttpOnly, and Secure when the app is
  configured so (``SESSION_COOKIE_SECURE``) or the request arrived over https; an unchanged
  one is re-sent (its lifetime restarted) on the first save of each day.
"""
from __future__ import annotations

from datetime import date

from flask import Flask, Response, has_request_context, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from itsdangerous import URLSafeTimedSerializer

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


RENEWED_KEY = "d"


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Secure cookies when configured, or automatically for requests that came over https."""

    def __init__(self) -> None:
        self._serializers: dict[tuple[object, tuple[object, ...]], URLSafeTimedSerializer | None] = {}

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = bool(app.config.get("SESSION_COOKIE_SECURE"))
        return configured or (has_request_context() and request.is_secure)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer, made once per set of keys rather than twice per request (opening
        and saving the cookie; 19 µs each time, bench/README.md). It holds only the keys and
        settings, so threads can share it; a changed key (or fallback) makes a new one."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        made = self._serializers.get(keys)
        if made is None:
            made = self._serializers[keys] = super().get_signing_serializer(app)
        return made

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        """A changed cookie is always sent; an unchanged one is re-sent (its 30 days start
        again) on the first save of a day — not on every page view or save: signing and
        compressing the cookie was a tenth of a saved page's time. The day it was last sent
        is kept in it (``RENEWED_KEY``, a day number), nothing else."""
        if session.modified:
            return True
        if not (session.permanent and has_request_context() and request.method == "POST"):
            return False
        today = date.today().toordinal()
        if session.get(RENEWED_KEY) == today:
            return False
        session[RENEWED_KEY] = today
        return True


_LOWER_HEADERS = tuple((name.lower(), name, value) for name, value in HEADERS.items())


def add_security_headers(response: Response) -> Response:
    """Each of ``HEADERS`` that the view did not set itself, and ``no-store`` on HTML.

    One pass over the response's headers, then appends: ``Headers.setdefault`` scans the
    list and raises (and catches) a ``KeyError`` per missing name — six per response."""
    headers = response.headers
    present = {name.lower() for name, _ in headers.items()}
    for lower, name, value in _LOWER_HEADERS:
        if lower not in present:
            headers.add(name, value)
    if response.mimetype == "text/html":
        headers["Cache-Control"] = "no-store"
    return response


def init_security(app: Flask) -> None:
    app.session_interface = HttpsAwareSessionInterface()
    app.after_request(add_security_headers)
