"""``machikoe survey settings`` and ``machikoe survey targets``: survey metadata kept in the database
(回答期限, sender, contact; baselines, targets, history), changed without a new instrument version."""
from __future__ import annotations

import click

from survey_app import survey_settings
from survey_app.instrument import Target

from .context import AppContext, pass_app
from .surveys import survey


def register(main: click.Group) -> None:
    """The commands join the ``survey`` group (registered by ``survey_app.cli.surveys``)."""


def _pairs(values: tuple[str, ...]) -> dict[str, str]:
    pairs = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.ClickException(f"'{item}' is not KEY=VALUE")
        pairs[key.strip()] = value
    return pairs


@survey.command("settings")
@click.option("--survey", "survey_id", required=True)
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE",
              help="e.g. response_deadline=2026-01-31 or contact_phone=011-381-1010 (empty value: remove).")
@pass_app
def survey_settings_command(app: AppContext, survey_id: str, assignments: tuple[str, ...]) -> None:
    """Show or change the survey's settings (letters, fieldwork period, 回答期限); changes are audited."""
    with app.session() as session:
        app.instrument(session, survey_id)
        if assignments:
            try:
                changed = survey_settings.update(session, survey_id, _pairs(assignments), "cli")
            except survey_settings.SettingError as exc:
                raise click.ClickException(str(exc)) from None
            click.echo(f"{len(changed)} setting(s) changed" + (f": {', '.join(changed)}" if changed else ""))
        current = survey_settings.read(session, survey_id)
    for spec in survey_settings.SPECS:
        click.echo(f"{spec.key:<18} {current.get(spec.key, '')}")


@survey.command("targets")
@click.option("--survey", "survey_id", required=True)
@click.option("--set", "assignments", multiple=True, metavar="ID=VALUE@YEAR",
              help="childcare=60@2029 (target), childcare.baseline=55.0@2023, childcare.history=52.1@2022; "
                   "an empty VALUE clears it.")
@pass_app
def survey_targets(app: AppContext, survey_id: str, assignments: tuple[str, ...]) -> None:
    """Show or set indicator baselines, targets and history (audited; no new instrument version)."""
    from survey_app import indicator_values

    with app.session() as session:
        instrument = app.instrument(session, survey_id)
        try:
            parsed = [indicator_values.parse_assignment(item) for item in assignments]
            for assignment in parsed:
                indicator_values.set_value(session, instrument, assignment, "cli")
        except indicator_values.IndicatorValueError as exc:
            session.rollback()
            raise click.ClickException(str(exc)) from None
        if parsed:
            click.echo(f"{len(parsed)} value(s) set")
        instrument = app.instrument(session, survey_id)
    for ind in instrument.indicators:
        def show(target: Target | None) -> str:
            return f"{target.value:g}@{target.year}" if target and target.value is not None else "–"
        history = " ".join(f"{h.value:g}@{h.year}" for h in ind.history)
        click.echo(f"{ind.id:<16} baseline {show(ind.baseline):<12} target {show(ind.target):<12} history {history}")
