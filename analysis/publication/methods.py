"""調査方法: the method notes, written from the run (what was actually done), not boilerplate."""
from __future__ import annotations

import numpy as np

from analysis.publication.adapter import IndicatorSummary
from analysis.publication.data import ReportData
from analysis.publication.tables import short_label
from analysis.report import DESIGN_WITHOUT_RECORD
from survey_app.i18n import N_, locales
from survey_app.i18n.catalogs import gettext
from survey_app.i18n.texts import InstrumentTexts

WEIGHTING_TEXT = {
    "none": N_("No weighting: every response counts equally. Shares describe the respondents, not the "
               "population."),
    "design": N_("Design weights only: each invited respondent stands for the residents of their sampling "
                 "stratum (population ÷ respondents). The population margins could not be used with these "
                 "responses; the notices below say why."),
    "rake": N_("Raking (iterative proportional fitting) of the design weights to the population margins "
               "%(margins)s, to a relative error below 1e-10."),
    "poststratify": N_("Post-stratification of the design weights to the population cells %(margins)s."),
    "propensity": N_("A response-propensity model of the invited sample (logistic regression on the "
                     "sampling strata), then raking to the population margins %(margins)s."),
}
CI_TEXT = {
    "logit": N_("%(level)d%% confidence intervals by the logit method with the design's degrees of freedom "
                "(as R's svyciprop); the variance is Taylor-linearised and accounts for the weighting."),
    "beta": N_("%(level)d%% confidence intervals by the Korn–Graubard (beta) method; the variance is "
               "Taylor-linearised and accounts for the weighting."),
    "wilson": N_("%(level)d%% confidence intervals by the Wilson score method on the design-based effective "
                 "sample size."),
}


def _count(value: float) -> str:
    return format(round(value), ",")


def _weighting_text(data: ReportData, margins: str, lang: str) -> str:
    """What the weights were made by. Design weights without a recorded design are all equal: "each
    invited respondent stands for the residents of their sampling stratum" would describe strata
    that do not exist (the same wording as the dashboard's, ``analysis.report.weighting_note``)."""
    if data.weighting == "design" and any(n.code == "no_recorded_design" for n in data.indicators.notices):
        return gettext(lang, DESIGN_WITHOUT_RECORD)
    return gettext(lang, WEIGHTING_TEXT[data.weighting], margins=margins)


def method_notes(data: ReportData, summary: IndicatorSummary, lang: str) -> list[tuple[str, str]]:
    """(heading, paragraph) pairs for the 調査方法 section, in ``lang``."""
    def _(msgid: str, **params: object) -> str:
        return gettext(lang, msgid, **params)

    n = len(data.frame)
    invited_mask = data.frame.invited_mask()  # the probability sample: the one definition (analysis.frame)
    invited = int(invited_mask.sum())
    # the margins the weights were calibrated to: early in fieldwork sparse ones are left out
    used = [m for m in data.margins if m.name in data.indicators.margins]
    names = [" × ".join(short_label(data.instrument, d, lang) for d in m.dims) for m in used]
    margins = locales.list_separator(lang).join(names) or "–"
    # The spread and Kish's effective size are those of the invited sample the figures come from:
    # open responses weigh 0 in them (reported beside), and may be all there is early in fieldwork
    # — then there is no spread to state, and the notice no_invited_responses says why.
    sample = data.weights[invited_mask]
    spread = ""
    if sample.size:
        relative = sample / sample.mean()
        spread = " " + _("Weights relative to their mean range from %(low).2f to %(high).2f; Kish's effective "
                         "sample size is %(kish)s of %(n)s.", low=float(relative.min()), high=float(relative.max()),
                         kish=_count(float(sample.sum() ** 2 / np.sum(sample ** 2))), n=_count(sample.size))
    notes = [
        (_("Sample"), _("%(n)s complete responses: %(invited)s from residents invited by letter (the probability "
                        "sample) and %(open)s open responses without an invitation code (open link, chat or paper "
                        "form; self-selected). %(partial)s unfinished responses are not counted.",
                        n=_count(n), invited=_count(invited), open=_count(n - invited),
                        partial=_count(data.fieldwork.partial))),
        (_("Weighting"), _weighting_text(data, margins, lang) + spread),
        (_("Intervals"), _(CI_TEXT[summary.ci_method], level=round(100 * summary.level))),
        (_("Bases"), _("Indicators: respondents who answered the question, excluding “don't know” and no answer "
                       "(base “valid”), or all respondents (base “all”), as each indicator states. Simple "
                       "tabulations and cross tables: every respondent the question applied to, with “no answer” "
                       "as a row of its own; multiple-choice questions as shares of respondents, so they may add "
                       "up to more than 100 percent.")),
        (_("Change and verdict"), _("Change: a two-sample test of the difference that adds the baseline's own "
                                    "standard error; without that error the verdict is only indicative. The "
                                    "official verdict is the weighted one.")),
        (_("Suppression"), _("In cross tables, a group with fewer than %(suppress)d respondents, or with fewer than "
                             "%(suppress)d answers other than \"don't know\" and no answer, shows neither its "
                             "percentages nor its number; fewer than %(caution)d respondents is marked ※ (interpret "
                             "with caution).", suppress=data.options.thresholds.suppress_below,
                             caution=data.options.thresholds.caution_below)
         + " " + _("Further groups, smallest first, are hidden too, until the hidden groups are at least two, "
                   "hold at least %(suppress)d respondents together and did not all give the same answer, so that "
                   "none of them can be worked out from the total.",
                   suppress=data.options.thresholds.suppress_below)
         + " " + _("Respondents who left the breakdown question blank count as one more group that is never "
                   "shown. A question asked of fewer than %(suppress)d respondents is not tabulated, and a comment "
                   "to a question asked only after certain answers is not printed when fewer than %(suppress)d "
                   "respondents answered in its language.", suppress=data.options.thresholds.suppress_below)),
        (_("Free comments"), _("Every comment is printed in the language it was written in. E-mail addresses, "
                               "phone numbers, postal codes and names before an honorific (さん, 様) are masked.")),
    ]
    words = InstrumentTexts(data.instrument, lang)  # a council reads names, not the instrument's ids
    for notice in summary.notices:
        notes.append((_("Notice"), words.name_ids(notice.text) + (f" [{notice.code}]" if notice.code else "")))
    return notes
