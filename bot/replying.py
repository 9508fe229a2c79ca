"""How a handler answers: run the pipeline (with "typing..." if slow), then send."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from telegram import Bot, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.context import Context
from poradnyk.compose import Reply

__all__ = ["answer_key", "answer_with", "send_after"]

Step = Callable[[int, str | None], Awaitable[list[Reply]]]
"""A pipeline step: (Telegram user id, Telegram's language code) -> replies."""


async def _typing_later(bot: Bot, chat_id: int, delay: float) -> None:
    await asyncio.sleep(delay)
    with contextlib.suppress(TelegramError):  # only a courtesy: never fail the answer
        await bot.send_chat_action(chat_id, ChatAction.TYPING)


def answer_key(update: Update) -> str:
    """The outbox key of an update's answer: handled twice, it is still sent once."""
    return f"u{update.update_id}"


async def send_after(
    update: Update, context: Context, chat_id: int, work: Awaitable[list[Reply]]
) -> None:
    """Send the replies ``work`` makes; "typing..." is shown only if they take a while.

    Most answers arrive within a fraction of a second, before a typing indicator would be
    seen; sending it anyway would cost a Bot API call per message (counted against
    Telegram's limits) and about 2 ms of the adapter's CPU time per message.
    """
    services = context.bot_data.services
    typing = asyncio.create_task(
        _typing_later(context.bot, chat_id, services.settings.typing_after)
    )
    try:
        replies = await work
    finally:
        typing.cancel()
    await services.sender.send(chat_id, replies, answer_key(update))


async def answer_with(update: Update, context: Context, step: Step) -> None:
    """Answer the update's person with one pipeline step."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    await send_after(update, context, chat.id, step(user.id, user.language_code))
