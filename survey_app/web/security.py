"""Security headers and cookie policy.

- CSP allows only the app's own scripts and styles: no inline script, no inline style,
  nothing from another origin (no CDN, no external fonts).
- ``Referrer-Policy: no-referrer`` everywhere: survey URLs can carry an invitation code.
- HTML is ``no-store``: a shared phone's back button must not show someone's answers
  from the cache; it asks the server, which answers with the current state.
- The session cookie is SameSite=Lax and HttpOnly, and Secure when the app is
  configured so (``SESSION_COOKIE_SECURE``) or the request arrived over https.
"""
from __future__ import annotations

from flask import Flask, Response, has_request_context, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin

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


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Secure cookies when configured, or automatically for requests that came over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = bool(app.config.get("SESSION_COOKIE_SECURE"))
        return configured or (has_request_context() and request.is_secure)

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        """A changed cookie is always sent; an unchanged one is re-sent (its 30 days start
        again) when the resident saves something, not on every page view — signing and
        compressing the cookie is a measurable share of a page's time."""
        if session.modified:
            return True
        return session.permanent and has_request_context() and request.method == "POST"


def add_security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response


def init_security(app: Flask) -> None:
    app.session_interface = HttpsAwareSessionInterface()
    app.after_request(add_security_headers)
