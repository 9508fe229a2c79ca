"""Rasa's lock store from one URL: Redis for several Rasa servers, in memory for one.

Rasa takes a lock per conversation while it handles a message, so that two messages of
one person are handled one after the other. Its docs say the in-memory lock store must not
be used with several servers: they would not see each other's locks. With
``PORADNYK_REDIS_URL`` (``redis://[:password@]host:port/db``) every server shares
Rasa's own :class:`RedisLockStore`; a short loss of Redis (a restart) is waited out for a
few seconds instead of failing the messages in flight.

Known limit (RasaHQ/rasa #9213, fix #11256 reverted in #11428): two servers issuing a
ticket for the same conversation at the same instant can both get it. The adapter sends
one person's messages to one Rasa server while it is up (``bot.rasa_client``), so two
servers meet on one conversation only during a fail-over.

Configured in endpoints.yml as ``type: rasa_server.lock_store.LockStoreByUrl`` with
``url: ${PORADNYK_REDIS_URL}`` (empty: in memory) and optionally ``ticket_lifetime``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore

__all__ = ["LockStoreByUrl", "PatientRedisLockStore", "redis_kwargs"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

_WAIT_FOR_REDIS_SECONDS = 15.0


def redis_kwargs(url: str) -> dict[str, Any]:
    """:class:`RedisLockStore` arguments from a ``redis://`` or ``rediss://`` URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError("PORADNYK_REDIS_URL must start with redis:// or rediss://")
    path = parts.path.strip("/")
    return {
        "host": parts.hostname or "localhost",
        "port": parts.port or 6379,
        "db": int(path) if path else 1,
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "use_ssl": parts.scheme == "rediss",
    }


class PatientRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store, waiting up to 15 s for Redis to come back, with tickets
    that expire after ``ticket_lifetime`` seconds (Rasa: 60).

    A ticket of a server killed mid-message stays in Redis until it expires, and the
    person's next message waits for it on the replica that took over: 60 s would outlast
    the adapter's patience. Rasa answers in well under a second; the adapter sends one
    person's next message only after the previous answer (or its own timeout).
    """

    def __init__(self, *args: Any, ticket_lifetime: float = 5.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ticket_lifetime = float(ticket_lifetime)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = 60.0) -> int:
        """See :meth:`LockStore.issue_ticket` (the lifetime is capped)."""
        return int(super().issue_ticket(conversation_id, min(lock_lifetime, self.ticket_lifetime)))

    async def _acquire_lock(
        self, conversation_id: str, ticket: int, wait_time_in_seconds: float
    ) -> TicketLock:
        """Rasa 3.6.21's wait for our turn, except when our own ticket expires meanwhile.

        Rasa's loop then waits forever (no ticket left is ever "now serving" ours) or
        fails the message; having waited a whole lifetime, we go on instead.
        """
        while True:
            lock = self.get_lock(conversation_id)
            if lock is None or lock._ticket_for_ticket_number(ticket) is None:
                logger.warning("Lock ticket expired while waiting; going on")
                return lock if lock is not None else TicketLock(conversation_id)
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)
            self.update_lock(conversation_id)

    def _patiently(self, call: Callable[[], T]) -> T:
        import redis  # noqa: PLC0415 - Rasa's dependency, only needed here

        deadline = time.monotonic() + _WAIT_FOR_REDIS_SECONDS
        delay = 0.05
        while True:
            try:
                return call()
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                if time.monotonic() > deadline:
                    raise
                logger.warning("Redis unreachable (%s); trying again", type(exc).__name__)
                # Blocking on purpose: no conversation can go on without its lock anyway.
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def get_lock(self, conversation_id: str) -> Any:
        """See :meth:`RedisLockStore.get_lock`."""
        return self._patiently(lambda: super(PatientRedisLockStore, self).get_lock(conversation_id))

    def delete_lock(self, conversation_id: str) -> None:
        """See :meth:`RedisLockStore.delete_lock`."""
        self._patiently(lambda: super(PatientRedisLockStore, self).delete_lock(conversation_id))

    def save_lock(self, lock: Any) -> None:
        """See :meth:`RedisLockStore.save_lock`."""
        self._patiently(lambda: super(PatientRedisLockStore, self).save_lock(lock))


class LockStoreByUrl:
    """The lock store endpoints.yml names: Redis for a URL, else in memory.

    Rasa creates a custom lock store by calling its class with ``endpoint_config``; this
    one hands back the chosen store.
    """

    def __new__(cls, endpoint_config: Any = None) -> LockStore:
        url = (getattr(endpoint_config, "url", None) or "").strip()
        if not url:
            return InMemoryLockStore()
        kwargs = getattr(endpoint_config, "kwargs", None) or {}
        return PatientRedisLockStore(
            **redis_kwargs(url),
            key_prefix=kwargs.get("key_prefix"),
            ticket_lifetime=float(kwargs.get("ticket_lifetime") or 5.0),
        )
