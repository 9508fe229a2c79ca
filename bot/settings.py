"""Settings read once from the environment into a typed, immutable object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from poradnyk.languages import LANGUAGES

__all__ = ["Settings", "SettingsError"]

_REPO_ROOT = Path(__file__).resolve().parent.parent


INBOX_MAX_DAYS = 30
"""Questions kept with consent are deleted after at most this many days (the promise)."""


class SettingsError(ValueError):
    """An environment variable has a value we cannot use."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from exc


def _quiet_hours(env: Mapping[str, str]) -> tuple[int, int] | None:
    raw = env.get("PORADNYK_QUIET_HOURS", "21-8").strip()
    if raw in ("", "off", "none"):
        return None
    start, _, end = raw.partition("-")
    try:
        hours = int(start), int(end)
    except ValueError as exc:
        raise SettingsError(f"PORADNYK_QUIET_HOURS must look like 21-8, got {raw!r}") from exc
    if not all(0 <= h <= 23 for h in hours) or hours[0] == hours[1]:
        raise SettingsError(f"PORADNYK_QUIET_HOURS must be two different hours, got {raw!r}")
    return hours


def _time_of_day(env: Mapping[str, str], name: str, default: str) -> tuple[int, int]:
    raw = env.get(name, "").strip() or default
    hour, _, minute = raw.partition(":")
    try:
        value = int(hour), int(minute or 0)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a time like 10:00, got {raw!r}") from exc
    if not (0 <= value[0] <= 23 and 0 <= value[1] <= 59):
        raise SettingsError(f"{name} must be a time like 10:00, got {raw!r}")
    return value


def _inbox_days(env: Mapping[str, str]) -> int:
    days = _int(env, "PORADNYK_INBOX_DAYS", INBOX_MAX_DAYS)
    if not 1 <= days <= INBOX_MAX_DAYS:
        raise SettingsError(f"PORADNYK_INBOX_DAYS must be 1 to {INBOX_MAX_DAYS}, got {days}")
    return days


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from exc


def _broadcast_rate(env: Mapping[str, str]) -> float:
    rate = _float(env, "PORADNYK_BROADCAST_RATE", 20.0)
    limit = _float(env, "PORADNYK_TELEGRAM_MAX_RATE", 30.0)
    if not 0 < rate < limit:
        raise SettingsError(
            "PORADNYK_BROADCAST_RATE must be above 0 and below PORADNYK_TELEGRAM_MAX_RATE "
            f"({limit:g}), to leave room for answers; got {rate:g}"
        )
    return rate


def _clock(env: Mapping[str, str]) -> datetime | None:
    raw = env.get("PORADNYK_HANDOFF_CLOCK", "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise SettingsError(
            f"PORADNYK_HANDOFF_CLOCK must be a time like 2026-12-01T22:00+01:00, got {raw!r}"
        ) from exc
    if value.tzinfo is None:
        raise SettingsError("PORADNYK_HANDOFF_CLOCK needs its offset, like +01:00")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything the adapter needs to know about its environment."""

    telegram_bot_token: str | None = field(repr=False)
    telegram_api_base_url: str
    rasa_url: str
    rasa_timeout: float
    rasa_api_token: str | None = field(repr=False)
    data_dir: Path
    content_dir: Path
    webhook_url: str | None
    webhook_listen: str
    webhook_port: int
    webhook_secret: str | None = field(repr=False)
    retention_days: int
    default_language: str
    max_message_chars: int
    user_rate_limit: int
    user_rate_window: float
    concurrent_updates: int
    telegram_max_rate: float
    warm_up: bool = True
    typing_after: float = 1.0
    review_age_days: int = 180
    health_port: int = 0
    broadcast_rate: float = 20.0
    """Reminders and announcements sent per second (the rest of Telegram's limit is
    left to answers)."""
    reminder_time: tuple[int, int] = (10, 0)
    """When reminders are sent, in Europe/Prague (hour, minute)."""
    quiet_hours: tuple[int, int] | None = (21, 8)
    """From hour to hour in Europe/Prague: no reminder or announcement is sent then."""
    broadcast_poll: float = 2.0
    handoff_poll: float = 60.0
    """How often open cases are checked for re-announcing (seconds)."""
    handoff_clock: datetime | None = None
    """Tests only (PORADNYK_HANDOFF_CLOCK): the time office hours are judged at."""
    inbox_days: int = 30
    """How long a question kept with consent stays in the staff inbox (at most 30 days)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from ``env`` (default: ``os.environ``)."""
        env = os.environ if env is None else env
        data_dir = Path(env.get("PORADNYK_DATA_DIR") or _REPO_ROOT / "var")
        rasa_port = _int(env, "RASA_PORT", 5005)
        webhook_url = env.get("TELEGRAM_WEBHOOK_URL") or None
        webhook_secret = env.get("TELEGRAM_WEBHOOK_SECRET") or None
        if webhook_url and not webhook_secret:
            raise SettingsError("TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL")
        default_language = env.get("PORADNYK_DEFAULT_LANGUAGE", "uk")
        if default_language not in LANGUAGES:
            raise SettingsError("PORADNYK_DEFAULT_LANGUAGE must be cs, uk or en")
        return cls(
            telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_api_base_url=env.get("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot"),
            rasa_url=(env.get("RASA_URL") or f"http://127.0.0.1:{rasa_port}").rstrip("/"),
            rasa_timeout=_float(env, "RASA_TIMEOUT", 10.0),
            rasa_api_token=env.get("RASA_API_TOKEN") or None,
            data_dir=data_dir,
            content_dir=Path(env.get("PORADNYK_CONTENT_DIR") or _REPO_ROOT / "content"),
            webhook_url=webhook_url,
            webhook_listen=env.get("TELEGRAM_WEBHOOK_LISTEN", "127.0.0.1"),
            webhook_port=_int(env, "TELEGRAM_WEBHOOK_PORT", 8443),
            webhook_secret=webhook_secret,
            retention_days=_int(env, "PORADNYK_RETENTION_DAYS", 90),
            default_language=default_language,
            max_message_chars=_int(env, "PORADNYK_MAX_MESSAGE_CHARS", 1000),
            user_rate_limit=_int(env, "PORADNYK_USER_RATE_LIMIT", 12),
            user_rate_window=_float(env, "PORADNYK_USER_RATE_WINDOW", 60.0),
            concurrent_updates=_int(env, "PORADNYK_CONCURRENT_UPDATES", 64),
            telegram_max_rate=_float(env, "PORADNYK_TELEGRAM_MAX_RATE", 30.0),
            warm_up=env.get("PORADNYK_WARM_UP", "1").strip() != "0",
            typing_after=_float(env, "PORADNYK_TYPING_AFTER", 1.0),
            review_age_days=_int(env, "PORADNYK_REVIEW_AGE_DAYS", 180),
            health_port=_int(env, "PORADNYK_HEALTH_PORT", 0),
            broadcast_rate=_broadcast_rate(env),
            reminder_time=_time_of_day(env, "PORADNYK_REMINDER_TIME", "10:00"),
            quiet_hours=_quiet_hours(env),
            broadcast_poll=_float(env, "PORADNYK_BROADCAST_POLL", 2.0),
            handoff_poll=_float(env, "PORADNYK_HANDOFF_POLL", 60.0),
            handoff_clock=_clock(env),
            inbox_days=_inbox_days(env),
        )
