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

__all__ = ["AsyncStore", "OutboxMessage", "Prefs", "Pseudonyms", "Store", "setup_django"]

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
        from store.models import CallbackKey, Intake, Outbox, Person  # noqa: PLC0415

        self._person = Person
        self._callback = CallbackKey
        self._intake = Intake
        self._outbox = Outbox

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
        deleted, _ = self._person.objects.filter(pk=pseudonym).delete()
        self.wipe_log()
        return deleted

    def wipe_log(self) -> None:
        """Empty SQLite's write-ahead log: old page images would still hold deleted rows."""
        from django.db import connection  # noqa: PLC0415

        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")

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

    # --- intake: updates from Telegram, stored before they are acknowledged ------------

    def intake_add(self, updates: list[tuple[int, str]]) -> list[int]:
        """Store new updates (id, raw JSON); returns the ids not seen before, in order."""
        ids = [update_id for update_id, _ in updates]
        seen = set(self._intake.objects.filter(pk__in=ids).values_list("pk", flat=True))
        now = _now()
        new = [
            self._intake(update_id=i, raw=raw, received=now, attempts=1)
            for i, raw in updates
            if i not in seen
        ]
        self._intake.objects.bulk_create(new, ignore_conflicts=True)
        return [row.update_id for row in new]

    def intake_pending(self) -> list[tuple[int, str, str]]:
        """(id, raw, state) of updates not yet handled (new, or kept for when Rasa is
        back), oldest first."""
        states = (self._intake.NEW, self._intake.KEPT)
        rows = self._intake.objects.filter(state__in=states).order_by("update_id")
        return list(rows.values_list("update_id", "raw", "state"))

    def intake_start(self, update_id: int) -> int:
        """Count one more attempt at an update; returns the attempts so far."""
        from django.db.models import F  # noqa: PLC0415

        self._intake.objects.filter(pk=update_id).update(attempts=F("attempts") + 1)
        row = self._intake.objects.filter(pk=update_id).values_list("attempts", flat=True)
        return int(row.first() or 0)

    def intake_keep(self, update_id: int) -> None:
        """Keep an update's words until Rasa is back."""
        self._intake.objects.filter(pk=update_id).update(state=self._intake.KEPT)

    def intake_done(self, update_id: int, kept_too: bool = False) -> None:
        """Mark an update handled and forget its content (a kept one only if ``kept_too``)."""
        states = [self._intake.NEW, self._intake.KEPT] if kept_too else [self._intake.NEW]
        self._intake.objects.filter(pk=update_id, state__in=states).update(
            state=self._intake.DONE, raw=""
        )

    def last_update_id(self) -> int | None:
        """The newest update ever stored (polling continues after it)."""
        row = self._intake.objects.order_by("-update_id").values_list("update_id", flat=True)
        return row.first()

    # --- outbox: answers kept until Telegram has them ---------------------------------

    def outbox_add(self, chat_id: int, messages: list[tuple[str, str, str]]) -> None:
        """Queue messages (key, HTML text, markup JSON) for a chat; known keys are skipped."""
        now = _now()
        rows = [
            self._outbox(
                key=key, chat_id=chat_id, text=text, markup=markup, created=now, not_before=now
            )
            for key, text, markup in messages
        ]
        self._outbox.objects.bulk_create(rows, ignore_conflicts=True)

    def outbox_next(self, chat_id: int) -> OutboxMessage | None:
        """The oldest message still to send to a chat."""
        row = (
            self._outbox.objects.filter(chat_id=chat_id, state=self._outbox.PENDING)
            .order_by("id")
            .values_list("id", "text", "markup", "created", "not_before", "attempts")
            .first()
        )
        return OutboxMessage(chat_id, *row) if row else None

    def outbox_sent_then_next(self, message_id: int, chat_id: int) -> OutboxMessage | None:
        """:meth:`outbox_sent`, then :meth:`outbox_next` (one trip to the store thread)."""
        self.outbox_sent(message_id)
        return self.outbox_next(chat_id)

    def outbox_chats(self) -> list[int]:
        """Chats with messages still to send."""
        rows = self._outbox.objects.filter(state=self._outbox.PENDING)
        return list(rows.values_list("chat_id", flat=True).distinct())

    def outbox_sent(self, message_id: int) -> None:
        """Delivered: keep only the key (so the answer is never queued again)."""
        self._outbox.objects.filter(pk=message_id).update(
            state=self._outbox.SENT, chat_id=0, text="", markup=""
        )

    def outbox_later(self, message_id: int, not_before: datetime) -> None:
        """Try again at ``not_before``."""
        from django.db.models import F  # noqa: PLC0415

        self._outbox.objects.filter(pk=message_id).update(
            not_before=not_before, attempts=F("attempts") + 1
        )

    def outbox_give_up(self, chat_id: int, message_id: int | None = None) -> int:
        """Stop trying one message (or every message to a chat that blocked the bot)."""
        rows = self._outbox.objects.filter(chat_id=chat_id, state=self._outbox.PENDING)
        if message_id is not None:
            rows = rows.filter(pk=message_id)
        return rows.update(state=self._outbox.FAILED, chat_id=0, text="", markup="")

    def purge_done(self, older_than: timedelta) -> int:
        """Drop handled updates and sent messages older than ``older_than``."""
        cutoff = _now() - older_than
        updates, _ = self._intake.objects.filter(
            state=self._intake.DONE, received__lt=cutoff
        ).delete()
        messages, _ = (
            self._outbox.objects.exclude(state=self._outbox.PENDING)
            .filter(created__lt=cutoff)
            .delete()
        )
        return updates + messages


@dataclass(frozen=True)
class OutboxMessage:
    """A message waiting to be sent."""

    chat_id: int
    id: int
    text: str
    markup: str
    created: datetime
    not_before: datetime
    attempts: int


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
