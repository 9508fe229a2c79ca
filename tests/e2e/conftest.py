"""The real python-telegram-bot Application against the Bot API stand-in and real Rasa."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.settings import Settings
from harness.app_runner import RunningApp, start_application, stop_application
from harness.bot_api import TOKEN, BotApiStandIn
from harness.fixtures import ALWAYS, STORES, handoff_content
from harness.flaky_proxy import FlakyProxy
from harness.stack import Stack, free_port
from store.api import setup_django


@dataclass
class Running:
    """A started bot with everything a test needs to drive and inspect it."""

    started: RunningApp
    proxy: FlakyProxy

    @property
    def app(self) -> Application:
        """The python-telegram-bot application."""
        return self.started.app

    @property
    def api(self) -> BotApiStandIn:
        """The Bot API stand-in it talks to."""
        return self.started.api

    @property
    def settings(self) -> Settings:
        """Its settings."""
        return self.started.settings

    @property
    def webhook_port(self) -> int | None:
        """The webhook's port (webhook mode)."""
        return self.started.webhook_port


StartBot = Callable[..., Awaitable[Running]]


@pytest.fixture
async def start_bot(stack: Stack, api: BotApiStandIn, tmp_path: Path) -> AsyncIterator[StartBot]:
    """Start the Application in polling (default) or webhook mode; stopped after the test.

    The tests share one database: what earlier tests' bots left queued (an answer still
    being retried when its bot stopped) is cleared first, or this test's bot would send it.
    """
    await asyncio.to_thread(clear_queues)
    started: list[Running] = []

    async def start(webhook: bool = False, **env: str) -> Running:
        proxy = FlakyProxy(stack.rasa_url)
        await proxy.start()
        webhook_port = free_port() if webhook else None
        settings = Settings.from_env(
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": api.base_url,
                "RASA_URL": proxy.url,
                "RASA_TIMEOUT": "2",
                "RASA_API_TOKEN": stack.env["RASA_API_TOKEN"],
                "PORADNYK_DATA_DIR": str(stack.data_dir),
                "PORADNYK_CONCURRENT_UPDATES": "16",
                **(
                    {
                        "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{webhook_port}/telegram",
                        "TELEGRAM_WEBHOOK_SECRET": "s3cret-token",
                        "TELEGRAM_WEBHOOK_PORT": str(webhook_port),
                    }
                    if webhook
                    else {}
                ),
                **env,
            }
        )
        started.append(
            running := Running(
                await start_application(settings, api, webhook_port=webhook_port), proxy
            )
        )
        return running

    yield start
    for running in started:
        await stop_application(running.started)
        await running.proxy.stop()
    if started:
        # Nor may what this test left (an open case's notes) reach a later adapter process.
        await asyncio.to_thread(clear_queues)


def clear_queues() -> None:
    """Drop what earlier tests' bots left to send (and their cases)."""
    setup_django()
    from store.models import Case, Intake, Outbox  # noqa: PLC0415 - after setup_django()

    Intake.objects.all().delete()
    Outbox.objects.all().delete()
    Case.objects.all().delete()  # the topics of earlier tests' stand-ins are gone


@pytest.fixture(scope="session")
def staff_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Content whose staff group (the stand-in's) is in at any time."""
    return handoff_content(tmp_path_factory.mktemp("handoff") / "content", ALWAYS)


def _latest_case() -> int:
    from store.models import Case  # noqa: PLC0415 - after setup_django()

    return int(Case.objects.order_by("-pk").values_list("pk", flat=True)[0])


async def latest_case() -> int:
    """The number of the newest case (the database is used off the event loop)."""
    return await asyncio.to_thread(_latest_case)


def stored_in(folders: list[Path], needle: str) -> list[str]:
    """Every store that holds ``needle``: files under ``folders`` (databases and their
    write-ahead logs included: what a person with the disk could read) and this run's
    database, whichever backend it is on (on PostgreSQL every row of every table;
    harness/backends.py)."""
    return STORES.holding(needle, folders)


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    """(title, callback data or link) of an inline keyboard in a sent message."""
    markup = message.get("reply_markup") or {}
    return [
        (b["text"], b.get("callback_data") or b["url"])
        for row in markup.get("inline_keyboard", [])
        for b in row
    ]
