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


def test_the_tables_are_in_postgresql(store: Store) -> None:
    from django.db import connection  # noqa: PLC0415

    store.update("u-where", last_language="uk")
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_language FROM store_person WHERE pseudonym = %s", ["u-where"])
        assert cursor.fetchone() == ("uk",)
