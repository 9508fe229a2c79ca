"""The one function that sends anything to Telegram."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from actions.compose import Reply
from bot.render import CALLBACK_LIMIT, keyboard, split_html
from bot.store import UserStore

__all__ = ["CALLBACK_KEY_PREFIX", "decode_callback", "send_replies"]

logger = logging.getLogger(__name__)

CALLBACK_KEY_PREFIX = "k:"
_MAX_ATTEMPTS = 4


def _encoder(users: UserStore) -> Callable[[str], str]:
    def encode(payload: str) -> str:
        if len(payload.encode()) <= CALLBACK_LIMIT and not payload.startswith(CALLBACK_KEY_PREFIX):
            return payload
        return CALLBACK_KEY_PREFIX + users.remember_callback(payload)

    return encode


def decode_callback(users: UserStore, data: str) -> str | None:
    """The payload behind callback data (None when a stored key is unknown)."""
    if data.startswith(CALLBACK_KEY_PREFIX):
        return users.callback_payload(data[len(CALLBACK_KEY_PREFIX) :])
    return data


async def _send_one(bot: Bot, chat_id: int, text: str, markup: object) -> bool:
    for attempt in range(1, _MAX_ATTEMPTS + 1):
        try:
            await bot.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,  # type: ignore[arg-type]
            )
            return True
        except RetryAfter as exc:
            delay = exc.retry_after
            seconds = delay.total_seconds() if hasattr(delay, "total_seconds") else float(delay)
            logger.warning("Telegram asks to wait %.1f s (attempt %d)", seconds, attempt)
            await asyncio.sleep(seconds)
        except Forbidden:
            logger.info("User blocked the bot; message skipped")
            return False
        except (TimedOut, NetworkError) as exc:
            if isinstance(exc, BadRequest):
                raise
            logger.warning("Telegram network problem (%s), attempt %d", type(exc).__name__, attempt)
            await asyncio.sleep(min(2**attempt, 10) * 0.25)
    logger.error("Message not delivered after %d attempts", _MAX_ATTEMPTS)
    return False


async def send_replies(bot: Bot, chat_id: int, replies: Sequence[Reply], users: UserStore) -> None:
    """Send replies in order: escaped HTML, split under 4096 characters, buttons last."""
    encode = _encoder(users)
    for reply in replies:
        chunks = split_html(reply.text)
        markup = keyboard(reply.buttons, encode)
        for i, chunk in enumerate(chunks):
            last = i == len(chunks) - 1
            if not await _send_one(bot, chat_id, chunk, markup if last else None):
                return
