"""Laying out the report: HTML (for the browser and for print) and PDF through the project's one
renderer (:func:`survey_app.pdf.html_to_pdf`, WeasyPrint: A4, page numbers, a table of contents
with page numbers, Noto fonts embedded, inline SVG charts as vectors).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from analysis.publication.build import Report
from analysis.publication.charts import BarChart, bar_chart
from analysis.publication.tables import FreqTable
from survey_app.i18n import N_, locales
from survey_app.i18n.catalogs import gettext, ngettext
from survey_app.i18n.fmt import fiscal_year_label, format_date, one_decimal
from survey_app.i18n.locales import direction, native_name

TEMPLATES = Path(__file__).parent / "templates"
CHAPTERS = (("overview", N_("1. Survey overview")), ("indicators", N_("2. Indicators")),
            ("simple", N_("3. Simple tabulation (単純集計)")), ("cross", N_("4. Cross tabulation (クロス集計)")),
            ("comments", N_("5. Free comments (自由意見)")), ("methods", N_("6. Survey methods")))
VERDICTS = {"improved": N_("improved"), "no detectable change": N_("no detectable change"),
            "worsened": N_("worsened"), "indicative": N_("indicative (baseline uncertainty unknown)")}
BASE_WORDS = {"valid": N_("respondents who answered, excluding “don't know”"), "all": N_("all respondents")}

PRINT_CSS = """
@page { @top-right { content: string(chapter); font-size: 8pt; color: #555; } }
@page :first { @bottom-center { content: none; } @top-right { content: none; } }
body { margin: 0; }
h1 { font-size: 24pt; margin: 0 0 6mm; line-height: 1.3; }
h2 { font-size: 15pt; border-bottom: 1.5pt solid #1d4f91; padding-bottom: 1.5mm; margin: 0 0 4mm;
     string-set: chapter content(); }
h3 { font-size: 11pt; margin: 6mm 0 2mm; break-after: avoid; }
.chapter { break-before: page; }
.cover { height: 240mm; display: flex; flex-direction: column; justify-content: center; text-align: center; }
.cover-year { font-size: 14pt; margin: 0 0 4mm; }
.cover-sub { font-size: 18pt; margin: 0 0 30mm; }
.cover-facts { width: auto; margin: 0 auto; font-size: 11pt; border: none; }
.cover-facts th, .cover-facts td { border: none; padding: 1mm 3mm; white-space: nowrap; }
.cover-facts th { font-weight: bold; text-align: right; } .cover-facts td { text-align: left; }
.toc { break-before: page; }
.toc ol { list-style: none; padding: 0; font-size: 12pt; }
.toc li { margin: 3mm 0; }
.toc a { color: #111; text-decoration: none; display: block; border-bottom: 0.5pt dotted #999; }
.toc a::after { content: target-counter(attr(href), page); float: right; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; font-size: 8.5pt; break-inside: avoid; }
caption { text-align: left; font-weight: bold; font-size: 9.5pt; padding: 1mm 0; caption-side: top; }
th, td { border: 0.5pt solid #999; padding: 1mm 1.5mm; vertical-align: top; }
thead th { background: #e8eef6; font-weight: bold; text-align: center; vertical-align: bottom; }
tbody th { text-align: left; font-weight: normal; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
thead th.num { text-align: center; }
tr.total th, tr.total td { background: #f3f3f3; font-weight: bold; }
.nowrap { white-space: nowrap; }
.facts th { width: 28mm; background: #f3f3f3; text-align: left; }
.note { font-size: 8pt; color: #444; font-weight: normal; }
.lead { font-size: 9pt; color: #333; }
.condition { font-size: 8.5pt; color: #333; margin: 0 0 1mm; }
.question { break-inside: avoid; margin-bottom: 4mm; }
.question table.freq { width: 80%; }
.qno { color: #1d4f91; margin-right: 1mm; }
.by { color: #1d4f91; }
.cross-block { break-inside: avoid; margin-bottom: 3mm; }
.cross-title { font-weight: bold; font-size: 9.5pt; margin: 3mm 0 1mm; break-after: avoid; }
table.cross { font-size: 7.5pt; table-layout: fixed; margin-top: 0; }
table.cross col.label { width: 30mm; } table.cross col.n { width: 14mm; }
.indicator { break-inside: avoid; }
.figure-line { font-size: 9pt; margin: 0 0 1mm; }
figure { margin: 0 0 3mm; } figcaption { font-size: 8pt; color: #444; }
svg { display: block; }
.footnotes { font-size: 8pt; color: #333; }
/* Bullets and note numbers are text in the template, not list markers: WeasyPrint lays out each
   marker as an absolute box, which was a fifth of the PDF's time with a thousand comments. */
ul.comments, ol.footnotes { list-style: none; padding: 0; }
ul.comments { font-size: 9pt; } ul.comments li { margin: 0 0 1.5mm; padding-inline-start: 1em; text-indent: -1em; }
/* printed as written: a pasted address or a run of one letter has no break of its own and ran off the page */
ul.comments li, dd { overflow-wrap: anywhere; }
ul.comments[dir=rtl] { font-family: "Noto Naskh Arabic", "Noto Sans Arabic", sans-serif; }
table.indicators { table-layout: fixed; }
/* the verdict 「参考（基準値の誤差が不明）」 took three lines at 22 mm */
table.indicators col.title { width: 42mm; } table.indicators .note { white-space: nowrap; } table.indicators col.verdict { width: 30mm; }
table.indicators col.interval { width: 22mm; }
h3.area { border-left: 3pt solid #1d4f91; padding-left: 2mm; }
/* a heading (注意) is never left at the foot of a page with its text on the next */
.methods dt { font-weight: bold; margin-top: 3mm; break-after: avoid; } .methods dd { margin: 0.5mm 0 0 0; }
"""


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _pct(value: float | None) -> str:
    return one_decimal(value)  # 四捨五入 (survey_app.i18n.fmt)


def _signed(value: float | None) -> str:
    return one_decimal(value, signed=True)


def _base_word(lang: str, base: str) -> str:
    msgid = BASE_WORDS.get(base) or BASE_WORDS["valid"]
    return gettext(lang, msgid)


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["pct1"] = one_decimal  # 四捨五入 to one decimal, as every table of the report
    return env


def _bars(table: FreqTable) -> BarChart:
    return bar_chart([(row.label, row.wpct) for row in table.rows])


def render_html(report: Report) -> str:
    """The whole report as one HTML document (what the PDF is printed from)."""
    lang = report.lang

    def _(msgid: str, **params: object) -> str:
        return gettext(lang, msgid, **params)

    def day(value: date | None) -> str:
        return "–" if value is None else format_date(value, lang, "long")

    first, last = report.fieldwork
    level = round(100 * report.indicators.level)
    strata = sorted({row.dimension for row in report.rates})
    sep = locales.list_separator(lang)
    return _environment().get_template("report.html").render(
        r=report, css=PRINT_CSS, _=_, num=_num,
        ngettext=lambda one, many, n, **params: ngettext(lang, one, many, n, num=n, **params), pct=_pct, signed=_signed, day=day, level=level,
        chapters=[(cid, _(heading)) for cid, heading in CHAPTERS], period=f"{day(first)} – {day(last)}",
        interval=lambda lo, hi: "–" if lo is None or hi is None else f"{one_decimal(lo)}–{one_decimal(hi)}",
        fy=lambda y: fiscal_year_label(y, lang), verdict=lambda v: _(VERDICTS[v]) if v in VERDICTS else "–",
        base_word=lambda b: _base_word(lang, b), bars=_bars, language=native_name,
        direction=direction, margin_words=sep.join(report.margin_names) or "–", strata_words=sep.join(strata),
        indicator_notes=[text for heading, text in report.methods[1:5]],
        titles={f.id: f.title for f in report.indicators.figures},
        suppress=report.thresholds[0], caution=report.thresholds[1])


def render_pdf(report: Report) -> bytes:
    from survey_app.pdf import html_to_pdf

    return html_to_pdf(render_html(report), allowed_dirs=(TEMPLATES,),
                       title=f"{report.title} {gettext(report.lang, 'Survey report')}")

