"""Entry point: ``python -m bot`` (Telegram) or ``python -m bot --console``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.settings import Settings, SettingsError

__all__ = ["main"]


def configure_logging() -> None:
    """INFO for our code, WARNING for HTTP libraries (their URLs contain the bot token)."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("httpx", "httpcore", "telegram.ext.ExtBot", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    """Run the adapter; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m bot")
    parser.add_argument("--console", action="store_true", help="chat in this terminal")
    args = parser.parse_args(argv)
    configure_logging()
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        logging.getLogger(__name__).error("Configuration error: %s", exc)
        return 2
    if args.console or not settings.telegram_bot_token:
        from bot.console import run_console  # noqa: PLC0415

        asyncio.run(run_console(settings))
        return 0
    from telegram import Update  # noqa: PLC0415

    from bot.app import build_application  # noqa: PLC0415

    application = build_application(settings)
    if settings.webhook_url:
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path="telegram",
            secret_token=settings.webhook_secret,
            webhook_url=settings.webhook_url,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
