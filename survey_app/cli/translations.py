"""``machikoe translations extract|update|compile|check|propose-readings``: the translator's workflow.

Domains: ``survey`` (the instrument's texts, source language Japanese) and ``messages``
(interface strings, English msgids). See translations/README.md.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import click

from survey_app.i18n import locales
from survey_app.i18n.catalogs import clear_cache, translations_dir
from survey_app.i18n.checks import check
from survey_app.i18n.readings import ReaderMissing, propose_readings
from survey_app.i18n.workflow import Workspace, compile_catalogs, extract, update
from survey_app.instrument import InstrumentError, bundled_path

DOMAINS = ("survey", "messages")

_Command = TypeVar("_Command", bound=Callable[..., None])
_T = TypeVar("_T")


def register(main: click.Group) -> None:
    main.add_command(translations)


def _workspace_options(command: _Command) -> _Command:
    command = click.option("--domain", "domain", type=click.Choice(["all", *DOMAINS]), default="all",
                           show_default=True, help="Which catalogs: instrument texts, interface, or both.")(command)
    command = click.option("--translations-dir", "translations_dir_", type=click.Path(file_okay=False, path_type=Path),
                           default=None, help="Catalog directory (default: the project's translations/).")(command)
    command = click.option("--instrument", "instrument", type=click.Path(dir_okay=False, path_type=Path),
                           multiple=True, help="Instrument YAML, repeatable "
                           "(default: every bundled survey in survey_app/instruments/).")(command)
    return command


def _known_locales(_ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [tag for tag in value if tag not in locales.supported()]
    if unknown:  # else "no catalog for this language (run: machikoe translations update)" sent one astray
        raise click.BadParameter(f"{', '.join(unknown)}: not a language of the registry "
                                 f"({', '.join(locales.supported())})")
    return value


def _locale_option(command: _Command) -> _Command:
    return click.option("--locale", "-l", "only", multiple=True, callback=_known_locales,
                        help="Only this language (repeatable); default: every language the domain needs.")(command)


def _workspace(instruments: tuple[Path, ...], directory: Path | None) -> Workspace:
    instruments = instruments or tuple(sorted(bundled_path().parent.glob("*.yaml")))
    for path in instruments:
        if not path.is_file():
            raise click.ClickException(f"instrument file not found: {path}")
    return Workspace(translations=directory or translations_dir(), instruments=tuple(instruments))


def _domains(domain: str) -> tuple[str, ...]:
    return DOMAINS if domain == "all" else (domain,)


def _run(action: Callable[[], _T]) -> _T:
    """Instrument errors become one line (file:line: id: problem), exit status 1."""
    try:
        return action()
    except InstrumentError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def translations() -> None:
    """Extract, update, compile and check the gettext catalogs (the languages of the registry)."""


@translations.command("languages")
def languages_command() -> None:
    """Print the language registry as the README's Markdown table."""
    click.echo(locales.markdown_table())


@translations.command("extract")
@_workspace_options
def extract_command(instrument: tuple[Path, ...], translations_dir_: Path | None, domain: str) -> None:
    """Write the templates translations/survey.pot and translations/messages.pot from the sources."""
    ws = _workspace(instrument, translations_dir_)
    for name in _domains(domain):
        path, count = _run(partial(extract, ws, name))
        click.echo(f"{name}: {count} entries -> {path}")


@translations.command("update")
@_workspace_options
@_locale_option
def update_command(instrument: tuple[Path, ...], translations_dir_: Path | None, domain: str,
                   only: tuple[str, ...]) -> None:
    """Extract, then merge into every language's .po (translations kept; changed source → fuzzy)."""
    ws = _workspace(instrument, translations_dir_)
    for name in _domains(domain):
        for locale, path, what in _run(partial(update, ws, name, tuple(only))):
            click.echo(f"{name}: {locale} {what} -> {path}")
    clear_cache()


@translations.command("compile")
@_workspace_options
@_locale_option
def compile_command(instrument: tuple[Path, ...], translations_dir_: Path | None, domain: str,
                    only: tuple[str, ...]) -> None:
    """Write .mo files (optional: the app reads .po directly; a newer .mo is used if present)."""
    ws = _workspace(instrument, translations_dir_)
    for name in _domains(domain):
        for locale, path, count in _run(partial(compile_catalogs, ws, name, tuple(only))):
            click.echo(f"{name}: {locale} {count} translations -> {path}")
    clear_cache()


@translations.command("check")
@_workspace_options
@_locale_option
def check_command(instrument: tuple[Path, ...], translations_dir_: Path | None, domain: str,
                  only: tuple[str, ...]) -> None:
    """Fail (exit 1) listing every missing, untranslated, fuzzy or malformed translation."""
    ws = _workspace(instrument, translations_dir_)
    problems, summary = _run(lambda: check(ws, _domains(domain), tuple(only)))
    for problem in problems:
        click.echo(str(problem), err=True)
    for name, (languages, count) in summary.items():
        click.echo(f"{name}: {count} entries checked in {', '.join(languages) or 'no language'}")
        for locale in languages:
            bad = len({p.entry for p in problems if p.domain == name and p.locale == locale})
            if bad:
                click.echo(f"  {locale}: {bad} of {count} entries need work")
    if problems:
        raise click.ClickException(f"{len(problems)} translation problem(s); see the list above")
    click.echo("translations OK")


@translations.command("propose-readings")
@_workspace_options
@click.option("--dry-run", is_flag=True, help="Only list the proposals; change no catalog.")
def propose_readings_command(instrument: tuple[Path, ...], translations_dir_: Path | None, domain: str,
                             dry_run: bool) -> None:
    """やさしい日本語: propose {漢字|かんじ} readings (pykakasi) for kanji without one; the entries become
    fuzzy, so nothing proposed is shown to residents until a person corrects it and removes the flag."""
    ws = _workspace(instrument, translations_dir_)
    try:
        proposals = _run(lambda: propose_readings(ws, _domains(domain), write=not dry_run))
    except ReaderMissing as exc:
        raise click.ClickException(str(exc)) from None
    for proposal in proposals:
        click.echo(str(proposal))
    verb = "would be marked" if dry_run else "marked"
    click.echo(f"{len(proposals)} entries with proposed readings {verb} fuzzy: check each reading, correct it, "
               "then remove the fuzzy flag (machikoe translations check lists them until then)")
    clear_cache()
