"""``machikoe indicators``: weighted indicators with confidence intervals (issue 6).

Either a survey in the database (``--survey``: complete responses, invitations, stored
margins) or files (``--instrument`` + ``--responses``). Bad input — margins that do not
fit, unknown columns, bad codes, all answers missing — is one line and exit status 1.
"""
from __future__ import annotations

from pathlib import Path

import click

from analysis import (
    CI_METHODS,
    WEIGHTING_METHODS,
    AnalysisError,
    Options,
    SurveyResult,
    Thresholds,
    compute,
    compute_for_survey,
)
from analysis.frame import Frame, frame_from_csv
from analysis.methods import DEFAULT_CI, DEFAULT_LEVEL
from analysis.report import render_json, render_table, table_rows
from analysis.samples import SAMPLES
from analysis.weighting import Margin, margins_from_rows
from survey_app import exports
from survey_app.csvio import CsvError
from survey_app.i18n import locales
from survey_app.instrument import Instrument, InstrumentError, load_instrument
from survey_app.population import MarginRow, read_population_csv

from .context import AppContext, check_output_folder, pass_app

ENCODINGS = click.Choice(["auto", "utf-8", "cp932"])


def register(main: click.Group) -> None:
    main.add_command(indicators)


def parse_trim(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[float, float] | None:
    if value is None:
        return None
    try:
        low, high = (float(part) for part in value.split(","))
    except ValueError:
        raise click.BadParameter("expected LOW,HIGH, e.g. 0.3,3") from None
    if not 0 <= low < 1 < high:
        raise click.BadParameter("LOW,HIGH are multiples of the mean weight with LOW < 1 < HIGH, e.g. 0.3,3")
    return low, high


@click.command()
@click.option("--survey", "survey_id", help="Survey id in the database, e.g. ebetsu-2025.")
@click.option("--instrument", "instrument_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Instrument YAML (with --responses, instead of --survey).")
@click.option("--responses", "responses_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Responses CSV: question ids as header, codes in cells; optional weight, stratum, psu, fpc.")
@click.option("--population", "population_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Population margins CSV (dimension,category,count); default: the survey's stored margins.")
@click.option("--weighting", type=click.Choice(WEIGHTING_METHODS), default="none", show_default=True,
              help="none: every response counts equally; design: the recorded design's weights; the others "
                   "start from the design weights.")
@click.option("--sample", type=click.Choice(SAMPLES), default="invited", show_default=True,
              help="invited: the letters' random sample; open: self-selected answers (no interval); combined: "
                   "both, by the Chen-Li-Wu model.")
@click.option("--trim", callback=parse_trim, metavar="LOW,HIGH",
              help="Trim weights to LOW..HIGH times the mean weight (R trimWeights, strict).")
@click.option("--ci", type=click.Choice(CI_METHODS), default=DEFAULT_CI, show_default=True,
              help="Confidence interval method.")
@click.option("--level", type=click.FloatRange(0.5, 0.999), default=DEFAULT_LEVEL, show_default=True,
              help="Confidence level.")
@click.option("--by", "by", multiple=True, metavar="QID", help="Break down by a question (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "xlsx"]), default="table",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file (xlsx: required).")
@click.option("--lang", type=click.Choice(locales.SUPPORTED), default=locales.DEFAULT, show_default=True,
              help="Language of titles, labels, footnotes and notices.")
@click.option("--suppress-below", type=click.IntRange(1), default=10, show_default=True,
              help="Groups with fewer respondents are suppressed.")
@click.option("--caution-below", type=click.IntRange(1), default=30, show_default=True,
              help="Groups with fewer respondents are flagged 'interpret with caution'.")
@click.option("--min-cell", type=click.IntRange(1), default=20, show_default=True,
              help="Calibration cells with fewer respondents are merged with an ordered neighbour, else their "
                   "margin is left out (named in a notice).")
@click.option("--encoding", type=ENCODINGS, default="auto", show_default=True, help="Encoding of the CSV files.")
@pass_app
def indicators(app: AppContext, survey_id: str | None, instrument_path: Path | None, responses_path: Path | None,
               population_path: Path | None, weighting: str, sample: str, trim: tuple[float, float] | None,
               ci: str, level: float, by: tuple[str, ...], fmt: str, output: Path | None, lang: str,
               suppress_below: int, caution_below: int, min_cell: int, encoding: str) -> None:
    """Weighted indicators with confidence intervals, breakdowns and change from baseline."""
    if bool(survey_id) == bool(instrument_path or responses_path):
        raise click.UsageError("give either --survey ID or --instrument PATH --responses FILE.csv")
    if (instrument_path and not responses_path) or (responses_path and not instrument_path):
        raise click.UsageError("--instrument and --responses go together")
    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx needs --output FILE.xlsx")
    if output is not None:  # said before the figures are computed
        check_output_folder(output)
    by = tuple(b.strip() for item in by for b in item.split(",") if b.strip())
    options = Options(weighting, trim, ci, level, by, Thresholds(caution_below, suppress_below), lang,
                      sample=sample, min_cell=min_cell)
    if survey_id:
        result, instrument = _from_database(app, survey_id, population_path, options, encoding)
    else:
        assert instrument_path and responses_path  # checked above: they go together
        result, instrument = _from_files(instrument_path, responses_path, population_path, options, encoding)
    _emit(result, instrument, fmt, output, lang)


def _margin_rows(population_path: Path | None, instrument: Instrument, encoding: str) -> list[MarginRow] | None:
    if population_path is None:
        return None
    try:
        return read_population_csv(population_path, instrument, encoding=encoding)
    except CsvError as exc:
        raise click.ClickException(f"{population_path}: {exc}") from None


def _margins(population_path: Path | None, instrument: Instrument, encoding: str) -> tuple[Margin, ...] | None:
    rows = _margin_rows(population_path, instrument, encoding)
    return None if rows is None else margins_from_rows(rows)


def _compute(frame: Frame, margins: tuple[Margin, ...] | None, options: Options) -> SurveyResult:
    try:
        return compute(frame, margins or (), options)
    except (AnalysisError, CsvError) as exc:
        raise click.ClickException(str(exc)) from None


def _from_database(app: AppContext, survey_id: str, population_path: Path | None, options: Options,
                   encoding: str) -> tuple[SurveyResult, Instrument]:
    with app.session() as session:
        instrument = app.instrument(session, survey_id)
        rows = _margin_rows(population_path, instrument, encoding)  # None: the stored ones (marked if examples)
        try:
            return compute_for_survey(session, instrument, options, rows), instrument
        except (AnalysisError, CsvError) as exc:
            raise click.ClickException(str(exc)) from None


def _from_files(instrument_path: Path, responses_path: Path, population_path: Path | None, options: Options,
                encoding: str) -> tuple[SurveyResult, Instrument]:
    try:
        instrument = load_instrument(instrument_path)
    except (InstrumentError, OSError) as exc:
        raise click.ClickException(f"{instrument_path}: {exc}") from None
    margins = _margins(population_path, instrument, encoding)
    try:
        frame = frame_from_csv(responses_path, instrument, encoding=encoding)
    except (CsvError, AnalysisError) as exc:
        raise click.ClickException(f"{responses_path}: {exc}") from None
    return _compute(frame, margins, options), instrument


def _emit(result: SurveyResult, instrument: Instrument, fmt: str, output: Path | None, lang: str) -> None:
    """One renderer per format; CSV and XLSX are the staff console's indicator table, byte for byte.
    Files are written 0600 (they may hold small-group figures)."""
    from survey_app.config import write_private
    from survey_app.i18n.texts import InstrumentTexts

    named = InstrumentTexts(instrument, lang).name_ids  # notices name 「年齢」, not 「age_band」, as on the dashboard
    if fmt == "xlsx":
        assert output is not None  # the command refuses xlsx without --output
        write_private(output, b"".join(exports.xlsx_stream([("indicators", table_rows(result, lang, named))])))
        click.echo(f"written: {output}", err=True)
        return
    if fmt == "csv":
        text = b"".join(exports.csv_stream(table_rows(result, lang, named))).decode("utf-8").removeprefix(exports.BOM)
    elif fmt == "json":
        text = render_json(result, lang)
    else:
        text = render_table(result, lang, InstrumentTexts(instrument, lang).title(), named)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_private(output, text.encode("utf-8-sig" if fmt == "csv" else "utf-8"))  # bytes: no newline change
        click.echo(f"written: {output}", err=True)
