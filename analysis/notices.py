"""Warnings that travel with a result, worded for staff in English or Japanese.

Each notice is a code and its parameters; the report renders it in the requested
language, so the JSON, the table and the staff pages say the same thing.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

TEMPLATES: dict[str, dict[str, str]] = {
    "missing_weighting_variable": {
        "en": "{n} respondent(s) did not give '{dimension}' (blank or a 'missing' code): they keep the weight "
              "from the other margins and the known '{dimension}' cells share the rest of the population.",
        "ja": "{n}人が「{dimension}」に回答していません（無回答または欠損扱いの選択肢）。他の周辺分布による"
              "ウェイトを保持し、「{dimension}」の既知の区分が残りの母集団を按分します。",
    },
    "totals_rescaled": {
        "en": "Population margin totals differ by up to {gap:.3%}; all margins were rescaled to the total of "
              "'{reference}' ({total:,.0f}).",
        "ja": "母集団の周辺分布の合計が最大{gap:.3%}異なるため、「{reference}」の合計（{total:,.0f}）に揃えました。",
    },
    "trimmed": {
        "en": "Weights trimmed to [{lower:.4g}, {upper:.4g}] ({n} weight(s) outside, strict).",
        "ja": "ウェイトを[{lower:.4g}, {upper:.4g}]に切り詰めました（範囲外{n}件、厳格）。",
    },
    "trimmed_margins": {
        "en": "Weights trimmed to [{lower:.4g}, {upper:.4g}] ({n} weight(s) outside, strict): the largest "
              "relative margin error after trimming is {error:.2%}.",
        "ja": "ウェイトを[{lower:.4g}, {upper:.4g}]に切り詰めました（範囲外{n}件、厳格）。切り詰め後の周辺分布の"
              "最大相対誤差は{error:.2%}です。",
    },
    "trimmed_calibrated": {
        "en": "Weights bounded to [{lower:.4g}, {upper:.4g}] inside the calibration ({n} weight(s) at a bound); "
              "the margins still hold (largest relative error {error:.1e}).",
        "ja": "ウェイトを補正の中で[{lower:.4g}, {upper:.4g}]に制限しました（境界値{n}件）。周辺分布は引き続き"
              "一致しています（最大相対誤差{error:.1e}）。",
    },
    "ignored_margins": {
        "en": "Post-stratification uses the cells of '{used}'; margin(s) {ignored} were not used.",
        "ja": "事後層化には「{used}」の区分を使用し、周辺分布 {ignored} は使用していません。",
    },
    "propensity_unrepresented": {
        "en": "No invited resident with {cell} responded: that part of the population is represented only "
              "through the model.",
        "ja": "{cell}の招待者からの回答がありません。この層は推定モデルを通してのみ反映されます。",
    },
    "open_responses": {
        "en": "{n} response(s) came without an invitation (open link): they get the average design weight.",
        "ja": "{n}件は招待状なし（公開リンク）の回答です。平均的な設計ウェイトを与えています。",
    },
    "degenerate_interval": {
        "en": "'{indicator}' is {estimate:.0%} in its base: the interval is the exact (Clopper–Pearson) "
              "interval on the Kish effective sample size.",
        "ja": "「{indicator}」は{estimate:.0%}のため、信頼区間はKishの有効標本サイズによる正確な"
              "（Clopper–Pearson）区間です。",
    },
    "degenerate_group": {
        "en": "'{indicator}' is {estimate:.0%} in the group {group}: every respondent there answered alike; its "
              "interval is the exact (Clopper–Pearson) interval on the Kish effective sample size.",
        "ja": "「{indicator}」は区分 {group} で{estimate:.0%}です（全員が同じ回答）。信頼区間はKishの有効標本サイズ"
              "による正確な（Clopper–Pearson）区間です。",
    },
    "no_base": {
        "en": "'{indicator}' has no respondent in its base: no estimate.",
        "ja": "「{indicator}」は集計対象となる回答がないため、推定値を算出できません。",
    },
    "baseline_without_se": {
        "en": "The baseline of '{indicator}' ({year}) is published without its standard error or sample size: "
              "its own sampling error is unknown, so the change is only indicative (never 'improved' or "
              "'worsened').",
        "ja": "「{indicator}」の基準値（{year}年度）は標準誤差・回答数が公表されていないため、基準値自体の誤差が"
              "不明です。変化は参考判定（「改善」「悪化」とはしません）です。",
    },
    "baseline_not_comparable": {
        "en": "The baseline of '{indicator}' was computed with {what} '{baseline}', this figure with '{figure}': "
              "they are not directly comparable.",
        "ja": "「{indicator}」の基準値は{what}「{baseline}」、今回の値は「{figure}」で算出されており、"
              "そのままでは比較できません。",
    },
    "sparse_cell_collapsed": {
        "en": "Calibration cell {cell} has {n} respondent(s) (fewer than {min_cell}): '{dimension}' categories "
              "{merged} were merged for weighting.",
        "ja": "ウェイト補正の区分 {cell} の回答者が{n}人（{min_cell}人未満）のため、「{dimension}」の区分 {merged} を"
              "統合して補正しました。",
    },
    "extreme_weight": {
        "en": "The largest weight is {ratio:.1f} times the mean (limit {limit:g}); {n} respondent(s) carry such "
              "weights, and the figures move with their answers.",
        "ja": "最大のウェイトが平均の{ratio:.1f}倍です（基準{limit:g}倍）。{n}人の回答が結果を大きく左右します。",
    },
    "n_eff_kish": {
        "en": "'{indicator}': the design-based effective sample size ({design:.0f}) exceeds the {n} respondents; "
              "the Kish effective sample size is reported instead.",
        "ja": "「{indicator}」：設計に基づく有効標本サイズ（{design:.0f}）が回答者数{n}人を超えるため、"
              "Kishの有効標本サイズを示しています。",
    },
}


@dataclass(frozen=True)
class Notice:
    code: str
    params: Mapping = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        templates = TEMPLATES[self.code]
        return templates.get(lang, templates["en"]).format(**self.params)
