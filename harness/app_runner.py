"""Start and stop the real python-telegram-bot ``Application`` in this process."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import httpx
from telegram.ext import Application

from bot.app import build_application, start, stop
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
    """Build and start the application as ``python -m bot`` does (polling or webhook)."""
    app = build_application(settings, rasa_transport)
    await start(app)
    return RunningApp(app, api, settings, webhook_port)


async def stop_application(running: RunningApp) -> None:
    """Stop it the way python-telegram-bot does at the end of ``run_polling``."""
    with contextlib.suppress(Exception):
        await stop(running.app)
