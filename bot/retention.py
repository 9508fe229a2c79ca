"""The retention purge: data of people silent for longer than the retention period goes."""

from __future__ import annotations

import asyncio
import logging

from bot.conversation import Conversation
from bot.settings import Settings

__all__ = ["purge_once", "retention_loop"]

logger = logging.getLogger(__name__)

PURGE_EVERY_SECONDS = 3600.0


async def purge_once(settings: Settings, conversation: Conversation) -> None:
    """Delete expired people from the adapter's store and old conversations from Rasa's."""
    store = conversation.store
    days = settings.retention_days
    expired = await store.run(lambda: store.sync.expired(days))
    # A subscription the person chose outlives the retention period (until they
    # unsubscribe or /forget); the rest of what is kept about them goes.
    await store.run(lambda: [store.sync.expire(person) for person in expired])
    await store.run(store.sync.wipe_log)
    events = await conversation.rasa.purge(days * 86400.0)
    await store.run(lambda: store.sync.purge_callbacks(days))
    await store.run(lambda: store.sync.purge_broadcasts(days))
    # Inbox questions go after the (shorter) inbox period, "already rated" marks with
    # the retention period; the counts hold nobody and stay.
    kept = await store.run(lambda: store.sync.purge_feedback(settings.inbox_days, days))
    await store.run(store.sync.wipe_log)
    logger.info(
        "Retention purge: %d people, %d conversation events, %d inbox rows and votes",
        len(expired), events, kept,
    )  # fmt: skip


async def retention_loop(settings: Settings, conversation: Conversation) -> None:
    """Run :func:`purge_once` now and then every hour."""
    while True:
        try:
            await purge_once(settings, conversation)
        except Exception as exc:
            logger.error("Retention purge failed (%s); next try in an hour", type(exc).__name__)
        await asyncio.sleep(PURGE_EVERY_SECONDS)
