"""Configuration from the environment (DESIGN §5): ONE path for ``serve``, ``bot`` and every
CLI command.

- Machikoe's own settings are ``MACHIKOE_<NAME>`` (``SETTINGS`` below lists every one, with
  its default and meaning; README's table is tested against it). The older names
  ``DATABASE_URL``, ``SECRET_KEY``, ``REDIS_URL``, ``TELEGRAM_BOT_TOKEN`` and
  ``TELEGRAM_API_BASE_URL`` keep working (the ``MACHIKOE_`` name wins when both are set).
- Every Flask (and Flask extension) setting is ``FLASK_<NAME>``, read by Flask's own
  ``app.config.from_prefixed_env()``; values are JSON when they parse (``true``, ``3``).
- Safe defaults so that ``make run`` works on a fresh clone: SQLite in
  ``instance/machikoe.db`` and a secret key generated into ``instance/secret_key``.
- Secrets and data files are private (0600; the instance folder 0700). The key file is
  created atomically (written and fsynced under a temporary name, then linked into place),
  so two processes starting at once agree on one complete key; an empty or short key is
  refused with one line (``ConfigError``) rather than used.
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"
MIN_SECRET_LENGTH = 32
PREFIX = "MACHIKOE_"
# Documented before ``MACHIKOE_`` names existed; still honoured.
LEGACY_NAMES = {"DATABASE_URL": "DATABASE_URL", "SECRET_KEY": "SECRET_KEY", "REDIS_URL": "REDIS_URL",
                "TELEGRAM_BOT_TOKEN": "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL": "TELEGRAM_API_BASE_URL",
                "PUBLIC_BASE_URL": "PUBLIC_BASE_URL", "TELEGRAM_BOT_USERNAME": "TELEGRAM_BOT_USERNAME",
                "LINE_CHANNEL_SECRET": "LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN": "LINE_CHANNEL_ACCESS_TOKEN",
                "LINE_API_BASE_URL": "LINE_API_BASE_URL", "LINE_BASIC_ID": "LINE_BASIC_ID"}


class ConfigError(ValueError):
    """A setting that cannot be used; the message is one line naming it and the fix."""


@dataclass(frozen=True)
class Setting:
    name: str          # the config key; the environment variable is MACHIKOE_<name>
    default: Any
    doc: str


# Every Machikoe setting (the web app's config keys; the CLI reads the first five too).
SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", None, "SQLAlchemy URL; default SQLite in the instance folder. Also `DATABASE_URL`. "
                                  "A SQLite file outside the instance folder must be in a folder that exists "
                                  "(a mistyped path is refused in one line, not created)."),
    Setting("SECRET_KEY", None, "At least 32 characters; default generated into `instance/secret_key`. "
                                "Also `SECRET_KEY`."),
    Setting("REDIS_URL", None, "Redis for rate limits shared by all workers. Also `REDIS_URL`."),
    Setting("TELEGRAM_BOT_TOKEN", None, "The Telegram bot's token (`machikoe bot`). Also `TELEGRAM_BOT_TOKEN`."),
    Setting("TELEGRAM_API_BASE_URL", None, "Another Bot API server (tests). Also `TELEGRAM_API_BASE_URL`."),
    Setting("LINE_CHANNEL_SECRET", None, "The LINE bot's channel secret (`machikoe line`). Also `LINE_CHANNEL_SECRET`."),
    Setting("LINE_CHANNEL_ACCESS_TOKEN", None, "The LINE bot's long-lived channel access token. "
                                               "Also `LINE_CHANNEL_ACCESS_TOKEN`."),
    Setting("LINE_API_BASE_URL", None, "Another LINE API server (tests: a local fake). Also `LINE_API_BASE_URL`."),
    Setting("LINE_BASIC_ID", None, "The LINE official account's basic ID (`@123abcde`): a LINE QR code on the "
                                   "letters, `line_url` in the letters CSV, `machikoe line link`. "
                                   "Also `LINE_BASIC_ID`."),
    Setting("TIMEZONE", "Asia/Tokyo", "The city's time zone: every time in exports and reports is wall-clock "
                                      "time there, and says so."),
    Setting("INSTANCE", None, "Folder for the SQLite database and the secret key; default `instance/`."),
    Setting("PUBLIC_BASE_URL", None, "Base of the links printed on letters; default the request's host."),
    Setting("TELEGRAM_BOT_USERNAME", None, "For t.me deep links on letters."),
    Setting("PROXY_FIX_X_FOR", 0, "Number of trusted reverse proxies in front of the app: the client's address "
                                  "(rate limits, lockout) and https come from their `X-Forwarded-*` headers."),
    Setting("RATE_LIMIT_CODE_PER_IP", "30 per minute;300 per hour", "Refused invitation-code tries per client address (an accepted code is not counted)."),
    Setting("RATE_LIMIT_PER_CODE", "10 per 10 minutes", "Refused tries per invitation code, from any address."),
    Setting("STAFF_LOGIN_RATE_LIMIT", "10 per minute;60 per hour", "Staff login attempts per client address."),
    Setting("STAFF_IDLE_MINUTES", 30, "A staff session ends after this long without a request."),
    Setting("STAFF_SESSION_HOURS", 12, "A staff session ends this long after login, active or not."),
    Setting("STAFF_MAX_UPLOAD", 20 * 1024 * 1024, "Largest staff upload (frames, margins), bytes."),
    Setting("SERVE_BODY_TIMEOUT", 30, "`machikoe serve`: seconds a client may take to send a request."),
)


def env_value(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """``MACHIKOE_<name>``, else the legacy name if it has one; empty counts as unset."""
    environ = os.environ if environ is None else environ
    value = environ.get(PREFIX + name) or (environ.get(LEGACY_NAMES[name]) if name in LEGACY_NAMES else None)
    return value or None


def _parsed(raw: str) -> Any:
    """JSON when it parses (numbers, true/false), like Flask's ``from_prefixed_env``; else the text."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def app_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every Machikoe setting given in the environment, by config key (defaults left out)."""
    values = {}
    for setting in SETTINGS:
        raw = env_value(setting.name, environ)
        if raw is not None:
            values[setting.name] = raw if setting.default is None or isinstance(setting.default, str) \
                else _parsed(raw)
    return values


def defaults() -> dict[str, Any]:
    return {s.name: s.default for s in SETTINGS if s.default is not None}


def settings_table() -> str:
    """The README's table of settings (``tests/test_config.py`` keeps README equal to it)."""
    lines = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for s in SETTINGS:
        shown = "—" if s.default is None else f"`{s.default}`"
        lines.append(f"| `{PREFIX}{s.name}` | {shown} | {s.doc} |")
    return "\n".join(lines)


def instance_path() -> Path:
    return Path(env_value("INSTANCE") or DEFAULT_INSTANCE)


def default_database_url(instance: Path) -> str:
    return f"sqlite:///{instance / 'machikoe.db'}"


def create_private(path: Path, data: bytes) -> bool:
    """Create ``path`` with ``data``, mode 0600, atomically; False if it already existed.

    Readers see no file or the whole file, never a part: the data is written and fsynced
    under a temporary name first, then hard-linked to ``path`` (which fails if it exists).
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)
    return True


def write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read (letters, exports): 0600 from the first byte."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode on open: tighten it
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_secret(key: str | None, source: str) -> str:
    key = (key or "").strip()
    if len(key) < MIN_SECRET_LENGTH:
        raise ConfigError(f"{source}: the secret key is empty or shorter than {MIN_SECRET_LENGTH} characters; "
                          "set a longer one (or delete the file to have one generated)")
    return key


def load_or_create_secret(instance: Path) -> str:
    """The instance's secret key, created (0600, atomically) on first use; a short one is refused."""
    path = instance / "secret_key"
    if not path.exists():
        make_instance(instance)
        create_private(path, secrets.token_hex(32).encode())  # False: another process won; read its key
    return check_secret(path.read_text(), str(path))


def make_instance(instance: Path) -> None:
    instance.mkdir(parents=True, exist_ok=True, mode=0o700)


DATABASE_SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg")


def check_database_url(url: str) -> str:
    """``url`` if Machikoe runs on its database (SQLite or PostgreSQL), else one line saying what to
    give. Only the scheme is repeated back: the rest of a URL may hold a password."""
    scheme = url.partition("://")[0] if "://" in url else ""
    if scheme.lower() not in DATABASE_SCHEMES:
        shown = f"'{scheme}'" if scheme else "no scheme"
        raise ConfigError(f"MACHIKOE_DATABASE_URL (or --database-url) has {shown}: Machikoe runs on SQLite "
                          "(sqlite:///path/to/machikoe.db) or PostgreSQL (postgresql://user@host/dbname)")
    return url


def _private_sqlite(url: str, instance: Path) -> None:
    """Create the SQLite file 0600 before SQLAlchemy does (it would use the umask, often 0644).

    Only plain file URLs: ``sqlite:///file:…?mode=ro&uri=true`` (SQLite URI syntax), in-memory
    databases and other drivers are left alone. Folders are made only inside the instance folder:
    a mistyped path elsewhere is refused in one line, not created as a tree of empty folders."""
    if not url.startswith("sqlite:///") or "?" in url:
        return
    path = Path(url[len("sqlite:///"):])
    if path.name in ("", ":memory:") or str(path).startswith("file:"):
        return
    if path.parent.resolve().is_relative_to(instance.resolve()):
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    elif not path.parent.is_dir():
        raise ConfigError(f"MACHIKOE_DATABASE_URL (or --database-url) names a SQLite file in '{path.parent}', "
                          "a folder that does not exist: create it, or correct the path")
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    instance: Path
    telegram_bot_token: str | None = None
    telegram_api_base_url: str | None = None
    redis_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment; keyword arguments win (tests use them)."""
    instance = Path(overrides.pop("instance", None) or instance_path())
    values = {
        "database_url": env_value("DATABASE_URL"),
        "secret_key": env_value("SECRET_KEY"),
        "telegram_bot_token": env_value("TELEGRAM_BOT_TOKEN"),
        "telegram_api_base_url": env_value("TELEGRAM_API_BASE_URL"),
        "redis_url": env_value("REDIS_URL"),
    }
    values.update({k: v for k, v in overrides.items() if k in values})
    extra = {k: v for k, v in overrides.items() if k not in values}
    database_url = check_database_url(values.pop("database_url") or default_database_url(instance))
    secret = values.pop("secret_key")
    secret_key = check_secret(secret, "MACHIKOE_SECRET_KEY") if secret else load_or_create_secret(instance)
    _private_sqlite(database_url, instance)
    return Settings(database_url, secret_key, instance, extra=extra, **values)


DEFAULT_TIMEZONE = "Asia/Tokyo"


class TimezoneError(ValueError):
    """``MACHIKOE_TIMEZONE`` names no time zone of the IANA database."""


def city_timezone_name() -> str:
    """The city's time zone (``MACHIKOE_TIMEZONE``, default Asia/Tokyo): every time staff read is in it."""
    return os.environ.get("MACHIKOE_TIMEZONE") or DEFAULT_TIMEZONE


def city_timezone() -> ZoneInfo:
    """The city's time zone as a ``ZoneInfo``; raises TimezoneError naming the bad setting."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = city_timezone_name()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TimezoneError(f"MACHIKOE_TIMEZONE='{name}' is not a time zone (use e.g. Asia/Tokyo)") from None
