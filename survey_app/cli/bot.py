"""``machikoe bot``: the Telegram bot (polling by default, or a webhook) and ``machikoe bot link``."""
from __future__ import annotations

import asyncio
import logging

import click

from .context import AppContext, pass_app


def register(main: click.Group) -> None:
    main.add_command(bot)


def _quiet_libraries() -> None:
    """INFO for the bot's own pseudonymous log lines; libraries at WARNING.

    httpx logs every request URL at INFO, and a Bot API URL contains the bot token.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("httpx", "httpcore", "apscheduler", "telegram", "telegram.ext"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _token(app: AppContext) -> str:
    token = app.settings.telegram_bot_token
    if not token:
        raise click.ClickException("TELEGRAM_BOT_TOKEN is not set (create a bot with @BotFather and export "
                                   "its token: TELEGRAM_BOT_TOKEN=… machikoe bot)")
    return token


def _survey_id(app: AppContext, survey_id: str | None) -> str:
    from survey_app.surveys import list_surveys

    with app.session() as session:
        if survey_id:
            app.instrument(session, survey_id)  # a clear error when it is not loaded
            return survey_id
        loaded = [s.id for s in list_surveys(session)]
    if len(loaded) != 1:
        raise click.ClickException("choose the survey with --survey ID (loaded: "
                                   f"{', '.join(loaded) or 'none; run: machikoe survey load'})")
    return loaded[0]


@click.group(invoke_without_command=True)
@click.option("--survey", "survey_id", default=None, help="Survey id (default: the only loaded survey).")
@click.option("--webhook-url", default=None,
              help="Public HTTPS URL Telegram should call (webhook mode); without it the bot polls.")
@click.option("--listen", default="127.0.0.1", show_default=True, help="Webhook mode: address to listen on.")
@click.option("--port", default=8443, show_default=True, type=click.IntRange(1, 65535),
              help="Webhook mode: port to listen on.")
@click.option("--reminder-hours", default=24.0, show_default=True, type=click.FloatRange(min=0.01),
              help="Hours after a resident's last message before a reminder (at most two).")
@click.option("--city-timezone", default="Asia/Tokyo", show_default=True,
              help="Time zone of the quiet hours (no reminders 21:00–08:00).")
@click.pass_context
def bot(ctx: click.Context, survey_id: str | None, webhook_url: str | None, listen: str, port: int,
        reminder_hours: float, city_timezone: str) -> None:
    """Run the Telegram survey bot (TELEGRAM_BOT_TOKEN; TELEGRAM_API_BASE_URL for a local Bot API server)."""
    if ctx.invoked_subcommand is not None:
        return
    app: AppContext = ctx.obj
    from bot.reminders import ReminderPolicy
    from bot.telegram import BotSettings, build_application, run_polling, run_webhook

    try:
        ReminderPolicy(timezone=city_timezone)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    settings = BotSettings(token=_token(app), database_url=app.settings.database_url,
                           secret=app.settings.secret_key, survey_id=_survey_id(app, survey_id),
                           api_base_url=app.settings.telegram_api_base_url,
                           reminder_delay=reminder_hours * 3600, timezone=city_timezone)
    _quiet_libraries()
    application = build_application(settings)
    if webhook_url:
        if not webhook_url.startswith("https://") and not app.settings.telegram_api_base_url:
            raise click.ClickException("Telegram calls webhooks only over HTTPS: --webhook-url must start "
                                       "with https://")
        click.echo(f"Telegram bot for '{settings.survey_id}': webhook {webhook_url} "
                   f"(listening on {listen}:{port}; Ctrl+C stops)")
        run_webhook(application, settings, url=webhook_url, listen=listen, port=port)
    else:
        click.echo(f"Telegram bot for '{settings.survey_id}': polling (Ctrl+C stops)")
        run_polling(application)


async def _bot_username(token: str, api_base_url: str | None) -> str:
    from telegram import Bot

    from bot.telegram import api_urls

    if api_base_url:
        base_url, base_file_url = api_urls(api_base_url)
        telegram_bot = Bot(token, base_url=base_url, base_file_url=base_file_url)
    else:
        telegram_bot = Bot(token)
    async with telegram_bot:
        return telegram_bot.username


@bot.command("link")
@click.argument("code")
@click.option("--bot-username", envvar=["MACHIKOE_TELEGRAM_BOT_USERNAME", "TELEGRAM_BOT_USERNAME"], default=None,
              help="The bot's @username (default: asked from Telegram with the token).")
@pass_app
def link(app: AppContext, code: str, bot_username: str | None) -> None:
    """Print the deep link t.me/<bot>?start=CODE for an invitation code (for the letter's second QR code)."""
    from survey_app import codes
    from survey_app.invitations import TelegramAccountError, telegram_link

    status, canonical = codes.check(code)
    if status != codes.CodeStatus.VALID:
        what = "has a typing mistake" if status == codes.CodeStatus.TYPO else "is not an invitation code"
        raise click.ClickException(f"'{code}' {what} (a code looks like K7QF-3MZD-8WXP-R2T8)")
    if not bot_username:
        try:
            bot_username = asyncio.run(_bot_username(_token(app), app.settings.telegram_api_base_url))
        except click.ClickException:
            raise
        except Exception as exc:  # noqa: BLE001 - one clear line instead of a traceback
            raise click.ClickException(f"cannot ask Telegram for the bot's name ({type(exc).__name__}); "
                                       "pass --bot-username") from None
    try:
        click.echo(telegram_link(bot_username, canonical))
    except TelegramAccountError as exc:
        raise click.ClickException(str(exc)) from None
