"""Telegram update handlers: small typed functions that call the conversation pipeline."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from typing import cast

from telegram import Bot, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from actions.compose import Reply
from bot.conversation import Conversation
from bot.geo import region_for_location
from bot.sender import decode_callback, send_replies
from bot.settings import Settings
from bot.store import UserStore

__all__ = [
    "on_button",
    "on_command",
    "on_edited",
    "on_error",
    "on_group",
    "on_location",
    "on_non_text",
    "on_text",
    "on_voice",
]

logger = logging.getLogger(__name__)


def _conversation(context: ContextTypes.DEFAULT_TYPE) -> Conversation:
    return cast(Conversation, context.bot_data["conversation"])


def _users(context: ContextTypes.DEFAULT_TYPE) -> UserStore:
    return cast(UserStore, context.bot_data["users"])


def _settings(context: ContextTypes.DEFAULT_TYPE) -> Settings:
    return cast(Settings, context.bot_data["settings"])


async def _typing_later(bot: Bot, chat_id: int, delay: float) -> None:
    await asyncio.sleep(delay)
    with contextlib.suppress(TelegramError):  # only a courtesy: never fail the answer
        await bot.send_chat_action(chat_id, ChatAction.TYPING)


async def _typing_while_slow(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, work: Awaitable[list[Reply]]
) -> list[Reply]:
    """The replies ``work`` makes; "typing..." is shown only if they take a while.

    Most answers arrive within a fraction of a second, before a typing indicator would be
    seen; sending it anyway would cost a Bot API call per message (counted against
    Telegram's limits) and about 2 ms of the adapter's CPU time per message.
    """
    typing = asyncio.create_task(
        _typing_later(context.bot, chat_id, _settings(context).typing_after)
    )
    try:
        return await work
    finally:
        typing.cancel()


def _who(update: Update) -> tuple[int, int, str | None] | None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    return user.id, chat.id, user.language_code


async def _reply(context: ContextTypes.DEFAULT_TYPE, chat_id: int, replies: list[Reply]) -> None:
    await send_replies(context.bot, chat_id, replies, _users(context))


async def _flooded(
    context: ContextTypes.DEFAULT_TYPE, conversation: Conversation, who: tuple[int, int, str | None]
) -> bool:
    """Whether the user is over the per-user rate limit (and has been told so)."""
    user_id, chat_id, tg_lang = who
    if not conversation.flooding(user_id):
        return False
    await _reply(context, chat_id, conversation.fixed(user_id, tg_lang, "rate_limited"))
    return True


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A typed message in a private chat: answer through Rasa."""
    who = _who(update)
    if who is None or update.effective_message is None:
        return
    user_id, chat_id, tg_lang = who
    conversation = _conversation(context)
    if await _flooded(context, conversation, who):
        return
    text = update.effective_message.text or ""
    replies = await _typing_while_slow(
        context, chat_id, conversation.on_text(user_id, text, tg_lang)
    )
    await _reply(context, chat_id, replies)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A pressed inline button: always answered, even when its data is stale."""
    query = update.callback_query
    who = _who(update)
    if query is None or who is None:
        return
    await query.answer()
    user_id, chat_id, tg_lang = who
    conversation = _conversation(context)
    if await _flooded(context, conversation, who):
        return
    data = decode_callback(_users(context), query.data or "") or ""
    replies = await _typing_while_slow(
        context, chat_id, conversation.on_button(user_id, data, tg_lang)
    )
    await _reply(context, chat_id, replies)


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start, /menu, /language, /contacts, /help, /privacy, /forget and unknown commands."""
    who = _who(update)
    message = update.effective_message
    if who is None or message is None or not message.text:
        return
    user_id, chat_id, tg_lang = who
    conversation = _conversation(context)
    if await _flooded(context, conversation, who):
        return
    name = message.text.split()[0].split("@")[0].lstrip("/").lower()
    replies = await _typing_while_slow(
        context, chat_id, conversation.command(user_id, name, tg_lang)
    )
    await _reply(context, chat_id, replies)


async def on_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A shared location: use its region for local contacts."""
    who = _who(update)
    message = update.effective_message
    if who is None or message is None or message.location is None:
        return
    user_id, chat_id, tg_lang = who
    region = region_for_location(message.location.latitude, message.location.longitude)
    await _reply(context, chat_id, await _conversation(context).location(user_id, region, tg_lang))


async def _fixed_text(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str) -> None:
    who = _who(update)
    chat = update.effective_chat
    if who is None or chat is None or chat.type == ChatType.CHANNEL:
        return
    user_id, chat_id, tg_lang = who
    await _reply(context, chat_id, _conversation(context).fixed(user_id, tg_lang, key))


async def on_voice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Voice and audio: ask to type instead."""
    await _fixed_text(update, context, "voice")


async def on_non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, documents, contacts...: ask for text."""
    await _fixed_text(update, context, "non_text")


async def on_edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message: ask to send it as a new one."""
    await _fixed_text(update, context, "edited")


async def on_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Anything in a group: point to the private chat (conversations there are public)."""
    await _fixed_text(update, context, "group_chat")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log handler errors without user data; the user still gets an answer if possible."""
    logger.error("Update handling failed: %s", type(context.error).__name__, exc_info=context.error)
    if isinstance(update, Update) and (who := _who(update)) is not None:
        user_id, chat_id, tg_lang = who
        try:
            conversation = _conversation(context)
            lang = conversation.language(user_id, None, tg_lang)
            from actions.compose import service_down_reply  # noqa: PLC0415

            await _reply(context, chat_id, [service_down_reply(conversation.content, lang)])
        except Exception:
            logger.error("Could not send the error reply")
