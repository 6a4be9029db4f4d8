"""A resident's first view of a survey page, rendered once per way of reaching it and kept.

Most page views are a first look at a page: no answer on it yet, no error, no notice. That
HTML is the same for every resident who reaches the page the same way — the same survey
version, page, questions shown, progress ("3 / 12"), language, furigana setting, address and
query — except for the form's CSRF token. So it is rendered once with a slot where the token
goes, kept (least recently used first out, per app), and every view gets its own token put in
the slot. Rendering the page was about half of a page view's CPU (issue 16, item 9).

What keeps one resident's data out of another's page: only views with nothing of the resident's
in them are kept (no stored or posted value, no error, no notice — :func:`eligible`); the token,
the one personal thing left, is never kept. A reloaded catalog changes the key (its generation),
so an edited translation shows at once; with template auto-reload on (debug), nothing is kept.
"""
from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from flask import current_app, request
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from survey_app.i18n import catalogs, locales

from ..context import current_locale
from ..rich import furigana_hidden

MAX_PAGES = 2048  # a few dozen pages × languages × progress counts; query strings are bounded by this too
_SLOT = f"csrf-slot-{secrets.token_hex(16)}"  # no page text can contain it by chance


class PageCache:
    """Rendered pages by key, least recently used dropped first; safe across a worker's threads."""

    def __init__(self, size: int) -> None:
        self.size, self._pages, self._lock = size, OrderedDict[Hashable, str](), threading.Lock()

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            html = self._pages.get(key)
            if html is not None:
                self._pages.move_to_end(key)
            return html

    def put(self, key: Hashable, html: str) -> None:
        with self._lock:
            self._pages[key] = html
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def __len__(self) -> int:
        return len(self._pages)

    def kept_keys(self) -> list[Hashable]:
        """The kept pages' keys, oldest use first (tests, and a look in a debugger)."""
        with self._lock:
            return list(self._pages)


def eligible(shown: Mapping[str, set[str]], errors: Mapping[str, Any] | None, notice: str | None,
             status: int) -> bool:
    """Nothing of the resident's on the page: no value shown in a field, no error, no notice."""
    return status == 200 and not errors and notice is None and not any(shown.values())


def first_view(page: Hashable, draw: Callable[[Callable[[], str]], str], *, form: bool = True) -> str:
    """The page for ``page`` (what the view knows: survey version, page, questions, progress),
    from the cache or drawn now; ``draw(csrf_token)`` renders it with that token function.
    ``form=False``: a page without a form (the thank-you page), which takes no token at all."""
    token = str(escape(generate_csrf())) if form else None  # also keeps the session's CSRF secret
    app = current_app
    if app.jinja_env.auto_reload:  # templates may change under us (debug): draw every time
        return _with_token(draw(lambda: _SLOT), token)
    cache: PageCache | None = app.extensions.get("machikoe_page_cache")
    if cache is None:
        cache = app.extensions.setdefault("machikoe_page_cache", PageCache(MAX_PAGES))
    locale = current_locale()
    furigana = furigana_hidden() if locales.uses_ruby(locale) else None  # as the page's furigana switch asks
    key = (page, locale, furigana, catalogs.generation(),
           request.script_root, request.path, tuple(request.args.items(multi=True)))
    html = cache.get(key)
    if html is None:
        html = draw(lambda: _SLOT)
        if html.count(_SLOT) != (1 if form else 0):  # not the page this module knows: never keep it
            return _with_token(html, token)
        cache.put(key, html)
    return _with_token(html, token)


def _with_token(html: str, token: str | None) -> str:
    """The page with this view's token in its slot (a page that was to have no form but asked
    for a token gets a real one, and is not kept)."""
    if _SLOT not in html:
        return html
    return html.replace(_SLOT, token if token is not None else str(escape(generate_csrf())))
