"""Configuration from the environment (DESIGN §5).

Every setting has a safe default so that ``make run`` works on a fresh clone:
SQLite in ``instance/machikoe.db`` and a SECRET_KEY generated into ``instance/``
on first use (kept there, so restarts do not invalidate cookies or pseudonyms).
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"


def instance_path() -> Path:
    return Path(os.environ.get("MACHIKOE_INSTANCE", DEFAULT_INSTANCE))


def default_database_url(instance: Path) -> str:
    return f"sqlite:///{instance / 'machikoe.db'}"


def load_or_create_secret(instance: Path) -> str:
    """Return the instance's secret key, creating it (mode 0600) on first use."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two processes starting at once must agree on one key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    instance: Path
    telegram_bot_token: str | None = None
    telegram_api_base_url: str | None = None
    redis_url: str | None = None
    extra: dict = field(default_factory=dict)


def load_settings(**overrides) -> Settings:
    """Read settings from the environment; keyword arguments win (tests use them)."""
    instance = Path(overrides.pop("instance", None) or instance_path())
    values = {
        "database_url": os.environ.get("DATABASE_URL") or default_database_url(instance),
        "secret_key": os.environ.get("SECRET_KEY") or None,
        "telegram_bot_token": os.environ.get("TELEGRAM_BOT_TOKEN") or None,
        "telegram_api_base_url": os.environ.get("TELEGRAM_API_BASE_URL") or None,
        "redis_url": os.environ.get("REDIS_URL") or None,
    }
    values.update({k: v for k, v in overrides.items() if k in values})
    if not values["secret_key"]:
        values["secret_key"] = load_or_create_secret(instance)
    if values["database_url"].startswith("sqlite:///"):
        Path(values["database_url"][len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    extra = {k: v for k, v in overrides.items() if k not in values}
    return Settings(instance=instance, extra=extra, **values)


DEFAULT_TIMEZONE = "Asia/Tokyo"


class TimezoneError(ValueError):
    """``MACHIKOE_TIMEZONE`` names no time zone of the IANA database."""


def city_timezone_name() -> str:
    """The city's time zone (``MACHIKOE_TIMEZONE``, default Asia/Tokyo): every time staff read is in it."""
    return os.environ.get("MACHIKOE_TIMEZONE") or DEFAULT_TIMEZONE


def city_timezone():
    """The city's time zone as a ``ZoneInfo``; raises TimezoneError naming the bad setting."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = city_timezone_name()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TimezoneError(f"MACHIKOE_TIMEZONE='{name}' is not a time zone (use e.g. Asia/Tokyo)") from None
