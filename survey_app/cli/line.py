"""``machikoe line``: the LINE survey bot (webhook server), and ``machikoe line link``.

The LINE settings come through ``survey_app.config`` like every other (``MACHIKOE_<NAME>``, or the
plain names documented first): ``LINE_CHANNEL_SECRET`` and ``LINE_CHANNEL_ACCESS_TOKEN``
(Messaging API channel, LINE Developers console), ``LINE_API_BASE_URL`` (only to point the bot
at a local API server) and ``LINE_BASIC_ID``.
"""
from __future__ import annotations

import click

from survey_app import config

from .bot import _quiet_libraries, _survey_id
from .context import AppContext

DEFAULT_TIMEZONE = "Asia/Tokyo"


def register(main: click.Group) -> None:
    main.add_command(line)


def _required(name: str, how: str) -> str:
    value = (config.env_value(name) or "").strip()
    if not value:
        raise click.ClickException(f"{name} is not set ({how})")
    return value


@click.group(invoke_without_command=True)
@click.option("--survey", "survey_id", default=None, help="Survey id (default: the only loaded survey).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--reminder-hours", default=24.0, show_default=True, type=click.FloatRange(min=0.01),
              help="Hours after a resident's last message before a reminder (at most two).")
@click.option("--city-timezone", default=DEFAULT_TIMEZONE, show_default=True,
              help="Time zone of the quiet hours (no reminders 21:00–08:00).")
@click.pass_context
def line(ctx: click.Context, survey_id: str | None, host: str, port: int, reminder_hours: float,
         city_timezone: str) -> None:
    """Run the LINE survey bot: serves POST /line/webhook (LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN)."""
    if ctx.invoked_subcommand is not None:
        return
    app: AppContext = ctx.obj
    from bot.line import LineSettings
    from bot.line_server import run_line
    from bot.reminders import ReminderPolicy

    try:
        ReminderPolicy(timezone=city_timezone)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    settings = LineSettings(
        channel_secret=_required("LINE_CHANNEL_SECRET", "Messaging API channel → Basic settings → Channel secret"),
        access_token=_required("LINE_CHANNEL_ACCESS_TOKEN", "Messaging API channel → Messaging API → "
                                                           "Channel access token (long-lived)"),
        database_url=app.settings.database_url, secret=app.settings.secret_key,
        survey_id=_survey_id(app, survey_id), api_base_url=config.env_value("LINE_API_BASE_URL"),
        reminder_delay=reminder_hours * 3600, timezone=city_timezone)
    _quiet_libraries()
    click.echo(f"LINE bot for '{settings.survey_id}': POST http://{host}:{port}/line/webhook (Ctrl+C stops)")
    run_line(settings, host=host, port=port)


@line.command("link")
@click.argument("code")
@click.option("--basic-id", envvar=["MACHIKOE_LINE_BASIC_ID", "LINE_BASIC_ID"], required=True,
              help="The official account's basic ID, e.g. @123abcde (LINE Official Account Manager).")
def link(code: str, basic_id: str) -> None:
    """Print a link that opens the official account with “/start CODE” ready to send."""
    from survey_app import codes
    from survey_app.invitations import LineAccountError, line_account, line_link

    status, canonical = codes.check(code)
    if status != codes.CodeStatus.VALID:
        what = "has a typing mistake" if status == codes.CodeStatus.TYPO else "is not an invitation code"
        raise click.ClickException(f"'{code}' {what} (a code looks like K7QF-3MZD-8WXP-R2T8)")
    try:
        account = line_account(basic_id)
    except LineAccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(line_link(account, canonical))
