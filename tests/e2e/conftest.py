"""The real python-telegram-bot Application against the Bot API stand-in and real Rasa."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from actions.content import Content, known_topics, load_content
from bot.app import build_application
from bot.settings import Settings
from tests.support.bot_api import TOKEN, BotApiStandIn
from tests.support.flaky_proxy import FlakyProxy
from tests.support.stack import REPO_ROOT, Stack, free_port


@dataclass
class Running:
    """A started bot with everything a test needs to drive and inspect it."""

    app: Application
    api: BotApiStandIn
    settings: Settings
    proxy: FlakyProxy
    webhook_port: int | None = None


@pytest.fixture(scope="session")
def content() -> Content:
    """The real content, to compare replies with."""
    return load_content(REPO_ROOT / "content", known_topics(REPO_ROOT))


@pytest.fixture
async def api() -> AsyncIterator[BotApiStandIn]:
    """A fresh Bot API stand-in."""
    standin = BotApiStandIn()
    await standin.start()
    yield standin
    await standin.stop()


StartBot = Callable[..., Awaitable[Running]]


@pytest.fixture
async def start_bot(stack: Stack, api: BotApiStandIn, tmp_path: Path) -> AsyncIterator[StartBot]:
    """Start the Application in polling (default) or webhook mode; stopped after the test."""
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
        app = build_application(settings)
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        await app.start()
        assert app.updater is not None
        if webhook:
            await app.updater.start_webhook(
                listen="127.0.0.1",
                port=webhook_port or 0,
                url_path="telegram",
                secret_token=settings.webhook_secret,
                webhook_url=settings.webhook_url,
            )
        else:
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
        running = Running(app, api, settings, proxy, webhook_port)
        started.append(running)
        return running

    yield start
    for running in started:
        app = running.app
        with contextlib.suppress(Exception):
            if app.updater and app.updater.running:
                await app.updater.stop()
            await app.stop()
            if app.post_shutdown:
                await app.post_shutdown(app)
            await app.shutdown()
        await running.proxy.stop()


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    """(title, callback data) of an inline keyboard in a sent message."""
    markup = message.get("reply_markup") or {}
    return [
        (b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row
    ]
