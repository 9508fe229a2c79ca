"""Wires the Telegram application together: settings, shared clients, handlers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from pathlib import Path

import httpx
from telegram import BotCommand, LinkPreviewOptions
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from actions.compose import Reply
from actions.content import ContentStore, domain_intents, known_topics
from bot import handlers
from bot.conversation import Conversation
from bot.http_transport import async_client, transport
from bot.rasa_client import RasaClient, default_timeout, delete_tracker, purge_trackers
from bot.sender import send_replies
from bot.settings import Settings
from bot.store import UserStore

__all__ = ["REPO_ROOT", "build_application", "build_conversation", "retention_loop"]

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ("start", "menu", "language", "contacts", "help", "privacy", "forget")
_PURGE_EVERY_SECONDS = 3600.0


def build_conversation(settings: Settings, http: httpx.AsyncClient) -> Conversation:
    """The conversation pipeline with its stores and the Rasa client."""
    content = ContentStore(settings.content_dir, known_topics(REPO_ROOT))
    users = UserStore(settings.db_path)
    rasa = RasaClient(http, settings.rasa_url, settings.rasa_api_token)
    return Conversation(settings, rasa, users, content, frozenset(domain_intents(REPO_ROOT)))


async def retention_loop(settings: Settings, conversation: Conversation, users: UserStore) -> None:
    """Purge users and conversations unused for longer than the retention period, hourly."""
    seconds = settings.retention_days * 86400.0
    while True:
        try:
            for user_id in users.expired_users(settings.retention_days):
                delete_tracker(settings.rasa_tracker_db, users.sender_id(user_id))
                users.forget(user_id)
            purged = purge_trackers(settings.rasa_tracker_db, seconds, time.time())
            users.purge_callbacks(settings.retention_days)
            logger.info("Retention purge done (%d tracker events removed)", purged)
        except Exception:
            logger.exception("Retention purge failed")
        await asyncio.sleep(_PURGE_EVERY_SECONDS)


async def _set_commands(application: Application, conversation: Conversation) -> None:
    content = conversation.content
    # Telegram shows the list matching the user's app language; others get Ukrainian.
    for code, lang in ((None, "uk"), ("uk", "uk"), ("ru", "uk"), ("cs", "cs"), ("en", "en")):
        commands = [BotCommand(c, content.text(f"cmd_{c}", lang)) for c in COMMANDS]
        try:
            await application.bot.set_my_commands(commands, language_code=code)
        except Exception as exc:
            logger.warning("set_my_commands failed: %s", type(exc).__name__)


def build_application(settings: Settings) -> Application:
    """The python-telegram-bot application for ``settings`` (token required)."""
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    # Opt in to PTB's future behaviour (RetryAfter.retry_after as a timedelta) now.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)

    async def post_init(application: Application) -> None:
        http = async_client(
            settings.http_transport,
            timeout=default_timeout(settings.rasa_timeout),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        )
        conversation = build_conversation(settings, http)
        users = conversation.users

        async def deliver(user_id: int, replies: list[Reply]) -> None:
            await send_replies(application.bot, user_id, replies, users)

        conversation.set_deliver(deliver)
        application.bot_data.update(
            settings=settings,
            http=http,
            conversation=conversation,
            users=users,
            retention=asyncio.get_running_loop().create_task(
                retention_loop(settings, conversation, users)
            ),
        )
        await _set_commands(application, conversation)
        if not settings.warm_up:
            logger.info("No warm-up (PORADNYK_WARM_UP=0)")
        elif await conversation.warm_up():
            logger.info("Rasa is ready")
        else:
            logger.warning("Rasa is not ready yet; answers come from content until it is")

    async def post_shutdown(application: Application) -> None:
        data = application.bot_data
        task = data.get("retention")
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if "conversation" in data:
            await data["conversation"].close()
            data["users"].close()
        if "http" in data:
            await data["http"].aclose()

    builder = ApplicationBuilder()
    if settings.http_transport != "httpx":
        # python-telegram-bot's own pool sizes and timeouts, on our transport.
        def request(size: int) -> HTTPXRequest:
            chosen = transport(settings.http_transport, size)
            return HTTPXRequest(size, httpx_kwargs={"transport": chosen})

        builder = builder.request(request(256)).get_updates_request(request(1))
    application = (
        builder.token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_base_url.replace("/bot", "/file/bot"))
        .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
        # Telegram allows a bot about 30 messages per second overall (and 1 per second
        # per chat); the limiter queues sends instead of getting 429s.
        .rate_limiter(AIORateLimiter(overall_max_rate=settings.telegram_max_rate, max_retries=3))
        .concurrent_updates(settings.concurrent_updates)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    private = filters.ChatType.PRIVATE
    # Order matters: the first matching handler of the group takes the update.
    # 1. Groups and channels never reach the conversation (it is private advice).
    application.add_handler(
        MessageHandler(~private & filters.UpdateType.MESSAGES, handlers.on_group)
    )
    # 2. Edits are not re-answered (the answer to the original stands).
    application.add_handler(MessageHandler(filters.UpdateType.EDITED, handlers.on_edited))
    # 3. Commands, including unknown ones.
    application.add_handler(MessageHandler(filters.COMMAND & private, handlers.on_command))
    # 4. Questions.
    application.add_handler(MessageHandler(filters.TEXT & private, handlers.on_text))
    # 5. Buttons, from any chat (the answer goes where the button is).
    application.add_handler(CallbackQueryHandler(handlers.on_button))
    # 6. Everything else a person can send in a private chat.
    application.add_handler(MessageHandler(filters.LOCATION & private, handlers.on_location))
    application.add_handler(
        MessageHandler(
            (filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE) & private, handlers.on_voice
        )
    )
    application.add_handler(MessageHandler(private, handlers.on_non_text))
    application.add_error_handler(handlers.on_error)
    return application
