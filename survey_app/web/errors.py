"""Friendly error pages in the resident's language for every HTTP error.

The handlers touch neither the database nor the survey: they must work when those are
the problem. A blueprint may register its own handler (the survey pages re-show the
posted answers after a CSRF failure); these are the app-wide fallbacks.
"""
from __future__ import annotations

import logging

from flask import Flask, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from survey_app.i18n import N_

log = logging.getLogger(__name__)

# status -> (title msgid, explanation msgid)
PAGES = {
    400: (N_("The page could not be read"),
          N_("Something in what your browser sent was not as expected. Please go back and try again.")),
    403: (N_("This page is not available"), N_("You do not have access to this page.")),
    404: (N_("Page not found"), N_("Please check the address, or start again from the home page.")),
    405: (N_("This page cannot be opened this way"),
          N_("Please go back and use the buttons on the page.")),
    413: (N_("Too much was sent at once"),
          N_("What you sent was too large. Please shorten long answers and try again. "
             "Answers saved earlier are kept.")),
    429: (N_("Too many attempts"), N_("Please wait a few minutes and try again.")),
    500: (N_("Something went wrong on our side"),
          N_("Answers saved earlier are kept. Please try again in a few minutes.")),
}
CSRF_PAGE = (N_("This page has expired"),
             N_("For your security, pages expire. Please go back, reload the page and try again."))


def render_error(status: int, title: str, message: str, staff_message: str | None = None,
                 **params: object) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    """The error page; ``staff_message`` (with ``params``) replaces ``message`` in the console."""
    # Staff keep their console around the error (menu, their language, a way back to it); if that page
    # cannot be drawn (its menu needs the signed-in account, and so the database), the plain one is.
    for template in (("staff/error.html", "error.html") if request.blueprint == "staff" else ("error.html",)):
        try:
            shown = staff_message if staff_message and template.startswith("staff/") else message
            return render_template(template, title=title, message=shown, status=status, params=params), status
        except Exception:
            log.exception("error page %s for %s could not be rendered", template, status)
    return "Error / エラー", status, {"Content-Type": "text/plain; charset=utf-8"}


STAFF_TOO_LARGE = N_("The file is larger than the %(mb)d MB a staff upload may be. Split it into several "
                     "files, or save it without the columns that are not needed.")


def handle_http_error(exc: HTTPException) -> ResponseReturnValue:
    status = exc.code or 500
    title, message = PAGES.get(status, PAGES[400] if status < 500 else PAGES[500])
    if status == 413 and request.blueprint == "staff":  # an upload, not a resident's long answers
        mb = int(current_app.config["STAFF_MAX_UPLOAD"]) // (1024 * 1024)
        return render_error(status, title, message, STAFF_TOO_LARGE, mb=mb)
    return render_error(status, title, message)


def handle_csrf_error(_exc: CSRFError) -> ResponseReturnValue:
    return render_error(400, *CSRF_PAGE)


def handle_unexpected(exc: InternalServerError) -> ResponseReturnValue:
    original = getattr(exc, "original_exception", None)
    if original is not None:
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=original)
    return render_error(500, *PAGES[500])


def init_errors(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(HTTPException, handle_http_error)
