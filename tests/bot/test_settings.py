"""Settings come from the environment once, with documented defaults."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.settings import Settings, SettingsError


def test_defaults() -> None:
    s = Settings.from_env({})
    assert s.telegram_bot_token is None
    assert s.telegram_api_base_url == "https://api.telegram.org/bot"
    assert s.rasa_url == "http://127.0.0.1:5005"
    assert s.retention_days == 90
    assert s.default_language == "uk"
    assert s.warm_up is True
    assert s.typing_after == 1.0
    assert s.review_age_days == 180
    assert s.health_port == 0
    assert s.inbox_days == 30
    assert Settings.from_env({"PORADNYK_INBOX_DAYS": "7"}).inbox_days == 7


def test_values_from_environment() -> None:
    s = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": "1:abc",
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
            "RASA_PORT": "6005",
            "PORADNYK_RETENTION_DAYS": "30",
            "PORADNYK_WARM_UP": "0",
            "PORADNYK_TYPING_AFTER": "2.5",
            "PORADNYK_REVIEW_AGE_DAYS": "90",
            "PORADNYK_HEALTH_PORT": "8081",
        }
    )
    assert s.telegram_bot_token == "1:abc"
    assert s.telegram_api_base_url == "http://127.0.0.1:8081/bot"
    assert s.rasa_url == "http://127.0.0.1:6005"
    assert s.retention_days == 30
    assert s.warm_up is False
    assert s.typing_after == 2.5
    assert s.review_age_days == 90
    assert s.health_port == 8081


@pytest.mark.parametrize(
    "env",
    [
        {"RASA_PORT": "five"},
        {"PORADNYK_DEFAULT_LANGUAGE": "de"},
        {"PORADNYK_TYPING_AFTER": "soon"},
        {"PORADNYK_HEALTH_PORT": "eighty"},
        {"TELEGRAM_WEBHOOK_URL": "https://example.org/telegram"},  # no secret
        {"PORADNYK_HANDOFF_CLOCK": "saturday noon"},
        {"PORADNYK_HANDOFF_CLOCK": "2026-12-05T12:00"},  # no offset: whose noon?
        {"PORADNYK_HANDOFF_POLL": "often"},
        {"PORADNYK_INBOX_DAYS": "31"},  # the promise: at most 30 days
        {"PORADNYK_INBOX_DAYS": "0"},
    ],
)
def test_invalid_values_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env(env)


def test_the_handoff_clock_is_read_once_with_its_offset() -> None:
    s = Settings.from_env({"PORADNYK_HANDOFF_CLOCK": "2026-12-05T12:00+01:00"})
    assert s.handoff_clock is not None and s.handoff_clock.utcoffset() == timedelta(hours=1)
    assert Settings.from_env({}).handoff_clock is None
    assert Settings.from_env({}).handoff_poll == 60.0


def test_settings_repr_never_shows_the_token() -> None:
    s = Settings.from_env({"TELEGRAM_BOT_TOKEN": "999:SECRET"})
    assert "SECRET" not in repr(s)
