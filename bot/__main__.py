"""Entry point: ``python -m bot`` (Telegram) or ``python -m bot --console``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.settings import Settings, SettingsError
from poradnyk.logs import PrivacyFilter

__all__ = ["configure_logging", "main"]


def configure_logging(token: str | None = None) -> None:
    """INFO for our code, WARNING for HTTP libraries; no person and no token in any record."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(PrivacyFilter(token))
    for noisy in ("httpx", "httpcore", "telegram.ext.ExtBot", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    """Run the adapter; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m bot")
    parser.add_argument("--console", action="store_true", help="chat in this terminal")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        configure_logging()
        logging.getLogger(__name__).error("Configuration error: %s", exc)
        return 2
    configure_logging(settings.telegram_bot_token)
    if args.console or not settings.telegram_bot_token:
        from bot.console import run_console  # noqa: PLC0415

        asyncio.run(run_console(settings))
        return 0
    from bot.app import build_application, run_until_stopped  # noqa: PLC0415

    asyncio.run(run_until_stopped(build_application(settings)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
