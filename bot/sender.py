"""The one way anything is sent to Telegram: through a durable outbox, one queue per chat.

:meth:`Sender.send` renders replies (escaped HTML, split under 4096 characters, buttons on
the last part) and writes them to the outbox before anything is sent; a worker per chat
then delivers them in order. Telegram's refusals are retried here and only here
(python-telegram-bot's ``AIORateLimiter`` only spaces the sends out):

- ``429`` waits exactly the ``retry_after`` Telegram asks for, for that chat only;
- ``5xx`` and network errors back off (0.5 s doubling to 5 minutes), for that chat only;
- a chat that blocked the bot (``403``) is given up; a malformed message is dropped;
- after ``horizon`` (default 24 h) a message is given up and logged.

Messages into a forum topic (the handoff's staff group) carry its thread id; when
Telegram says the topic is gone (deleted or closed), ``threads`` (the handoff) makes a new
one and what waited for the old topic goes there, so a deleted topic is never a dead end.
A negative thread id stands for a case whose topic is still to be created.

So one chat's wait never holds another chat's answer, and a kill -9 loses nothing: what
was queued is sent after the restart. With adapter replicas (PostgreSQL), a chat's queue
is drained by one replica at a time (a lock per chat, store/locks.py). Each message has
a key (the update it answers and its place in the answer), so handling an update twice
queues its answer once. A message whose delivery Telegram confirmed but whose
confirmation was lost is sent again: a rare duplicate, never a loss.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.render import CALLBACK_LIMIT, keyboard, split_html
from poradnyk.compose import Reply
from store.api import AsyncStore, OutboxMessage
from store.locks import PersonLocks, chat_key

__all__ = ["CALLBACK_KEY_PREFIX", "Sender", "ThreadGone", "decode_callback", "thread_is_gone"]

logger = logging.getLogger(__name__)

CALLBACK_KEY_PREFIX = "k:"
_FIRST_BACKOFF = 0.5
_MAX_BACKOFF = 300.0
_WIPE_AFTER_SECONDS = 1.0
_THREAD_GONE = ("message thread not found", "topic_closed", "topic_deleted", "thread not found")

ThreadGone = Callable[[int, int], Awaitable[int | None]]
"""(chat, gone or placeholder thread id) -> the thread to send into instead (None: drop)."""


def thread_is_gone(error: BadRequest) -> bool:
    """Whether Telegram refused a send because its forum topic was deleted or closed."""
    return any(marker in error.message.lower() for marker in _THREAD_GONE)


async def decode_callback(store: AsyncStore, data: str) -> str | None:
    """The payload behind callback data (None when a stored key is unknown)."""
    if data.startswith(CALLBACK_KEY_PREFIX):
        return await store.callback_payload(data[len(CALLBACK_KEY_PREFIX) :])
    return data


def _seconds(delay: object) -> float:
    total = getattr(delay, "total_seconds", None)
    return float(total()) if callable(total) else float(delay)  # type: ignore[arg-type]


def _now() -> datetime:
    from django.utils import timezone  # noqa: PLC0415

    return timezone.now()


class Sender:
    """Queues replies durably and delivers them, one worker per chat."""

    def __init__(
        self, bot: Bot, store: AsyncStore, horizon: timedelta = timedelta(hours=24)
    ) -> None:
        self._bot = bot
        self._store = store
        self._horizon = horizon
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._again: set[int] = set()
        self._backing_off: set[int] = set()
        self._wipe: asyncio.Task[None] | None = None
        self._active_at = 0.0
        self._closed = False
        self._threads: ThreadGone | None = None
        # Replicas (PostgreSQL): one replica at a time drains a chat's queue, or two could
        # both send its oldest message (one replica's worker while another, having just
        # queued the next answer or just restarted, reads the same row).
        self._chat_locks = PersonLocks(store.sync.shared)

    def set_threads(self, threads: ThreadGone) -> None:
        """Who replaces a forum topic that is gone (or not yet made)."""
        self._threads = threads

    async def _encode(self, payload: str) -> str:
        if len(payload.encode()) <= CALLBACK_LIMIT and not payload.startswith(CALLBACK_KEY_PREFIX):
            return payload
        return CALLBACK_KEY_PREFIX + await self._store.remember_callback(payload)

    async def send(
        self,
        chat_id: int,
        replies: Sequence[Reply],
        key: str | None = None,
        thread_id: int | None = None,
    ) -> None:
        """Queue ``replies`` for ``chat_id`` (in forum topic ``thread_id``) under ``key``
        (what they answer) and deliver."""
        key = key or f"x{uuid.uuid4().hex}"
        messages: list[tuple[str, str, str]] = []
        for reply in replies:
            encoded = {b.payload: await self._encode(b.payload) for b in reply.buttons if not b.url}
            markup = keyboard(reply.buttons, encoded.__getitem__)
            chunks = split_html(reply.text)
            for i, chunk in enumerate(chunks):
                last = markup is not None and i == len(chunks) - 1
                markup_json = json.dumps(markup.to_dict()) if last and markup else ""
                messages.append((f"{key}:{len(messages)}", chunk, markup_json))
        await self._store.run(lambda: self._store.sync.outbox_add(chat_id, messages, thread_id))
        self._wake(chat_id)

    async def copy(
        self, chat_id: int, from_chat: int, message_id: int, key: str, thread_id: int | None
    ) -> None:
        """Queue a copy of a message (a person's, relayed to staff) under ``key``."""
        sync = self._store.sync
        await self._store.run(
            lambda: sync.outbox_add_copy(key, chat_id, from_chat, message_id, thread_id)
        )
        self._wake(chat_id)

    def wake(self, chat_id: int) -> None:
        """Deliver what was queued for ``chat_id`` directly in the store."""
        self._wake(chat_id)

    async def start(self) -> None:
        """Deliver what was queued before a restart."""
        for chat_id in await self._store.run(self._store.sync.outbox_chats):
            self._wake(chat_id)

    def pending_chats(self) -> int:
        """Chats with a delivery in progress."""
        return len(self._workers)

    def answers_waiting(self) -> int:
        """Chats whose answer is ready to go now (not waiting out a 429 or a back-off):
        broadcasts give way to them."""
        return len(self._workers) - len(self._backing_off)

    def _wake(self, chat_id: int) -> None:
        worker = self._workers.get(chat_id)
        if worker is not None and not worker.done():
            self._again.add(chat_id)
            return
        self._workers[chat_id] = asyncio.get_running_loop().create_task(self._drain(chat_id))

    async def _drain(self, chat_id: int) -> None:
        try:
            while True:
                async with self._chat_locks.hold(chat_key(chat_id)):
                    await self._deliver_queued(chat_id)
                # Releasing the lock waits for the database: a message queued meanwhile
                # woke this worker (``_again``), and is delivered before it ends.
                if chat_id not in self._again:
                    break
        except Exception:
            logger.exception("Outbox worker failed; it restarts on the next message")
        finally:
            self._workers.pop(chat_id, None)
            await self.wipe_when_idle()

    async def _deliver_queued(self, chat_id: int) -> None:
        """Send the chat's queued messages in order, until none is left and none was
        queued while the last one was read."""
        sync = self._store.sync
        while True:
            self._again.discard(chat_id)
            message = await self._store.run(lambda: sync.outbox_next(chat_id))
            while message is not None:
                wait = (message.not_before - _now()).total_seconds()
                if wait > 0:
                    self._backing_off.add(chat_id)
                    try:
                        await asyncio.sleep(wait)
                    finally:
                        self._backing_off.discard(chat_id)
                message = await self._deliver(message)
            if chat_id not in self._again:
                return

    async def _deliver(self, message: OutboxMessage) -> OutboxMessage | None:
        """Try to send one message; returns the chat's next one (one trip to the store)."""
        sync = self._store.sync
        chat_id = message.chat_id
        markup = (
            InlineKeyboardMarkup.de_json(json.loads(message.markup), self._bot)
            if message.markup
            else None
        )
        try:
            thread = message.thread_id
            if thread is not None and thread < 0:
                return await self._rethread(message, thread)
            if message.copy_from is not None and message.copy_id is not None:
                await self._bot.copy_message(
                    message.chat_id,
                    message.copy_from,
                    message.copy_id,
                    message_thread_id=thread,
                    reply_markup=markup,
                )
            else:
                await self._bot.send_message(
                    message.chat_id,
                    message.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    message_thread_id=thread,
                )
        except RetryAfter as exc:
            seconds = _seconds(exc.retry_after)
            logger.warning("Telegram asks to wait %.1f s for one chat", seconds)
            await self._later(message, seconds)
        except Forbidden:
            logger.info("A person blocked the bot; their queued messages are dropped")
            await self._store.run(lambda: sync.outbox_give_up(chat_id))
        except BadRequest as exc:
            if message.thread_id is not None and thread_is_gone(exc) and self._threads:
                logger.warning("A forum topic is gone (%s); making a new one", exc.message)
                try:
                    return await self._rethread(message, message.thread_id)
                except TelegramError as again:
                    logger.warning("No new forum topic yet (%s)", type(again).__name__)
                    await self._later(message, self._backoff(message))
                    return await self._store.run(lambda: sync.outbox_next(chat_id))
            logger.error("Telegram refused a message (%s); dropped", exc.message)
            await self._store.run(lambda: sync.outbox_give_up(chat_id, message.id))
        except NetworkError as exc:
            delay = self._backoff(message)
            logger.warning(
                "Telegram send failed (%s), attempt %d; next in %.1f s",
                type(exc).__name__, message.attempts + 1, delay,
            )  # fmt: skip
            await self._later(message, delay)
        else:
            return await self._store.run(lambda: sync.outbox_sent_then_next(message.id, chat_id))
        return await self._store.run(lambda: sync.outbox_next(chat_id))

    @staticmethod
    def _backoff(message: OutboxMessage) -> float:
        return float(min(_FIRST_BACKOFF * 2**message.attempts, _MAX_BACKOFF))

    async def _rethread(self, message: OutboxMessage, thread: int) -> OutboxMessage | None:
        """Move what waits for ``thread`` into the topic that replaces it; the chat's next
        message (the same one, retargeted). Network errors back off like a send's."""
        sync = self._store.sync
        chat_id = message.chat_id
        new = await self._threads(chat_id, thread) if self._threads else None
        if new is None:
            await self._store.run(lambda: sync.outbox_give_up(chat_id, message.id))
        else:
            await self._store.run(lambda: sync.outbox_retarget(chat_id, thread, new))
        return await self._store.run(lambda: sync.outbox_next(chat_id))

    async def _later(self, message: OutboxMessage, seconds: float) -> None:
        sync = self._store.sync
        when = _now() + timedelta(seconds=seconds)
        if when - message.created > self._horizon:
            logger.error("A message could not be delivered within %s; given up", self._horizon)
            await self._store.run(lambda: sync.outbox_give_up(message.chat_id, message.id))
            return
        await self._store.run(lambda: sync.outbox_later(message.id, when))

    async def wipe_when_idle(self) -> None:
        """Once nothing was sent or received for a second, wipe the database log (the chat
        ids and texts cleared from handled rows would otherwise linger in it). Under a
        steady load that moment waits; SQLite's own checkpoints reuse the log meanwhile."""
        self._active_at = asyncio.get_running_loop().time()
        if self._wipe is not None or self._closed:
            return
        self._wipe = asyncio.get_running_loop().create_task(self._wipe_soon())

    async def _wipe_soon(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                await asyncio.sleep(_WIPE_AFTER_SECONDS)
                if not self._workers and loop.time() - self._active_at >= _WIPE_AFTER_SECONDS:
                    break
            await self._store.run(self._store.sync.wipe_log)
        except Exception as exc:
            logger.warning("Could not wipe the database log (%s)", type(exc).__name__)
        finally:
            self._wipe = None

    async def close(self) -> None:
        """Stop the workers (what is queued stays queued)."""
        self._closed = True
        for worker in [*self._workers.values(), *([self._wipe] if self._wipe else [])]:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        await asyncio.to_thread(self._chat_locks.close)
