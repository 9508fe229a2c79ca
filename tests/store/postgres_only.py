"""Store checks that only PostgreSQL can fail: run by tests/store/test_postgres.py in a
process configured for PostgreSQL (not collected on its own)."""

from __future__ import annotations

import pytest

from store.api import AsyncStore, Store, setup_django


@pytest.fixture(scope="module")
def store() -> Store:
    setup_django()
    from django.db import connection  # noqa: PLC0415

    assert connection.vendor == "postgresql"
    return Store()


async def test_a_call_survives_its_connection_being_cut(store: Store) -> None:
    """A restart or fail-over of the server cuts every connection: the next call opens a
    new one instead of failing on the dead one forever."""
    import psycopg  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415

    async_store = AsyncStore(store)
    await async_store.update("u-cut", chosen_language="cs")
    pid = await async_store.run(lambda: connection.connection.info.backend_pid)
    url = connection.settings_dict
    with psycopg.connect(
        host=url["HOST"], port=url["PORT"], user=url["USER"], dbname=url["NAME"], autocommit=True
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))
    assert (await async_store.prefs("u-cut")).chosen_language == "cs"
    assert await async_store.run(lambda: connection.connection.info.backend_pid) != pid
    async_store.close()


async def test_a_persons_lock_is_held_against_another_replica(store: Store) -> None:
    """Two PersonLocks are two sessions, as two adapter processes would be: while one
    holds a person, the other waits for exactly that person and no other."""
    import asyncio  # noqa: PLC0415

    from store.locks import PersonLocks, person_key  # noqa: PLC0415

    assert store.shared
    first, second = PersonLocks(shared=True), PersonLocks(shared=True)
    key, other = person_key("u" + "ab" * 16), person_key("u" + "cd" * 16)
    order: list[str] = []

    async def replica_b() -> None:
        async with second.hold(key):
            order.append("b")

    try:
        async with first.hold(key):
            waiting = asyncio.create_task(replica_b())
            async with second.hold(other):  # another person: not held up
                order.append("other")
            await asyncio.sleep(0.3)
            order.append("a")
        await asyncio.wait_for(waiting, 5)
        assert order == ["other", "a", "b"]
    finally:
        first.close()
        second.close()


def test_the_tables_are_in_postgresql(store: Store) -> None:
    from django.db import connection  # noqa: PLC0415

    store.update("u-where", last_language="uk")
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_language FROM store_person WHERE pseudonym = %s", ["u-where"])
        assert cursor.fetchone() == ("uk",)
