"""Start and stop the real python-telegram-bot ``Application`` in this process."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import httpx
from telegram.ext import Application

from bot.app import build_application
from bot.settings import Settings
from harness.bot_api import BotApiStandIn

__all__ = ["RunningApp", "start_application", "stop_application"]


@dataclass
class RunningApp:
    """A started application and the stand-in it talks to."""

    app: Application
    api: BotApiStandIn
    settings: Settings
    webhook_port: int | None = None


async def start_application(
    settings: Settings,
    api: BotApiStandIn,
    rasa_transport: httpx.AsyncBaseTransport | None = None,
    webhook_port: int | None = None,
) -> RunningApp:
    """Build, initialise and start polling (or the webhook), as ``run_polling`` would."""
    app = build_application(settings, rasa_transport)
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    await app.start()
    assert app.updater is not None
    if webhook_port is not None:
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=webhook_port,
            url_path="telegram",
            secret_token=settings.webhook_secret,
            webhook_url=settings.webhook_url,
        )
    else:
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
    return RunningApp(app, api, settings, webhook_port)


async def stop_application(running: RunningApp) -> None:
    """Stop it the way python-telegram-bot does at the end of ``run_polling``."""
    app = running.app
    with contextlib.suppress(Exception):
        if app.updater and app.updater.running:
            await app.updater.stop()
        await app.stop()
        if app.post_shutdown:
            await app.post_shutdown(app)
        await app.shutdown()
