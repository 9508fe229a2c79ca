"""Rasa's lock store from one URL: Redis when set (several servers), else in memory."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from rasa.core.lock_store import InMemoryLockStore

from harness.servers import Redis
from rasa_server.lock_store import LockStoreByUrl, PatientRedisLockStore, redis_kwargs


def test_no_url_means_in_memory() -> None:
    for url in (None, "", "  "):
        assert isinstance(LockStoreByUrl(SimpleNamespace(url=url, kwargs={})), InMemoryLockStore)


def test_the_url_gives_host_port_database_and_password() -> None:
    assert redis_kwargs("redis://:pa%40ss@redis.internal:6380/2") == {
        "host": "redis.internal",
        "port": 6380,
        "db": 2,
        "username": None,
        "password": "pa@ss",
        "use_ssl": False,
    }
    assert redis_kwargs("rediss://h")["use_ssl"] is True
    assert redis_kwargs("redis://h")["db"] == 1  # Rasa's default
    with pytest.raises(ValueError):
        redis_kwargs("http://h")


async def test_two_servers_share_one_lock_and_survive_a_redis_restart(redis: Redis) -> None:
    config = SimpleNamespace(url=redis.url, kwargs={})
    first, second = LockStoreByUrl(config), LockStoreByUrl(config)
    assert isinstance(first, PatientRedisLockStore)
    order: list[str] = []

    async def hold(store: object, name: str, seconds: float) -> None:
        async with store.lock("conversation-1", wait_time_in_seconds=0.05):  # type: ignore[attr-defined]
            order.append(f"{name} in")
            await asyncio.sleep(seconds)
            order.append(f"{name} out")

    await asyncio.gather(hold(first, "a", 0.3), hold(second, "b", 0.0))
    assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])

    redis.restart()  # the lock store waits for it instead of failing the message
    order.clear()
    await hold(second, "c", 0.0)
    assert order == ["c in", "c out"]


async def test_a_dead_servers_ticket_blocks_the_conversation_for_seconds_only(
    redis: Redis,
) -> None:
    config = SimpleNamespace(url=redis.url, kwargs={"ticket_lifetime": 1.5})
    dead, alive = LockStoreByUrl(config), LockStoreByUrl(config)
    dead.issue_ticket("conversation-2")  # taken, never given back: its server was killed
    loop = asyncio.get_running_loop()
    started = loop.time()
    # Our ticket, issued at once, expires with the dead one: Rasa's own loop would wait
    # forever then (no ticket left is "now serving" ours).
    async with alive.lock("conversation-2", wait_time_in_seconds=0.1):
        waited = loop.time() - started
    assert 1.0 < waited < 3.0
    async with alive.lock("conversation-2", wait_time_in_seconds=0.1):
        assert loop.time() - started < 3.5  # nothing left behind
