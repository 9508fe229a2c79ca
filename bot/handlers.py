"""Handlers of what people send besides commands: small typed functions over the pipeline."""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import Context
from bot.geo import region_for_location
from bot.replying import answer_with, send_after
from bot.sender import decode_callback
from poradnyk.compose import Reply, service_down_reply

__all__ = [
    "on_button",
    "on_edited",
    "on_error",
    "on_location",
    "on_non_text",
    "on_text",
    "on_voice",
]

logger = logging.getLogger(__name__)


async def on_text(update: Update, context: Context) -> None:
    """A typed message: answer through Rasa."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    if await context.bot_data.services.handoff.relay(update):
        return  # a person from the NGO handles it: copied to them, not answered by the bot
    conversation = context.bot_data.services.conversation
    work = conversation.on_text(user.id, message.text or "", user.language_code, update.update_id)
    await send_after(update, context, message.chat_id, work)


async def on_button(update: Update, context: Context) -> None:
    """A pressed inline button: always answered, even when its data is stale or forged."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    await query.answer()
    services = context.bot_data.services
    data = await decode_callback(services.conversation.store, query.data or "")
    name = user.full_name + (f" (@{user.username})" if user.username else "")
    work = services.conversation.on_button(user.id, data, user.language_code, name)
    await send_after(update, context, user.id, work)


async def on_location(update: Update, context: Context) -> None:
    """A shared location: use its region for local contacts."""
    message = update.effective_message
    if message is None or message.location is None:
        return
    region = region_for_location(message.location.latitude, message.location.longitude)
    conversation = context.bot_data.services.conversation

    async def step(user_id: int, telegram_language: str | None) -> list[Reply]:
        return await conversation.location(user_id, region, telegram_language)

    await answer_with(update, context, step)


async def _fixed(key: str, update: Update, context: Context) -> None:
    if await context.bot_data.services.handoff.relay(update):
        return  # photos, voice, documents... reach the person from the NGO as they are
    conversation = context.bot_data.services.conversation

    async def step(user_id: int, telegram_language: str | None) -> list[Reply]:
        return await conversation.fixed(user_id, telegram_language, key)

    await answer_with(update, context, step)


async def on_voice(update: Update, context: Context) -> None:
    """Voice and audio: ask to type instead."""
    await _fixed("voice", update, context)


async def on_non_text(update: Update, context: Context) -> None:
    """Stickers, photos, documents, contacts...: ask for text."""
    await _fixed("non_text", update, context)


async def on_edited(update: Update, context: Context) -> None:
    """An edited message: ask to send it as a new one (the first answer stands)."""
    conversation = context.bot_data.services.conversation

    async def step(user_id: int, telegram_language: str | None) -> list[Reply]:
        return await conversation.fixed(user_id, telegram_language, "edited")

    await answer_with(update, context, step)


async def on_error(update: object, context: Context) -> None:
    """Log handler errors without user data; the person still gets an answer if possible."""
    error = context.error
    logger.error("Update handling failed: %s", type(error).__name__)
    logger.debug("Traceback of the failure", exc_info=error)
    if not isinstance(update, Update) or not context.bot_data.ready:
        return
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    services = context.bot_data.services
    try:
        lang = services.settings.default_language
        async with services.conversation.turn(user.id) as person:
            lang = await services.conversation.language(person, None, user.language_code)
        await services.sender.send(
            chat.id, [service_down_reply(services.conversation.content, lang)]
        )
    except Exception as exc:
        logger.error("Could not send the error reply (%s)", type(exc).__name__)
