"""The one function that sends anything to Telegram, and the one place that retries.

python-telegram-bot's ``AIORateLimiter`` only spaces the sends out (``max_retries=0``);
waiting on Telegram's ``retry_after`` and retrying network errors happen here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.render import CALLBACK_LIMIT, keyboard, split_html
from poradnyk.compose import Reply
from store.api import AsyncStore

__all__ = ["CALLBACK_KEY_PREFIX", "Sender", "decode_callback"]

logger = logging.getLogger(__name__)

CALLBACK_KEY_PREFIX = "k:"
_MAX_ATTEMPTS = 4


async def decode_callback(store: AsyncStore, data: str) -> str | None:
    """The payload behind callback data (None when a stored key is unknown)."""
    if data.startswith(CALLBACK_KEY_PREFIX):
        return await store.callback_payload(data[len(CALLBACK_KEY_PREFIX) :])
    return data


def _seconds(delay: object) -> float:
    total = getattr(delay, "total_seconds", None)
    return float(total()) if callable(total) else float(delay)  # type: ignore[arg-type]


class Sender:
    """Sends replies: escaped HTML, split under 4096 characters, buttons on the last part."""

    def __init__(
        self, bot: Bot, store: AsyncStore, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    ) -> None:
        self._bot = bot
        self._store = store
        self._sleep = sleep

    async def _encode(self, payload: str) -> str:
        if len(payload.encode()) <= CALLBACK_LIMIT and not payload.startswith(CALLBACK_KEY_PREFIX):
            return payload
        return CALLBACK_KEY_PREFIX + await self._store.remember_callback(payload)

    async def send(self, chat_id: int, replies: Sequence[Reply]) -> None:
        """Send ``replies`` in order; a part that cannot be delivered stops the rest."""
        for reply in replies:
            chunks = split_html(reply.text)
            encoded = {b.payload: await self._encode(b.payload) for b in reply.buttons if not b.url}
            markup = keyboard(reply.buttons, encoded.__getitem__)
            for i, chunk in enumerate(chunks):
                last = i == len(chunks) - 1
                if not await self._send_one(chat_id, chunk, markup if last else None):
                    return

    async def _send_one(self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> bool:
        for attempt in range(1, _MAX_ATTEMPTS + 1):
            try:
                await self._bot.send_message(
                    chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
                )
                return True
            except RetryAfter as exc:
                seconds = _seconds(exc.retry_after)
                logger.warning("Telegram asks to wait %.1f s (attempt %d)", seconds, attempt)
                await self._sleep(seconds)
            except Forbidden:
                logger.info("A person blocked the bot; message skipped")
                return False
            except BadRequest:
                raise
            except (TimedOut, NetworkError) as exc:
                logger.warning(
                    "Telegram network problem (%s), attempt %d", type(exc).__name__, attempt
                )
                await self._sleep(min(2**attempt, 10) * 0.25)
        logger.error("Message not delivered after %d attempts", _MAX_ATTEMPTS)
        return False
