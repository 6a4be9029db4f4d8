"""The report as a workbook: one sheet per table, for staff who rework the figures in Excel.

Every sheet: the table's title in row 1, headers in row 2 (bold, frozen with the label column),
numbers as numeric cells — counts as integers, shares as fractions shown with a ``0.0%`` format
(so Excel sums them) — and column widths fitted to Japanese text. The rows of each 単純集計 sheet
add up to its base row; the groups of each クロス集計 sheet add up to its total row (unless a
group is suppressed, shown empty).
"""
from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from analysis.publication.build import Report
from survey_app.exports import as_text_cell, xlsx_text
from survey_app.i18n.catalogs import gettext
from survey_app.i18n.fmt import display_width
from survey_app.i18n.locales import native_name

Translate = Callable[..., str]  # msgid, **params → the text in the report's language

PCT = "0.0%"
POINTS = "+0.0;-0.0;0.0"
HEADER_FILL = PatternFill("solid", fgColor="E8EEF6")
MAX_WIDTH = 60


def _share(value: float | None) -> float | None:
    return None if value is None else value / 100.0


def _width(value: Any) -> int:
    return display_width(str(value if value is not None else ""))


class Sheets:
    def __init__(self, lang: str) -> None:
        self.book = Workbook()
        for empty in self.book.worksheets:  # a new workbook opens with one empty sheet
            self.book.remove(empty)
        self.lang = lang
        self.names: set[str] = set()

    def _name(self, name: str) -> str:
        name = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31]
        base, i = name, 2
        while name in self.names:
            name = f"{base[:28]}_{i}"
            i += 1
        self.names.add(name)
        return name

    def add(self, name: str, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]],
            pct_columns: Sequence[int] = (), notes: Sequence[str] = (), point_columns: Sequence[int] = ()) -> None:
        sheet = self.book.create_sheet(self._name(name))
        sheet.append([xlsx_text(title)])
        sheet["A1"].font = Font(bold=True, size=12)
        as_text_cell(sheet["A1"])
        sheet.append([xlsx_text(h) for h in header])
        for cell in sheet[2]:
            as_text_cell(cell)
            cell.font, cell.fill = Font(bold=True), HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="bottom")
        for row in rows:
            sheet.append([xlsx_text(v) if isinstance(v, str) else v for v in row])
            for cell in sheet[sheet.max_row]:
                as_text_cell(cell)  # a free comment "=HYPERLINK(…)" stays the resident's text
            for col in pct_columns:
                sheet.cell(sheet.max_row, col + 1).number_format = PCT
            for col in point_columns:  # percentage points (a change): one decimal, as every other view
                sheet.cell(sheet.max_row, col + 1).number_format = POINTS
        for note in notes:
            sheet.append([xlsx_text(note)])
            as_text_cell(sheet.cell(sheet.max_row, 1))
        sheet.freeze_panes = "B3"
        for i in range(len(header)):
            widest = max([_width(header[i]) // 2 + 2, *(_width(r[i]) for r in rows if i < len(r))], default=8)
            sheet.column_dimensions[get_column_letter(i + 1)].width = min(max(widest + 2, 8), MAX_WIDTH)


def write_xlsx(report: Report) -> bytes:
    lang = report.lang

    def _(msgid: str, **params: object) -> str:
        return gettext(lang, msgid, **params)

    sheets = Sheets(lang)
    _overview(sheets, report, _)
    _indicators(sheets, report, _)
    for t in report.frequencies:
        rows = [[row.label, row.n, _share(row.pct), _share(row.wpct)] for row in t.rows]
        if not t.suppressed:
            rows.append([_("Base (respondents)"), t.base_n, None if t.multi else 1.0, None if t.multi else 1.0])
        notes = [t.condition] if t.condition else []
        if t.suppressed:
            notes.append(_("Not shown: fewer than %(n)d respondents were asked this question, so their answers "
                           "could be told apart.", n=report.thresholds[0]))
        sheets.add(_("Q%(n)d", n=t.number), f"{_('Q%(n)d', n=t.number)} {t.text}",
                   ["", _("Answers (n)"), _("Share (%)"), _("Weighted (%)")], rows, (2, 3), notes)
    for c in report.crosses:
        rows = [[row.label + (" ※" if row.flag == "caution" else ""), row.n, *(_share(v) for v in row.cells)]
                for row in c.rows]
        sheets.add(f"{_('Q%(n)d', n=c.table.number)}×{c.by_text}", f"{_('Q%(n)d', n=c.table.number)} {c.table.text} × "
                   f"{c.by_text}", ["", "n", *c.columns], rows, tuple(range(2, 2 + len(c.columns))))
    comments = [[g.area, native_name(g.locale), g.question, text] for g in report.comments for text in g.comments]
    withheld_comments = [_(
        "Comments to questions asked only after certain answers are not printed when they are written in a "
        "language fewer than %(min)d respondents answered in: they would tell who answered what.",
        min=report.thresholds[0])] if report.small_languages else []
    sheets.add(_("Free comments"), _("5. Free comments (自由意見)"),
               [_("Area"), _("Language"), _("Question"), _("Comment")], comments, notes=withheld_comments)
    withheld = [[_("4. Cross tabulation (クロス集計)"), note] for note in report.crosses_withheld]
    methods = [list(m) for m in report.methods] + withheld
    sheets.add(_("Methods"), _("6. Survey methods"), [_("Item"), _("Description")], methods)
    buffer = io.BytesIO()
    sheets.book.save(buffer)
    return buffer.getvalue()


def _overview(sheets: Sheets, report: Report, _: Translate) -> None:
    first, last = report.fieldwork
    facts: list[list[object]] = [
        [_("Survey"), report.title], [_("Fieldwork"), f"{first} – {last} ({report.timezone})"],
        [_("Produced"), str(report.produced)], [_("Population"), report.population],
        [_("Letters"), report.letters], [_("Undeliverable"), report.undeliverable],
        [_("Responses"), report.invited + report.open], [_("Invited (letter with a code)"), report.invited],
        [_("Open, no code (self-selected)"), report.open], [_("Response rate"), _share(report.response_rate)]
    ]
    sheets.add(_("Overview"), _("1. Survey overview"), [_("Item"), _("Value")], facts)
    sheets.book[sheets.book.sheetnames[-1]].cell(len(facts) + 2, 2).number_format = PCT
    returned = [[r.sample, r.channel, r.language, r.n] for r in report.returned]
    returned.append([_("Total"), "", "", report.invited + report.open])
    sheets.add(_("Responses"), _("Responses by sample, channel and language"),
               [_("Sample"), _("Channel"), _("Language"), _("Responses")], returned)
    if report.rates:
        sheets.add(_("Response rate"), _("Response rate by stratum"),
                   [_("Stratum"), "", _("Letters"), _("Undeliverable"), _("Responded"), _("Rate (%)")],
                   [[r.dimension, r.label, r.letters, r.undeliverable, r.responded, _share(r.rate)]
                    for r in report.rates], (5,))
    for comp in report.composition:
        sheets.add(comp.question[:20], comp.question,
                   ["", _("Population (%)"), _("Respondents (n)"), _("Respondents (%)"), _("Weighted (%)")],
                   [[r.label, _share(r.population), r.n, _share(r.unweighted), _share(r.weighted)] for r in comp.rows],
                   (1, 3, 4))


def _indicators(sheets: Sheets, report: Report, _: Translate) -> None:
    level = round(100 * report.indicators.level)
    header = [_("Indicator"), _("Estimate (%)"), _("Interval low (%)"), _("Interval high (%)"), "n",
              _("Baseline (%)"), _("Baseline year"), _("Target (%)"), _("Target year"), _("Change (pt)"), _("Verdict")]
    verdicts = {"improved": _("improved"), "no detectable change": _("no detectable change"),
                "worsened": _("worsened"), "indicative": _("indicative (baseline uncertainty unknown)")}
    caution = report.thresholds[1]
    small = [f for f in report.indicators.figures if f.n and f.n < caution]
    rows = [[f.title + (" ※" if f in small else ""), _share(f.estimate), _share(f.ci_low), _share(f.ci_high), f.n,
             _share(f.baseline), f.baseline_year, _share(f.target),
             f.target_year if f.target is not None else None,  # no year for a target not set (as the PDF)
             f.change,
             verdicts.get(f.verdict or "", "")]
            for f in report.indicators.figures]
    notes = [text for _h, text in report.methods[1:5]]
    if small:  # as the PDF marks them
        notes.insert(0, "※ " + _("fewer than %(n)d respondents: interpret with caution", n=caution))
    sheets.add(_("Indicators"), _("2. Indicators") + f" ({_('%(level)d%% interval', level=level)})", header, rows,
               (1, 2, 3, 5, 7), notes, point_columns=(9,))
    _open_responses(sheets, report, _)


def _open_responses(sheets: Sheets, report: Report, _: Translate) -> None:
    """The open responses beside the figures, as the PDF shows them (unweighted, no interval)."""
    summary = report.indicators.open
    if summary is None or not summary.n_respondents or not report.invited:
        return
    titles = {f.id: f.title for f in report.indicators.figures}
    rows = [[titles.get(o.id, o.id), _share(o.share), o.n] for o in summary.indicators]
    notes = [_("%(n)d responses came through the open link, the chat without a code or an open paper form. They "
               "chose to answer, so they do not represent the residents: their shares are shown unweighted and "
               "without an interval, and they are not in the figures above.", n=summary.n_respondents)]
    if any(o.flag for o in summary.indicators):
        notes.append("– : " + _("suppressed (fewer than %(n)d respondents, or hidden with such a group)",
                                n=report.thresholds[0]))
    sheets.add(_("Open responses"), _("Open responses (without a letter's code)"),
               [_("Indicator"), _("Share (unweighted)"), "n"], rows, (1,), notes)
