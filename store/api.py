"""The adapter's one way to its tables: typed calls, run off the event loop in one thread.

Django's ORM is synchronous; SQLite has one writer anyway. :class:`AsyncStore` runs every
call of :class:`Store` on a single worker thread, so the event loop never waits on disk
and the calls of one process never contend with each other.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

__all__ = ["AsyncStore", "Prefs", "Pseudonyms", "Store", "setup_django"]

T = TypeVar("T")


def setup_django() -> None:
    """Configure Django with the console's settings and bring the schema up to date."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    import django  # noqa: PLC0415 - nothing heavy at import time
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.db.migrations.executor import MigrationExecutor  # noqa: PLC0415

    django.setup()
    if MigrationExecutor(connection).migration_plan(
        MigrationExecutor(connection).loader.graph.leaf_nodes()
    ):
        call_command("migrate", verbosity=0, interactive=False)
    connection.close()  # each worker thread opens its own


class Pseudonyms:
    """Telegram id -> pseudonym, an HMAC with a secret salt kept in the data folder."""

    def __init__(self, data_dir: Path) -> None:
        path = data_dir / "sender_salt"
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(32))
        self._salt = path.read_bytes()

    def of(self, user_id: int) -> str:
        """The pseudonym of a Telegram user (also Rasa's sender id)."""
        digest = hmac.new(self._salt, str(user_id).encode(), hashlib.sha256).hexdigest()
        return f"u{digest[:32]}"


@dataclass(frozen=True)
class Prefs:
    """What the adapter remembers about one person."""

    chosen_language: str | None = None
    last_language: str | None = None


def _now() -> datetime:
    from django.utils import timezone  # noqa: PLC0415

    return timezone.now()


class Store:
    """Synchronous calls on the adapter's tables (run them through :class:`AsyncStore`).

    Create it after :func:`setup_django` (Django models cannot be imported before).
    """

    def __init__(self) -> None:
        from store.models import CallbackKey, Person  # noqa: PLC0415

        self._person = Person
        self._callback = CallbackKey

    def prefs(self, pseudonym: str) -> Prefs:
        """The person's preferences (defaults for someone new)."""
        row = (
            self._person.objects.filter(pk=pseudonym)
            .values_list("chosen_language", "last_language")
            .first()
        )
        return Prefs(*row) if row else Prefs()

    def update(
        self,
        pseudonym: str,
        *,
        chosen_language: str | None = None,
        last_language: str | None = None,
    ) -> None:
        """Set the given fields (others unchanged) and mark the person as seen now."""
        fields = {"chosen_language": chosen_language, "last_language": last_language}
        given = [name for name, value in fields.items() if value is not None]
        self._person.objects.bulk_create(
            [self._person(pseudonym=pseudonym, last_seen=_now(), **fields)],
            update_conflicts=True,
            unique_fields=["pseudonym"],
            update_fields=[*given, "last_seen"],
        )

    def forget(self, pseudonym: str) -> int:
        """Delete everything kept about the person; returns the rows deleted."""
        from django.db import connection  # noqa: PLC0415

        deleted, _ = self._person.objects.filter(pk=pseudonym).delete()
        if connection.vendor == "sqlite":
            # Old page images in the write-ahead log would still hold the rows.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return deleted

    def expired(self, older_than_days: float) -> list[str]:
        """Pseudonyms of people silent for longer than the retention period."""
        cutoff = _now() - timedelta(days=older_than_days)
        return list(self._person.objects.filter(last_seen__lt=cutoff).values_list("pk", flat=True))

    def remember_callback(self, payload: str) -> str:
        """A short key for a payload too long for Telegram's 64-byte callback data."""
        key = hashlib.sha256(payload.encode()).hexdigest()[:20]
        self._callback.objects.bulk_create(
            [self._callback(key=key, payload=payload, created=_now())],
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=["created"],
        )
        return key

    def callback_payload(self, key: str) -> str | None:
        """The payload behind a short callback key, if still known."""
        return self._callback.objects.filter(pk=key).values_list("payload", flat=True).first()

    def purge_callbacks(self, older_than_days: float) -> int:
        """Drop old callback keys (such old buttons answer with the menu)."""
        cutoff = _now() - timedelta(days=older_than_days)
        deleted, _ = self._callback.objects.filter(created__lt=cutoff).delete()
        return deleted


class AsyncStore:
    """:class:`Store` for asyncio code: every call runs on one worker thread."""

    def __init__(self, store: Store | None = None) -> None:
        self.sync = store or Store()
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")

    async def run(self, call: Callable[[], T]) -> T:
        """Run ``call`` on the store's thread."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, call)

    async def prefs(self, pseudonym: str) -> Prefs:
        """See :meth:`Store.prefs`."""
        return await self.run(lambda: self.sync.prefs(pseudonym))

    async def update(
        self,
        pseudonym: str,
        *,
        chosen_language: str | None = None,
        last_language: str | None = None,
    ) -> None:
        """See :meth:`Store.update`."""
        await self.run(
            lambda: self.sync.update(
                pseudonym, chosen_language=chosen_language, last_language=last_language
            )
        )

    async def forget(self, pseudonym: str) -> int:
        """See :meth:`Store.forget`."""
        return await self.run(lambda: self.sync.forget(pseudonym))

    async def remember_callback(self, payload: str) -> str:
        """See :meth:`Store.remember_callback`."""
        return await self.run(lambda: self.sync.remember_callback(payload))

    async def callback_payload(self, key: str) -> str | None:
        """See :meth:`Store.callback_payload`."""
        return await self.run(lambda: self.sync.callback_payload(key))

    def close(self) -> None:
        """Close the worker thread's database connection and stop the thread."""

        def close_connections() -> None:
            from django.db import connections  # noqa: PLC0415

            connections.close_all()

        self._thread.submit(close_connections).result()
        self._thread.shutdown(wait=True)
