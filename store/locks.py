"""One person at a time across adapter replicas: PostgreSQL advisory locks.

Two replicas behind a reverse proxy can get one person's consecutive updates at the same
moment (Telegram delivers a webhook over several connections). Whoever handles a
person's update holds that person's lock, here: first an asyncio lock within the process
(a PostgreSQL session holds its advisory locks re-entrantly, so two tasks of one replica
would both pass it), then ``pg_try_advisory_lock`` on a connection of its own. Session
locks rather than transaction locks, because a turn spans many store calls and a Rasa
round trip; "try" in a short poll rather than the blocking call, so the one lock
connection serves every person of the replica and never waits in the server.

If that connection is lost (a restart of PostgreSQL), the server drops its locks; the
next call reconnects (store.backend.reconnecting). Order may then slip for the turns in
flight at that moment; nothing is lost or answered twice (intake and outbox keys).

The same locks, on keys of their own (:func:`chat_key`), let one replica at a time drain a
chat's outbox queue (bot/sender.py).

On SQLite (one machine, one adapter) there is nothing to share: only the asyncio lock.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

from store.backend import reconnecting

__all__ = ["PersonLocks", "chat_key", "person_key"]

_POLL_FIRST, _POLL_MOST = 0.005, 0.05
_NAMESPACE = 0x504F  # "PO": the high bits of every key, apart from other advisory locks
_CHAT_NAMESPACE = 0x5043  # "PC": a chat's outbox queue (bot/sender.py)


def person_key(pseudonym: str) -> int:
    """A 63-bit number for the person (their lock and their intake rows' ``person``)."""
    return (_NAMESPACE << 47) | (int(pseudonym[1:13], 16) & ((1 << 47) - 1))


def chat_key(chat_id: int) -> int:
    """A 63-bit number for a chat's outbox queue (its lock; apart from people's keys)."""
    return (_CHAT_NAMESPACE << 47) | (chat_id & ((1 << 47) - 1))


class PersonLocks:
    """Per-person locks: in-process always, across processes on PostgreSQL."""

    def __init__(self, shared: bool) -> None:
        self.shared = shared
        self._local: dict[int, tuple[asyncio.Lock, int]] = {}
        # Advisory locks belong to the session: one thread, so one Django connection.
        self._thread = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="locks") if shared else None
        )

    @contextlib.asynccontextmanager
    async def hold(self, key: int) -> AsyncIterator[None]:
        """Hold the lock of the person ``key`` (FIFO within this replica)."""
        lock, users = self._local.get(key) or (asyncio.Lock(), 0)
        self._local[key] = (lock, users + 1)
        try:
            async with lock:
                if self._thread is None:
                    yield
                    return
                await self._acquire(key)
                try:
                    yield
                finally:
                    await self._sql("SELECT pg_advisory_unlock(%s)", key)
        finally:
            lock, users = self._local[key]
            if users <= 1:
                del self._local[key]
            else:
                self._local[key] = (lock, users - 1)

    async def _acquire(self, key: int) -> None:
        delay = _POLL_FIRST
        while not await self._sql("SELECT pg_try_advisory_lock(%s)", key):
            await asyncio.sleep(delay)
            delay = min(delay * 2, _POLL_MOST)

    async def _sql(self, statement: str, key: int) -> bool:
        def run() -> bool:
            from django.db import connection  # noqa: PLC0415

            with connection.cursor() as cursor:
                cursor.execute(statement, [key])
                row = cursor.fetchone()
            return bool(row and row[0])

        assert self._thread is not None
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, reconnecting(run))

    def close(self) -> None:
        """Close the lock connection (which releases every lock it held)."""
        if self._thread is None:
            return

        def close_connection() -> None:
            from django.db import connection  # noqa: PLC0415

            connection.close()

        self._thread.submit(close_connection).result()
        self._thread.shutdown(wait=True)
