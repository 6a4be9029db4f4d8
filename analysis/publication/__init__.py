"""The published report (市民意識調査報告書) and its spreadsheet, from the core and the analysis only.

``build_report`` computes everything (:mod:`.build`), ``render_html``/``render_pdf`` lay it out
(:mod:`.layout`), ``write_xlsx`` writes one sheet per table (:mod:`.xlsx`). The CLI
(``machikoe report``) and the staff console's 報告書 page both call :func:`report_bytes`, so
they produce the same files. No Flask here: the web imports this package, never the reverse.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from analysis.publication.build import WEIGHTINGS, Report, build_report
from survey_app.i18n import locales
from survey_app.instrument import Instrument

FORMATS = ("pdf", "xlsx", "html")
MIMETYPES = {"pdf": "application/pdf", "html": "text/html",  # Flask adds "; charset=utf-8" to text/*
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def render(report: Report, fmt: str) -> bytes:
    """The report as a file of format ``fmt`` (pdf, xlsx or html)."""
    from analysis.publication.layout import render_html, render_pdf
    from analysis.publication.xlsx import write_xlsx

    if fmt == "pdf":
        return render_pdf(report)
    if fmt == "xlsx":
        return write_xlsx(report)
    if fmt == "html":
        return render_html(report).encode("utf-8")
    raise ValueError(f"unknown report format '{fmt}' (use {', '.join(FORMATS)})")


def report_bytes(session: Session, instrument: Instrument, fmt: str, weighting: str = "rake",
                 lang: str = locales.DEFAULT) -> bytes:
    """Build and render in one call (CLI and console)."""
    return render(build_report(session, instrument, weighting, lang), fmt)


__all__ = ["FORMATS", "MIMETYPES", "WEIGHTINGS", "Report", "build_report", "render",
           "report_bytes"]
