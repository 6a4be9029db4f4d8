"""``machikoe staff create|token|list|password|unlock|disable|enable|role|logout``, and the first admin made by ``machikoe setup``."""
from __future__ import annotations

import os
import sys
from collections.abc import Callable

import click
from sqlalchemy.orm import Session

from survey_app import audit, staff_admin
from survey_app import staff as staff_core
from survey_app.i18n import locales
from survey_app.models import ROLES, StaffUser

from .context import AppContext, pass_app
from .setup import SETUP_STEPS

DEFAULT_ADMIN_EMAIL = "admin@localhost"


def register(main: click.Group) -> None:
    main.add_command(staff)
    if first_admin_step not in SETUP_STEPS:
        SETUP_STEPS.append(first_admin_step)


def first_admin_step(app: AppContext, session: Session) -> None:
    """Idempotent: creates an admin only while there is none, and shows its password this once."""
    email = os.environ.get("MACHIKOE_ADMIN_EMAIL") or DEFAULT_ADMIN_EMAIL
    created = staff_core.ensure_first_admin(session, email)
    if created is None:
        return
    audit.record(session, "machikoe setup", "staff_create", created.user.email, {"role": "admin"})
    click.echo(f"first staff account: {created.user.email} (admin), password: {created.password}\n"
               "  This password is shown only now. Log in at /staff/login; "
               "change it with: machikoe staff password " + created.user.email)


def _user(session: Session, email: str) -> StaffUser:
    user = staff_core.find_user(session, email)
    if user is None:
        raise click.ClickException(f"no staff account for {email.strip().lower()} (machikoe staff list)")
    return user


def _read_password(from_stdin: bool) -> str | None:
    if not from_stdin:
        return None
    value = sys.stdin.readline().rstrip("\r\n")
    if not value:
        raise click.ClickException("--password-stdin was given but standard input was empty")
    return value


@click.group()
def staff() -> None:
    """Staff accounts for the console and the API."""


@staff.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True, help="admin | analyst | viewer")
@click.option("--locale", type=click.Choice(locales.staff_locales()), default=locales.DEFAULT, show_default=True,
              help="Language of the staff pages.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input "
              "(otherwise one is generated and printed once).")
@pass_app
def staff_create(app: AppContext, email: str, role: str, locale: str, password_stdin: bool) -> None:
    """Create a staff account."""
    password = _read_password(password_stdin)
    with app.session() as session:
        try:
            created = staff_core.create_user(session, email, role, password, locale=locale)
        except staff_core.StaffError as exc:
            raise click.ClickException(str(exc)) from None
        audit.record(session, "cli", "staff_create", created.user.email, {"role": role})
    click.echo(f"staff account {created.user.email} ({role}) created")
    if created.password:
        click.echo(f"password: {created.password}  (shown only now)")


@staff.command("token")
@click.argument("email")
@click.option("--days", type=click.IntRange(1, 3650), default=staff_core.DEFAULT_TOKEN_DAYS, show_default=True,
              help="Days until the token expires.")
@click.option("--revoke", is_flag=True, help="Revoke the account's token instead of issuing one.")
@pass_app
def staff_token(app: AppContext, email: str, days: int, revoke: bool) -> None:
    """Issue an API bearer token (printed once; replaces the account's earlier token)."""
    with app.session() as session:
        user = _user(session, email)
        if revoke:
            staff_core.revoke_token(session, user, actor="cli")
            click.echo(f"API token of {user.email} revoked")
            return
        token = staff_core.issue_token(session, app.settings.secret_key, user, days=days)
        audit.record(session, "cli", "token_issue", user.email, {"days": days})
        expires = staff_core.aware(user.api_token_expires)
    click.echo(token)
    click.echo(f"API token for {user.email}, valid until {expires:%Y-%m-%d %H:%M} UTC (shown only now)", err=True)


@staff.command("list")
@pass_app
def staff_list(app: AppContext) -> None:
    """List staff accounts (e-mail, role, state, token expiry)."""
    with app.session() as session:
        users = staff_core.list_users(session)
    if not users:
        click.echo("no staff accounts (machikoe staff create EMAIL --role admin)")
    for user in users:
        state = "active" if user.active else "inactive"
        expires = staff_core.aware(user.api_token_expires)
        token = f"token until {expires:%Y-%m-%d}" if user.api_token_hash and expires else "no token"
        click.echo(f"{user.email}\t{user.role}\t{state}\t{token}")


@staff.command("password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
@pass_app
def staff_password(app: AppContext, email: str, password_stdin: bool) -> None:
    """Set a new password (generated and printed once unless given on stdin); ends the account's
    sessions and revokes its API token."""
    password = _read_password(password_stdin) or staff_core.generate_password()
    with app.session() as session:
        user = _user(session, email)
        try:
            staff_core.set_password(session, user, password, actor="cli")
        except staff_core.StaffError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"password of {user.email} changed")
    if not password_stdin:
        click.echo(f"password: {password}  (shown only now)")


@staff.command("unlock")
@click.argument("email")
@pass_app
def staff_unlock(app: AppContext, email: str) -> None:
    """Lift every login pause of an e-mail address (from every client address)."""
    with app.session() as session:
        user = _user(session, email)
        staff_core.unlock(session, app.settings.secret_key, user.email, actor="cli")
    click.echo(f"{user.email} unlocked")


@staff.command("disable")
@click.argument("email")
@pass_app
def staff_disable(app: AppContext, email: str) -> None:
    """Disable an account: its sessions end and its API token is revoked."""
    with app.session() as session:
        user = _user(session, email)
        _as_console(staff_admin.set_active, session, user, False)
    click.echo(f"{user.email} disabled")


@staff.command("enable")
@click.argument("email")
@pass_app
def staff_enable(app: AppContext, email: str) -> None:
    """Enable a disabled account again (it needs a new API token)."""
    with app.session() as session:
        user = _user(session, email)
        _as_console(staff_admin.set_active, session, user, True)
    click.echo(f"{user.email} enabled")


@staff.command("role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
@pass_app
def staff_role(app: AppContext, email: str, role: str) -> None:
    """Change an account's role (its open sessions end)."""
    with app.session() as session:
        user = _user(session, email)
        _as_console(staff_admin.set_role, session, user, role)
    click.echo(f"{user.email} is now {role}")


def _as_console(change: Callable[..., bool], session: Session, user: StaffUser, value: object) -> None:
    """The console's rules (``survey_app.staff_admin``): the last active administrator is neither demoted nor
    disabled here either — the console would be left without anyone to manage it."""
    try:
        change(session, user, value, "cli")
    except staff_core.StaffError as exc:
        raise click.ClickException(str(exc)) from None


@staff.command("logout")
@click.argument("email")
@pass_app
def staff_logout(app: AppContext, email: str) -> None:
    """End every session of an account (a stolen cookie stops working)."""
    with app.session() as session:
        user = _user(session, email)
        staff_core.revoke_sessions(session, user, actor="cli", reason="cli")
    click.echo(f"every session of {user.email} ended")
