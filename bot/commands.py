"""One handler per bot command (registered with a ``CommandHandler`` each in ``app.py``)."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.replying import answer_with

__all__ = [
    "HANDLERS",
    "contacts",
    "forget",
    "help_",
    "human",
    "language",
    "menu",
    "privacy",
    "start",
    "subscribe",
    "unknown",
]


async def start(update: Update, context: Context) -> None:
    """/start: greeting and the language choice."""
    await answer_with(update, context, context.bot_data.services.conversation.start)


async def menu(update: Update, context: Context) -> None:
    """/menu: the topics."""
    await answer_with(update, context, context.bot_data.services.conversation.menu)


async def language(update: Update, context: Context) -> None:
    """/language: the language buttons."""
    await answer_with(update, context, context.bot_data.services.conversation.language_menu)


async def contacts(update: Update, context: Context) -> None:
    """/contacts: organisations near the person."""
    await answer_with(update, context, context.bot_data.services.conversation.contacts)


async def human(update: Update, context: Context) -> None:
    """/human: talk to a person from the NGO (what staff will see, then a confirmation)."""
    await answer_with(update, context, context.bot_data.services.conversation.human)


async def help_(update: Update, context: Context) -> None:
    """/help: what the bot can do."""
    await answer_with(update, context, context.bot_data.services.conversation.help)


async def subscribe(update: Update, context: Context) -> None:
    """/subscribe: choose the topics to get reminders and news about."""
    await answer_with(update, context, context.bot_data.services.conversation.subscriptions)


async def privacy(update: Update, context: Context) -> None:
    """/privacy: what is stored and for how long."""
    await answer_with(update, context, context.bot_data.services.conversation.privacy)


async def forget(update: Update, context: Context) -> None:
    """/forget: delete everything stored about the person."""
    await answer_with(update, context, context.bot_data.services.conversation.forget)


async def unknown(update: Update, context: Context) -> None:
    """Any other command: say so and show the topics."""
    await answer_with(update, context, context.bot_data.services.conversation.unknown_command)


HANDLERS = {
    "start": start,
    "menu": menu,
    "language": language,
    "contacts": contacts,
    "subscribe": subscribe,
    "human": human,
    "help": help_,
    "privacy": privacy,
    "forget": forget,
}
"""The commands, in the order of Telegram's menu (their labels are the ``cmd_*`` texts)."""
