"""HTML to PDF for everything Machikoe prints: the published report and the invitation letters.

One renderer for the whole project: WeasyPrint over the project's own HTML and CSS. Why WeasyPrint:
it lays out Japanese (line breaking, vertical metrics) through Pango and HarfBuzz, embeds and
subsets the fonts it uses (so ``pdftotext`` extracts the Japanese exactly), draws inline SVG charts
as vectors, and supports paged-media CSS (``@page`` size, margins, page counters for page numbers
and a table of contents).

Fonts come from Debian packages the Makefile installs (``fonts-noto-cjk`` for Japanese,
``fonts-noto-core`` for Latin, Vietnamese and Urdu/Arabic script) and are found through fontconfig.
Nothing is fetched from the network: the URL fetcher below serves only ``data:`` URLs and files
inside the directories the caller allows — a stray ``http://`` reference in a template fails
loudly instead of reaching out (city networks and LGWAN block the internet anyway).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

#: The font families, first match wins, for the languages Machikoe prints.
FONT_STACK = '"Noto Sans CJK JP", "Noto Sans", "Noto Naskh Arabic", "Noto Sans Arabic", sans-serif'

#: A4 with room for a window envelope's address block; pages numbered at the foot.
BASE_CSS = f"""
@page {{ size: A4; margin: 18mm 16mm 20mm 16mm;
        @bottom-center {{ content: counter(page) " / " counter(pages); font-size: 8pt; color: #444; }} }}
html {{ font-family: {FONT_STACK}; font-size: 10pt; line-height: 1.55; color: #111; }}
"""


class PdfError(RuntimeError):
    """The document could not be rendered (a resource outside the allowed folders, a broken file)."""


def _fetcher(allowed: tuple[Path, ...]) -> URLFetcher:
    """A WeasyPrint fetcher that serves ``data:`` URLs and files under ``allowed``, nothing else."""
    from weasyprint.urls import URLFetcher

    class BundledOnly(URLFetcher):
        def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
            if url.startswith("file://"):
                path = Path(url[len("file://"):].split("?")[0]).resolve()
                if not any(path.is_relative_to(root) for root in allowed):
                    raise PdfError(f"refused to read '{path}' while printing: not a bundled file")
            elif not url.startswith("data:"):
                raise PdfError(f"refused to load '{url[:80]}' while printing: no network at run time")
            return super().fetch(url, headers)

    return BundledOnly(allowed_protocols=("file", "data"), fail_on_errors=True)


def html_to_pdf(html: str, *, stylesheets: Iterable[str] = (), allowed_dirs: Iterable[Path] = (),
                base_url: Path | None = None, title: str | None = None) -> bytes:
    """Render ``html`` (a whole document) to PDF bytes.

    ``stylesheets`` are CSS texts applied after :data:`BASE_CSS` (so a document can change the
    page margins or add running headers). ``allowed_dirs`` are the only folders files may be read
    from (images, fonts); ``base_url`` resolves relative references. ``title`` sets the PDF's
    document title (shown by PDF readers and screen readers) when the HTML has none.

    Raises :class:`PdfError` for a reference outside the allowed folders.
    """
    from weasyprint import CSS, HTML
    from weasyprint.urls import FatalURLFetchingError

    roots = tuple(Path(d).resolve() for d in allowed_dirs)
    if base_url is not None:
        roots += (Path(base_url).resolve(),)
    document = HTML(string=html, base_url=str(base_url) if base_url else None, url_fetcher=_fetcher(roots))
    css = [CSS(string=BASE_CSS), *(CSS(string=text) for text in stylesheets)]
    try:
        rendered = document.render(stylesheets=css)
    except FatalURLFetchingError as exc:
        cause = exc.__cause__
        raise cause if isinstance(cause, PdfError) else PdfError(str(exc)) from exc
    if title and not rendered.metadata.title:
        rendered.metadata.title = title
    return rendered.write_pdf()
