"""The bridge to the analysis package: query strings → :class:`analysis.Options` → a :class:`SurveyResult`.

The dashboard, the exports and the API all call :func:`compute`, so the three show the
same numbers; :mod:`analysis.report` words them. Options are checked here: the pages
fall back to defaults for a bad query string (``options_from``), the API refuses it with
a 400 (``parse_options``). The method names come from :mod:`analysis.methods`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from sqlalchemy.orm import Session

from analysis import CI_METHODS, WEIGHTING_METHODS, AnalysisError, Options, SurveyResult, compute_for_survey
from analysis.breakdown import BY_LOCALE
from analysis.methods import DEFAULT_CI, DEFAULT_LEVEL
from analysis.samples import SAMPLES
from survey_app.exports import count_complete
from survey_app.i18n import N_, catalogs, locales
from survey_app.instrument import Instrument

#: The pages and the API: raked by default, and an indicator nobody has answered yet is
#: ``None`` with a notice rather than an error for the whole table.
WEB_DEFAULTS = Options(weighting="rake", strict=False)


class OptionError(ValueError):
    def __init__(self, parameter: str, message: str):
        self.parameter = parameter
        super().__init__(message)


class IndicatorProblem(ValueError):
    """The analysis refused (no responses, margins that do not fit, ...): ``message`` (a msgid when
    the analysis gave one) and ``params``; :meth:`text` in a language, ``str()`` in English."""

    def __init__(self, message: str, **params: object) -> None:
        self.message, self.params = message, params
        super().__init__(message % params if params else message)

    def text(self, locale: str) -> str:
        return catalogs.gettext(locale, self.message, **self.params)


def parse_options(args: Mapping[str, str], instrument: Instrument, *, multi_by: list[str] | None = None) -> Options:
    """Strict: any unknown value raises OptionError naming the parameter."""
    weighting = args.get("weighting") or WEB_DEFAULTS.weighting
    if weighting not in WEIGHTING_METHODS:
        raise OptionError("weighting", f"weighting must be one of {', '.join(WEIGHTING_METHODS)}")
    ci = args.get("ci") or DEFAULT_CI
    if ci not in CI_METHODS:
        raise OptionError("ci", f"ci must be one of {', '.join(CI_METHODS)}")
    level = _level(args.get("level"))
    sample = args.get("sample") or "invited"
    if sample not in SAMPLES:
        raise OptionError("sample", f"sample must be one of {', '.join(SAMPLES)}")
    allowed = breakdowns(instrument)
    by = tuple(dict.fromkeys(b for b in (multi_by if multi_by is not None else [args.get("by") or ""]) if b))
    for qid in by:
        if qid not in allowed:
            raise OptionError("by", f"by must be one of {', '.join(allowed)}")
    return replace(WEB_DEFAULTS, weighting=weighting, by=by, ci=ci, level=level, sample=sample)


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
        return WEB_DEFAULTS


def breakdown_questions(instrument: Instrument) -> list[str]:
    """Single-choice questions that describe residents (not the indicator questions themselves)."""
    measured = {ind.question for ind in instrument.indicators}
    return [q.id for q in instrument.questions if q.kind.groups_residents and q.id not in measured]


def breakdowns(instrument: Instrument) -> list[str]:
    """What a table may be broken down by: the resident questions, then the language answered in."""
    return [*breakdown_questions(instrument), BY_LOCALE]


def compute(session: Session, instrument: Instrument, options: Options, lang: str | None = None) -> SurveyResult:
    """The result for this survey and these options; titles and group labels in ``lang``."""
    if count_complete(session, instrument.id) == 0:
        raise IndicatorProblem(N_("Survey '%(survey)s' has no complete responses yet: there is nothing to "
                                  "estimate."), survey=instrument.id)
    # The stored margins (none: a calibrated figure falls back to the design weights with a notice, never a
    # dead page); the bundled example margins are said first (compute_for_survey).
    try:
        return compute_for_survey(session, instrument, replace(options, lang=lang or locales.default()))
    except AnalysisError as exc:
        raise IndicatorProblem(exc.message, **exc.params) from None
    except ValueError as exc:
        raise IndicatorProblem(str(exc)) from None
