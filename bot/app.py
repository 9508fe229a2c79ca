"""Wires the Telegram application together: settings, shared clients, handlers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal

import httpx
from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot import commands, guards, handlers
from bot.broadcast import Broadcaster
from bot.context import CONTEXT_TYPES, Services
from bot.conversation import Conversation
from bot.flood import FloodGuard
from bot.handoff import Handoff
from bot.health import HealthServer
from bot.intake import Intake
from bot.rasa_client import default_timeout
from bot.retention import retention_loop
from bot.sender import Sender
from bot.services import build_conversation
from bot.settings import Settings
from poradnyk.compose import Reply

__all__ = ["build_application", "run_until_stopped", "start", "stop"]

logger = logging.getLogger(__name__)

_TASKS = "background_tasks"

KEEPALIVE_CONNECTIONS = 8
"""Idle connections kept open per HTTP pool (Bot API, Rasa). httpcore checks every idle
connection of a pool on each request (a socket call, about 11 µs each); with httpx's
default of 20, pools that grew in a burst cost the adapter up to about 2 ms of CPU per
message (README, "CPU per message, second round"). Eight cover Telegram's 30 sends a
second at a round trip of 100-250 ms; a larger burst opens connections as before."""


async def _set_commands(application: Application, conversation: Conversation) -> None:
    content = conversation.content
    # Telegram shows the list matching the user's app language; others get Ukrainian.
    for code, lang in ((None, "uk"), ("uk", "uk"), ("ru", "uk"), ("cs", "cs"), ("en", "en")):
        labels = [BotCommand(c, content.text(f"cmd_{c}", lang)) for c in commands.HANDLERS]
        try:
            await application.bot.set_my_commands(labels, language_code=code)
        except Exception as exc:
            logger.warning("set_my_commands failed: %s", type(exc).__name__)


def build_application(
    settings: Settings, rasa_transport: httpx.AsyncBaseTransport | None = None
) -> Application:
    """The python-telegram-bot application for ``settings`` (token required).

    ``rasa_transport`` replaces the HTTP transport to Rasa (the fast tests use httpx's
    ``MockTransport``); the Bot API is always reached over HTTP.
    """
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    # Opt in to PTB's future behaviour (RetryAfter.retry_after as a timedelta) now.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)

    async def post_init(application: Application) -> None:
        timeout = default_timeout(settings.rasa_timeout)
        http = httpx.AsyncClient(
            transport=rasa_transport,
            timeout=timeout,
            limits=httpx.Limits(
                max_connections=100, max_keepalive_connections=KEEPALIVE_CONNECTIONS
            ),
        )
        conversation = await build_conversation(settings, http)
        sender = Sender(application.bot, conversation.store)

        async def deliver(user_id: int, replies: list[Reply], key: str) -> None:
            await sender.send(user_id, replies, key)

        conversation.set_deliver(deliver)
        flood = FloodGuard(settings.user_rate_limit, settings.user_rate_window)
        handoff = Handoff(settings, conversation, sender, application.bot)
        conversation.set_handoff(handoff)
        await handoff.start()
        application.bot_data.services = Services(settings, conversation, sender, flood, handoff)
        application.bot_data.broadcaster = Broadcaster(
            application.bot, conversation.store, lambda: conversation.content, sender, settings
        )
        application.bot_data.http = http
        loop = asyncio.get_running_loop()
        application.bot_data.tasks.append(loop.create_task(retention_loop(settings, conversation)))
        application.bot_data.tasks.append(loop.create_task(handoff.loop()))
        await _set_commands(application, conversation)
        if not settings.warm_up:
            logger.info("No warm-up (PORADNYK_WARM_UP=0)")
        elif await conversation.warm_up():
            logger.info("Rasa is ready")
        else:
            logger.warning("Rasa is not ready yet; answers come from content until it is")

    async def post_shutdown(application: Application) -> None:
        data = application.bot_data
        for task in data.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if data.broadcaster is not None:
            await data.broadcaster.close()
        if data.ready:
            await data.services.sender.close()
            await data.services.conversation.close()
            data.services.conversation.store.close()
        if data.http is not None:
            await data.http.aclose()

    # No Updater: bot/intake.py receives updates and stores them before they are
    # acknowledged (python-telegram-bot's Updater acknowledges what it has only queued).
    builder = ApplicationBuilder().context_types(CONTEXT_TYPES).updater(None)
    # python-telegram-bot's own request with its defaults (256 connections), fewer kept idle.
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=KEEPALIVE_CONNECTIONS)
    bot_api = HTTPXRequest(connection_pool_size=256, httpx_kwargs={"limits": limits})
    application = (
        builder.token(settings.telegram_bot_token)
        .request(bot_api)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_base_url.replace("/bot", "/file/bot"))
        .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
        # Telegram allows a bot about 30 messages per second overall; the limiter spaces
        # the sends out. Retries are the sender's alone (max_retries=0).
        .rate_limiter(AIORateLimiter(overall_max_rate=settings.telegram_max_rate, max_retries=0))
        .concurrent_updates(settings.concurrent_updates)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    # Group -3: the NGO's staff group (handoff) goes to bot/handoff.py alone. Group -2:
    # only private chats with a person reach anything below (groups get one "write to me
    # privately"; buttons there do nothing). Group -1: the flood limit, for every kind of
    # update. All stop the update with ApplicationHandlerStop.
    application.add_handler(TypeHandler(Update, guards.staff_group), group=-3)
    application.add_handler(TypeHandler(Update, guards.keep_out_of_groups), group=-2)
    application.add_handler(TypeHandler(Update, guards.limit_floods), group=-1)
    # Group 0, first match wins. Edits are not re-answered (the first answer stands).
    application.add_handler(MessageHandler(filters.UpdateType.EDITED, handlers.on_edited))
    for name, callback in commands.HANDLERS.items():
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(MessageHandler(filters.COMMAND, commands.unknown))
    application.add_handler(MessageHandler(filters.TEXT, handlers.on_text))
    application.add_handler(CallbackQueryHandler(handlers.on_button))
    application.add_handler(MessageHandler(filters.LOCATION, handlers.on_location))
    application.add_handler(
        MessageHandler(filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE, handlers.on_voice)
    )
    application.add_handler(MessageHandler(filters.ALL, handlers.on_non_text))
    application.add_error_handler(handlers.on_error)
    return application


async def start(application: Application) -> None:
    """Initialise and start ``application``, then receive updates (bot/intake.py)."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    data = application.bot_data
    services = data.services
    data.intake = Intake(
        application,
        services.settings,
        services.conversation.store,
        restore_kept=services.conversation.restore_kept,
        on_idle=services.sender.wipe_when_idle,
        pseudonym=services.conversation.pseudonym,
    )
    data.health = HealthServer(services, services.settings.health_port)
    await services.sender.start()
    await data.intake.start()
    if data.broadcaster is not None:
        # Reminders and announcements: drained below the answers (bot/broadcast.py).
        data.broadcaster.start()
    await data.health.start()


async def stop(application: Application) -> None:
    """Stop receiving, then stop ``application`` (what is stored stays stored)."""
    if application.bot_data.health is not None:
        await application.bot_data.health.stop()
    if application.bot_data.intake is not None:
        await application.bot_data.intake.stop()
    if application.running:
        await application.stop()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
    await application.shutdown()


async def run_until_stopped(application: Application) -> None:
    """Run until SIGINT or SIGTERM."""
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopped.set)
    await start(application)
    try:
        await stopped.wait()
    finally:
        await stop(application)
