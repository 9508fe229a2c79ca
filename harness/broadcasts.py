"""What the broadcast tests and the benchmark share: subscribers in bulk, a clean table,
and the send rate as the Bot API stand-in saw it."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

__all__ = [
    "ARRIVAL_JITTER",
    "LoopLag",
    "clear_broadcasts",
    "loop_lag",
    "max_per_window",
    "seed_subscribers",
    "start_broadcast",
]


def clear_broadcasts() -> None:
    """Drop every subscription, broadcast and lease (tests share one database)."""
    from store.models import Broadcast, Lease, Subscription  # noqa: PLC0415

    Subscription.objects.all().delete()
    Broadcast.objects.all().delete()
    Lease.objects.all().delete()


def seed_subscribers(
    users: Iterable[int], pseudonym: Callable[[int], str], topic: str, language: str = "uk"
) -> int:
    """Subscribe ``users`` (private chats: chat id = user id) to ``topic`` in one go."""
    from store.models import Subscription  # noqa: PLC0415

    now = datetime.now(timezone.utc)
    rows = [
        Subscription(pseudonym=pseudonym(u), topic=topic, chat_id=u, language=language, created=now)
        for u in users
    ]
    Subscription.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


def start_broadcast(key: str, topics: list[str], texts: dict[str, str]) -> None:
    """A broadcast due now, as the console creates one on approval."""
    from store.api import Store  # noqa: PLC0415

    Store().add_broadcast(key, topics, texts, datetime.now(timezone.utc))


ARRIVAL_JITTER = 0.05
"""Seconds by which the stand-in's arrival times may be off the sender's pacing (a busy
event loop on either side): a perfect 50/s pacer can show 51 arrivals within one second
when the first is late. Tests count sends within ``1 - ARRIVAL_JITTER`` seconds."""


def max_per_window(times: Iterable[float], window: float = 1.0) -> int:
    """The most events within any ``window`` seconds (sliding, from each event)."""
    ordered = sorted(times)
    most, first = 0, 0
    for last, at in enumerate(ordered):
        while at - ordered[first] >= window:
            first += 1
        most = max(most, last - first + 1)
    return most


@dataclass
class LoopLag:
    """The longest stall of this process's event loop seen while it was watched."""

    worst: float = 0.0

    def slack(self, rate: float) -> int:
        """Sends that such a stall can bunch: paced apart, but held back by the stall
        between their pacing and their bytes reaching the stand-in (in this loop too),
        they then arrive together. Telegram, across a network, would see them apart."""
        return int(rate * max(0.0, self.worst - ARRIVAL_JITTER) + 0.999)


@contextlib.asynccontextmanager
async def loop_lag(tick: float = 0.01) -> AsyncIterator[LoopLag]:
    """Watch how late a ``tick``-second sleep wakes (a busy loop, or the process not
    scheduled on a loaded machine): the longest lateness is in ``LoopLag.worst``."""
    lag = LoopLag()

    async def watch() -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(tick)
            lag.worst = max(lag.worst, time.monotonic() - before - tick)

    watcher = asyncio.get_running_loop().create_task(watch())
    try:
        yield lag
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
