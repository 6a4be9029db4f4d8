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
    "ignored_margins": {
        "en": "Post-stratification uses the cells of '{used}'; margin(s) {ignored} were not used.",
        "ja": "事後層化には「{used}」の区分を使用し、周辺分布 {ignored} は使用していません。",
    },
    "propensity_unrepresented": {
        "en": "No invited resident with {cell} responded: that part of the population is represented only "
              "through the model.",
        "ja": "{cell}の招待者からの回答がありません。この層は推定モデルを通してのみ反映されます。",
    },
    "open_responses_excluded": {
        "en": "{n} open response(s) (no invitation code: open link, chat or paper form without a code) are not in "
              "these figures, which come from the invited random sample; they are shown separately without an "
              "interval.",
        "ja": "招待コードのない回答（公開リンク・コードなしのチャット・コードなしの紙）{n}件は、無作為抽出した"
              "招待標本による本集計には含めていません。信頼区間を付けずに別掲しています。",
    },
    "no_invited_responses": {
        "en": "No invited (randomly sampled) resident has responded yet: there is no figure for the indicators; "
              "{n} open response(s) are shown separately.",
        "ja": "招待標本（無作為抽出）からの回答がまだないため、指標の推定値はありません。公開回答{n}件は別掲しています。",
    },
    "open_sample": {
        "en": "These figures come from the {n} open responses: a self-selected sample, unweighted, without an "
              "interval; they do not represent the city's residents.",
        "ja": "この集計は公開回答{n}件（自発的に回答した標本）によるもので、ウェイトなし・信頼区間なしです。"
              "市民全体を代表するものではありません。",
    },
    "combined_estimator": {
        "en": "Combined estimate (Chen, Li & Wu 2020, doubly robust): the invited sample is the reference "
              "probability sample for the {n_open} open response(s), combined with the invited estimate by "
              "minimum variance. Assumption: taking part through the open link depends only on {covariates}; "
              "if it depends on the opinion itself, the figure is biased.",
        "ja": "統合推定（Chen, Li & Wu 2020の二重頑健推定）：招待標本を基準の確率標本として公開回答{n_open}件を"
              "補正し、招待標本の推定値と分散最小となるよう統合しました。仮定：公開リンクから回答するかどうかは"
              "{covariates}のみによって決まる。意見そのものによって決まる場合、推定値は偏ります。",
    },
    "combined_without_open": {
        "en": "There are no open responses: the combined figure is the invited sample's design estimate.",
        "ja": "公開回答がないため、統合推定は招待標本の設計に基づく推定値と同じです。",
    },
    "no_recorded_design": {
        "en": "No sampling design is recorded for this survey (invitations made without --stratify-by): the "
              "invited sample is analysed as a simple random sample.",
        "ja": "この調査には抽出設計が記録されていないため（--stratify-by なしで招待状を作成）、招待標本を単純無作為"
              "抽出として集計しています。",
    },
    "unrecorded_stratum": {
        "en": "{n} invited response(s) carry no recorded sampling stratum: they get the average design weight.",
        "ja": "招待回答{n}件は記録された抽出層に属さないため、平均的な設計ウェイトを与えています。",
    },
    "stratum_without_respondents": {
        "en": "No respondent yet in sampling stratum {strata}: its population is represented only through "
              "calibration to the margins.",
        "ja": "抽出層 {strata} からの回答がまだありません。この層の人口は周辺分布への補正を通してのみ反映されます。",
    },
    "lonely_psu": {
        "en": "Sampling stratum {strata} has a single respondent: its variance is estimated as R's "
              "survey.lonely.psu = \"adjust\" (centred at the overall mean; conservative).",
        "ja": "抽出層 {strata} の回答者が1人のため、その分散はRの survey.lonely.psu = \"adjust\" と同じ方法"
              "（全体平均を中心とする保守的な推定）で求めています。",
    },
    "weighting_fallback:collapsed": {
        "en": "The weighting could not meet every margin ({reason}). Sparse categories were merged ({merged}); "
              "margins left out: {dropped}.",
        "ja": "すべての周辺分布に合わせられなかったため、回答のない区分を統合しました（{merged}）。"
              "使用しなかった周辺分布：{dropped}。",
    },
    "weighting_fallback:poststratified": {
        "en": "The weighting could not meet every margin ({reason}): post-stratified to '{used}' only "
              "(merged: {merged}; left out: {dropped}).",
        "ja": "すべての周辺分布に合わせられなかったため、「{used}」のみで事後層化しました"
              "（統合：{merged}、不使用：{dropped}）。",
    },
    "weighting_fallback:design": {
        "en": "The weighting could not meet the margins ({reason}): the figures use the design weights only.",
        "ja": "周辺分布に合わせられなかったため（回答のない区分があるなど）、設計ウェイトのみで集計しています。",
    },
    "degenerate_interval": {
        "en": "'{indicator}' is {estimate:.0%} in its base: the interval is the exact (Clopper–Pearson) "
              "interval on the Kish effective sample size.",
        "ja": "「{indicator}」は{estimate:.0%}のため、信頼区間はKishの有効標本サイズによる正確な"
              "（Clopper–Pearson）区間です。",
    },
    "no_base": {
        "en": "'{indicator}' has no respondent in its base: no estimate.",
        "ja": "「{indicator}」は集計対象となる回答がないため、推定値を算出できません。",
    },
}


@dataclass(frozen=True)
class Notice:
    code: str
    params: Mapping = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        """The message in ``lang``; a code with variants (``weighting_fallback``) picks ``code:step``."""
        templates = TEMPLATES.get(f"{self.code}:{self.params.get('step')}") or TEMPLATES[self.code]
        return templates.get(lang, templates["en"]).format(**self.params)
