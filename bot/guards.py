"""Guards that run before any handler (early handler groups) and may stop an update.

0. The NGO's staff group (handoff): its updates go to bot/handoff.py and nowhere else.
1. Groups and channels never reach the conversation: advice is private. A message there
   gets at most one short "write to me privately" reply with a link, per group and
   quarter of an hour; a button pressed there is acknowledged and does nothing.
2. The flood limit, for every kind of update from a person (messages and buttons).
"""

from __future__ import annotations

import logging
import time

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.context import Context
from bot.flood import Verdict
from bot.language import hint_language
from bot.replying import answer_key
from poradnyk.compose import Button, Reply

__all__ = ["GROUP_REPLY_EVERY_SECONDS", "keep_out_of_groups", "limit_floods", "staff_group"]

logger = logging.getLogger(__name__)

GROUP_REPLY_EVERY_SECONDS = 900.0
_group_replied: dict[int, float] = {}
_forums_seen: set[int] = set()


async def staff_group(update: Update, context: Context) -> None:
    """Updates of the staff group reach the handoff only (a reply or command in a topic)."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    handoff = context.bot_data.services.handoff
    if not handoff.is_staff_chat(chat.id):
        if chat.is_forum and chat.id not in _forums_seen:
            # Setting up the staff group: its id is what content/handoff.yml needs.
            _forums_seen.add(chat.id)
            logger.info("A group with topics wrote to the bot: chat id %s", chat.id)
        return
    await handoff.on_staff(update)
    raise ApplicationHandlerStop


async def keep_out_of_groups(update: Update, context: Context) -> None:
    """Stop everything that is not from a person in a private chat with the bot."""
    chat = update.effective_chat
    query = update.callback_query
    if chat is not None and chat.type == ChatType.PRIVATE and update.effective_user is not None:
        return
    if query is not None:
        # A button in a group, or under an inline message: it does nothing there.
        await query.answer()
        raise ApplicationHandlerStop
    message = update.message
    if chat is not None and message is not None and chat.type != ChatType.CHANNEL:
        now = time.monotonic()
        if (
            now - _group_replied.get(chat.id, -GROUP_REPLY_EVERY_SECONDS)
            >= GROUP_REPLY_EVERY_SECONDS
        ):
            _group_replied[chat.id] = now
            services = context.bot_data.services
            content = services.conversation.content
            user = update.effective_user
            lang = hint_language(user.language_code if user else None)
            lang = lang or services.settings.default_language
            link = f"https://t.me/{context.bot.username}"
            button = Button(content.text("btn_private_chat", lang), url=link)
            await services.sender.send(
                chat.id, [Reply(content.text("group_chat", lang), (button,))]
            )
    raise ApplicationHandlerStop


async def limit_floods(update: Update, context: Context) -> None:
    """Past the per-person limit: say "slow down" once per window, drop the rest."""
    user = update.effective_user
    if user is None:
        return
    services = context.bot_data.services
    verdict = services.flood.check(user.id)
    if verdict is Verdict.ALLOW:
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    if verdict is Verdict.WARN:
        logger.info("Flood limit reached by one person")
        replies = await services.conversation.fixed(user.id, user.language_code, "rate_limited")
        await services.sender.send(user.id, replies, answer_key(update))
    raise ApplicationHandlerStop
