"""What the broadcast tests and the benchmark share: subscribers in bulk, a clean table,
and the send rate as the Bot API stand-in saw it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timezone

__all__ = [
    "ARRIVAL_JITTER",
    "clear_broadcasts",
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
