"""Rendering an indicator document for people: text table, CSV (Excel-ready), XLSX; and JSON.

Tables and CSV show one decimal and end with footnotes stating the base, the weighting
and the interval method; ``lang="ja"`` words everything in Japanese for the yearly
review. JSON is the document itself at full precision. The labels are a small table
here because this is a staff-facing report with exactly two languages.
"""
from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path

LABELS = {
    "en": {
        "indicator": "Indicator", "pct": "%", "ci": "{level}% CI", "n": "n", "neff": "n_eff (Kish)", "baseline": "Baseline",
        "change": "Change (pt)", "verdict": "Verdict", "target": "Target", "distance": "To target (pt)",
        "improved": "improved", "no detectable change": "no detectable change", "worsened": "worsened",
        "indicative": "indicative (baseline uncertainty unknown)",
        "caution": "interpret with caution", "suppressed": "suppressed (n<{suppress})",
        "title": "{survey}: indicators ({n} respondents)", "notes": "Notes",
        "base_valid": "Base: respondents who answered, excluding 'don't know' and no answer.",
        "base_all": "Base: all respondents; no answer and 'don't know' count as not agreeing.",
        "w_none": "Weighting: none (every response counts equally).",
        "w_rake": "Weighting: raked to the population margins ({dims}).",
        "w_poststratify": "Weighting: post-stratified to the population cells ({dims}).",
        "w_propensity": "Weighting: response-propensity adjustment of the invited sample{dims_then}.",
        "then_rake": ", then raked to the population margins ({dims})",
        "ci_logit": "Interval: {level}% confidence interval, logit method with the design's degrees of freedom "
                    "(as R's svyciprop); the variance accounts for the weighting.",
        "ci_beta": "Interval: {level}% confidence interval, Korn–Graubard (beta) method; the variance accounts "
                   "for the weighting.",
        "ci_wilson": "Interval: {level}% confidence interval, Wilson score method on the design-based effective "
                     "sample size.",
        "small": "Groups with fewer than {suppress} respondents are not shown, nor as many other groups as needed "
                 "so that none can be recovered by subtraction; fewer than {caution}: interpret with caution.",
        "baseline_note": "Change: a two-sample z test of the difference, adding the baseline's own standard error; "
                         "without it the verdict is only indicative. The official verdict is the weighted one.",
        "warning": "Warning", "note": "Note",
        "on_base_all": "(on the baseline's base: all respondents)",
        "on_base_valid": "(on the baseline's base: valid answers)",
    },
    "ja": {
        "indicator": "指標", "pct": "割合(%)", "ci": "{level}%信頼区間", "n": "回答数",
        "neff": "有効標本サイズ(Kish)", "baseline": "基準値",
        "change": "基準値との差(pt)", "verdict": "判定", "target": "目標値", "distance": "目標までの差(pt)",
        "improved": "改善", "no detectable change": "有意な変化なし", "worsened": "悪化",
        "indicative": "参考（基準値の誤差が不明）",
        "caution": "参考値（回答数が少ない）", "suppressed": "非表示（回答数{suppress}未満）",
        "title": "{survey} 指標一覧（回答者{n}人）", "notes": "注",
        "base_valid": "集計対象：当該設問の回答者（「わからない」と無回答を除く）。",
        "base_all": "集計対象：全回答者（無回答と「わからない」は「そう思わない」側に含む）。",
        "w_none": "ウェイト：なし（すべての回答を同じ重みで集計）。",
        "w_rake": "ウェイト：住民基本台帳の人口構成（{dims}）へのレイキングによる補正。",
        "w_poststratify": "ウェイト：住民基本台帳の人口区分（{dims}）による事後層化。",
        "w_propensity": "ウェイト：招待標本の回答傾向（回答確率）による無回答補正{dims_then}。",
        "then_rake": "の後、人口構成（{dims}）へのレイキング",
        "ci_logit": "信頼区間：{level}%信頼区間（ロジット法、設計に基づく自由度。Rのsvycipropと同じ）。"
                    "分散はウェイト補正を考慮しています。",
        "ci_beta": "信頼区間：{level}%信頼区間（Korn–Graubardのベータ法）。分散はウェイト補正を考慮しています。",
        "ci_wilson": "信頼区間：{level}%信頼区間（設計に基づく有効標本サイズによるWilson法）。",
        "small": "回答数が{suppress}人未満の区分は表示していません（差し引きで算出できないよう、必要に応じて他の区分も"
                 "非表示にしています）。{caution}人未満の区分は参考値です。",
        "baseline_note": "基準値との差：基準値自体の標準誤差も加えた2標本z検定で判定します。標準誤差が不明な場合は"
                         "参考判定です。公式の判定はウェイト補正後の値によるものです。",
        "warning": "注意", "note": "備考",
        "on_base_all": "（基準値と同じ集計対象：全回答者）", "on_base_valid": "（基準値と同じ集計対象：有効回答者）",
    },
}


def _labels(lang: str) -> dict[str, str]:
    return LABELS.get(lang, LABELS["en"])


def _f1(value) -> str:
    return "–" if value is None else f"{value:.1f}"


def _signed(value) -> str:
    return "–" if value is None else f"{value:+.1f}"


def _sizes(n_eff, kish) -> str:
    """Design-based (or Kish, when the design value would exceed n) effective n, Kish's in brackets."""
    return "–" if n_eff is None else f"{n_eff:.0f} ({kish:.0f})"


def _interval(low, high) -> str:
    return "–" if low is None or high is None else f"[{low:.1f}, {high:.1f}]"


def footnotes(doc: dict, lang: str, dims: str = "", thresholds=(10, 30)) -> list[str]:
    """Base, weighting, interval method, small groups, baseline rule and warnings."""
    lab = _labels(lang)
    level = round(100 * doc["level"])
    notes = [lab[f"base_{b}"] for b in sorted({i["base"] for i in doc["indicators"]}) or ["valid"]]
    then = lab["then_rake"].format(dims=dims) if dims else ""
    notes.append(lab[f"w_{doc['weighting']}"].format(dims=dims or "–", dims_then=then))
    notes.append(lab[f"ci_{doc['ci_method']}"].format(level=level))
    if any(i["groups"] for i in doc["indicators"]):
        notes.append(lab["small"].format(suppress=thresholds[0], caution=thresholds[1]))
    notes.append(lab["baseline_note"])
    notes += [f"{lab['warning']}: {w}" for w in doc["warnings"]]
    return notes


def rows(doc: dict, lang: str, thresholds=(10, 30)) -> tuple[list[str], list[list[str]]]:
    """Header and display rows (one decimal); groups follow their indicator, indented."""
    lab = _labels(lang)
    level = round(100 * doc["level"])
    header = [lab["indicator"], lab["pct"], lab["ci"].format(level=level), lab["n"], lab["neff"], lab["baseline"],
              lab["change"], lab["verdict"], lab["target"], lab["distance"], lab["note"]]
    out = []
    for ind in doc["indicators"]:
        base, change, target = ind["baseline"], ind["change_vs_baseline"], ind["target"]
        out.append([
            ind["title"], _f1(ind["estimate"]), _interval(ind["ci_low"], ind["ci_high"]), str(ind["n"]),
            _sizes(ind.get("n_eff"), ind.get("kish_n_eff")),
            f"{base['value']:.1f} ({base['year']})" if base and base["value"] is not None else "–",
            f"{_signed(change['estimate'])} {_interval(change['ci_low'], change['ci_high'])}" if change else "–",
            lab[change["verdict"]] if change else "–",
            f"{target['value']:.1f} ({target['year']})" if target and target["value"] is not None else "–",
            _signed(target.get("distance")) if target else "–", "",
        ])
        other = ind.get("on_baseline_base")
        if other:
            out.append([f"  {lab['on_base_' + other['base']]}", _f1(other["estimate"]),
                        _interval(other["ci_low"], other["ci_high"]), str(other["n"]), "", "", "", "", "", "", ""])
        for g in ind["groups"]:
            note = lab[g["flag"]].format(suppress=thresholds[0]) if g["flag"] else ""
            out.append([f"  {g['label']}", _f1(g["estimate"]), _interval(g["ci_low"], g["ci_high"]),
                        "–" if g["n"] is None else str(g["n"]), _sizes(g.get("n_eff"), g.get("kish_n_eff")),
                        "", "", "", "", "", note])
    return header, out


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * (width - _width(text))
    return space + text if right else text + space


def render_table(doc: dict, lang: str, title: str, dims: str = "", thresholds=(10, 30)) -> str:
    header, body = rows(doc, lang, thresholds)
    widths = [max(_width(r[i]) for r in [header, *body]) for i in range(len(header))]
    numeric = {1, 2, 3, 4, 6}
    lines = [_labels(lang)["title"].format(survey=title, n=doc["n_respondents"]), ""]
    for r in [header, *body]:
        lines.append("  ".join(_pad(c, w, i in numeric) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
                     .rstrip())
    lines.append("")
    lines.append(_labels(lang)["notes"] + ":")
    lines += [f"- {note}" for note in footnotes(doc, lang, dims, thresholds)]
    return "\n".join(lines) + "\n"


def render_csv(doc: dict, lang: str, dims: str = "", thresholds=(10, 30)) -> str:
    header, body = rows(doc, lang, thresholds)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[c.strip() if i == 0 else c for i, c in enumerate(r)] for r in body])
    writer.writerow([])
    for note in footnotes(doc, lang, dims, thresholds):
        writer.writerow([note])
    return buffer.getvalue()


def render_json(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def write_xlsx(doc: dict, lang: str, path: Path, title: str, dims: str = "", thresholds=(10, 30)) -> None:
    """One sheet: the table with full-precision numbers shown to one decimal, then the notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header, body = rows(doc, lang, thresholds)
    book = Workbook()
    sheet = book.active
    sheet.title = "indicators"
    sheet.append([_labels(lang)["title"].format(survey=title, n=doc["n_respondents"])])
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for ind, row in _numeric_rows(doc, body):
        sheet.append(row)
        if ind is not None:
            sheet.cell(sheet.max_row, 2).number_format = "0.0"
    sheet.append([])
    for note in footnotes(doc, lang, dims, thresholds):
        sheet.append([note])
    sheet.column_dimensions["A"].width = 48
    book.save(path)


def _numeric_rows(doc: dict, body: list[list[str]]):
    """Display rows with the estimate column as a number (so Excel can compute with it)."""
    values = []
    for ind in doc["indicators"]:
        values.append(ind["estimate"])
        if ind.get("on_baseline_base"):
            values.append(ind["on_baseline_base"]["estimate"])
        values += [g["estimate"] for g in ind["groups"]]
    for value, row in zip(values, body, strict=True):
        yield (value, [row[0], value, *row[2:]]) if value is not None else (None, row)
