"""The bridge to the analysis package: options, the issue-6 result, footnotes, verdicts.

The dashboard, the exports and the API all call :func:`compute`, so the three show the
same numbers. Options are checked here: the pages fall back to defaults for a bad query
string (``options_from``), the API refuses it with a 400 (``parse_options``).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from analysis import indicators_json
from survey_app.exports import count_complete
from survey_app.i18n import N_
from survey_app.i18n.catalogs import get_translations
from survey_app.instrument import Instrument
from survey_app.population import margins_for

WEIGHTINGS = ("none", "poststratify", "rake", "propensity")
CI_METHODS = ("logit", "beta", "wilson")
DEFAULT_LEVEL = 0.95


@dataclass(frozen=True)
class Options:
    weighting: str = "rake"
    by: tuple[str, ...] = ()
    ci: str = "logit"
    level: float = DEFAULT_LEVEL


class OptionError(ValueError):
    def __init__(self, parameter: str, message: str):
        self.parameter = parameter
        super().__init__(message)


class IndicatorProblem(ValueError):
    """The analysis refused (no responses, margins that do not fit, ...): its message, for staff."""


def parse_options(args: Mapping[str, str], instrument: Instrument, *, multi_by: list[str] | None = None) -> Options:
    """Strict: any unknown value raises OptionError naming the parameter."""
    weighting = args.get("weighting") or "rake"
    if weighting not in WEIGHTINGS:
        raise OptionError("weighting", f"weighting must be one of {', '.join(WEIGHTINGS)}")
    ci = args.get("ci") or "logit"
    if ci not in CI_METHODS:
        raise OptionError("ci", f"ci must be one of {', '.join(CI_METHODS)}")
    level = _level(args.get("level"))
    allowed = breakdown_questions(instrument)
    by = tuple(dict.fromkeys(b for b in (multi_by if multi_by is not None else [args.get("by") or ""]) if b))
    for qid in by:
        if qid not in allowed:
            raise OptionError("by", f"by must be one of {', '.join(allowed)}")
    return Options(weighting, by, ci, level)


def _level(raw: str | None) -> float:
    if raw in (None, ""):
        return DEFAULT_LEVEL
    try:
        level = float(raw)
    except ValueError:
        raise OptionError("level", "level must be a number between 0.5 and 0.999") from None
    if not 0.5 <= level <= 0.999:
        raise OptionError("level", "level must be a number between 0.5 and 0.999")
    return level


def options_from(args: Mapping[str, str], instrument: Instrument) -> Options:
    """Lenient (pages): a bad value falls back to its default."""
    try:
        return parse_options(args, instrument)
    except OptionError:
        return Options()


def breakdown_questions(instrument: Instrument) -> list[str]:
    """Single-choice questions that describe residents (not the indicator questions themselves)."""
    measured = {ind.question for ind in instrument.indicators}
    return [q.id for q in instrument.questions if q.type == "single" and q.id not in measured]


def compute(session: Session, instrument: Instrument, options: Options, lang: str = "ja") -> dict:
    """The issue-6 JSON document for this survey and these options; titles, labels, warnings in ``lang``."""
    from ..context import gettext

    if count_complete(session, instrument.id) == 0:
        raise IndicatorProblem(gettext("Survey '%(survey)s' has no complete responses yet: there is nothing to "
                                       "estimate.", survey=instrument.id))
    margins = margins_for(session, instrument.id)
    if options.weighting != "none" and not margins:
        raise IndicatorProblem(gettext("There are no population margins yet: weighted estimates need them. "
                                       "Upload margins, or choose unweighted."))
    try:
        return indicators_json(session, instrument, weighting=options.weighting, by=list(options.by),
                               ci=options.ci, level=options.level, margins=margins, lang=lang)
    except ValueError as exc:
        raise IndicatorProblem(str(exc)) from None


# ---------------------------------------------------------------- words around the numbers

BASE_NOTES = {
    "valid": N_("Base: respondents who answered the question, excluding “don't know” and no answer."),
    "all": N_("Base: all respondents; no answer and “don't know” count as not agreeing."),
}
WEIGHTING_NOTES = {
    "none": N_("Unweighted: every response counts equally."),
    "rake": N_("Weighted by raking to the resident register's population by age band, sex and district; "
               "the intervals account for the weighting."),
    "poststratify": N_("Weighted by post-stratification to the resident register's population cells."),
    "propensity": N_("Weighted for non-response by a response-propensity model of the invited sample."),
}
CI_NOTES = {
    "logit": N_("Interval: %(level)d%% confidence interval by the logit method with the design's degrees "
                "of freedom (as R's svyciprop)."),
    "beta": N_("Interval: %(level)d%% confidence interval by the Korn–Graubard (beta) method."),
    "wilson": N_("Interval: %(level)d%% confidence interval by the Wilson score method."),
}
SMALL_GROUPS = N_("Groups with fewer than 10 respondents are not shown, nor as many other groups as needed so "
                  "that none can be recovered by subtraction; fewer than 30: interpret with caution.")
VERDICTS = {"improved": N_("improved"), "no detectable change": N_("no detectable change"),
            "worsened": N_("worsened"), "indicative": N_("indicative (baseline uncertainty unknown)")}
OFFICIAL_VERDICT = N_("The official change verdict is the weighted one: a two-sample test of the difference that "
                      "adds the baseline's own standard error; without that error the verdict is only indicative.")


def footnotes(result: dict, locale: str) -> list[str]:
    """Base, weighting and interval method, in ``locale`` (the yearly review wants Japanese)."""
    translations = get_translations(locale)
    bases = sorted({ind.get("base", "valid") for ind in result.get("indicators", [])}) or ["valid"]
    notes = [translations.gettext(BASE_NOTES.get(b, BASE_NOTES["valid"])) for b in bases]
    notes.append(translations.gettext(WEIGHTING_NOTES.get(result.get("weighting"), WEIGHTING_NOTES["none"])))
    level = round(100 * float(result.get("level") or DEFAULT_LEVEL))
    notes.append(translations.gettext(CI_NOTES.get(result.get("ci_method"), CI_NOTES["logit"])) % {"level": level})
    notes.append(translations.gettext(SMALL_GROUPS))
    notes.append(translations.gettext(OFFICIAL_VERDICT))
    return notes


def verdict_label(change: dict | None) -> str:
    """'+2.3 pt (improved)' in the staff member's language; '–' without a baseline."""
    from ..context import gettext

    if not change:
        return "–"
    verdict = change.get("verdict")
    difference = change.get("estimate", change.get("difference"))
    text = gettext(VERDICTS[verdict]) if verdict in VERDICTS else (verdict or "")
    if difference is None:
        return text or "–"
    return f"{float(difference):+.1f} pt ({text})" if text else f"{float(difference):+.1f} pt"
