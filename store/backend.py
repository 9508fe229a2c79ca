"""What differs between SQLite and PostgreSQL, in one place.

``PORADNYK_DATABASE_URL`` picks the database of every table of the adapter and the
console (and Rasa's conversations, see ``rasa_server.tracker_store``): SQLite in the data
folder by default, ``postgresql://user:password@host:port/database`` for PostgreSQL
(through psycopg 3). The URL is parsed by dj-database-url, which Django's own docs point
to, rather than by code of ours.

- SQLite: WAL mode, ``synchronous=NORMAL``, ``secure_delete`` (a deleted row is
  overwritten), and after /forget the write-ahead log is emptied, since old page images
  there would still hold the deleted rows.
- PostgreSQL: persistent connections with Django's health checks, and a call cut off by
  a lost connection (a restart of the server, a fail-over) is tried again once the
  server is back, instead of failing every later call on a dead connection. A deleted
  row is gone for every query at once; its bytes stay in the table files until
  autovacuum reuses the space, and in the WAL until the segment is recycled, so the
  deployment recipe (docs/deployment.md) puts the cluster on an encrypted disk.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import dj_database_url

__all__ = ["database_settings", "reconnecting", "wipe_log"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

_RETRY_FOR_SECONDS = 60.0
"""How long a call waits for PostgreSQL to come back before it fails."""


def database_settings(url: str | None, data_dir: Path) -> dict[str, Any]:
    """Django's ``DATABASES['default']`` for ``url`` (SQLite in ``data_dir`` without one)."""
    config: dict[str, Any] = dict(
        dj_database_url.parse(
            url or f"sqlite:///{data_dir / 'poradnyk.sqlite3'}",
            conn_max_age=600,
            conn_health_checks=True,
        )
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL: readers never wait for the writer; a commit survives kill -9 of any process.
        # secure_delete: deleted rows are overwritten, not left readable in free pages.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA secure_delete=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # Fail fast when the server is unreachable: the call is tried again (reconnecting).
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    return config


def wipe_log() -> None:
    """After a delete: empty SQLite's write-ahead log (nothing to do on PostgreSQL)."""
    from django.db import connection  # noqa: PLC0415

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def reconnecting(call: Callable[[], T]) -> Callable[[], T]:
    """``call``, tried again on a fresh connection while PostgreSQL is unreachable.

    Only outside a transaction, and only on PostgreSQL (SQLite has no connection to lose;
    its "database is locked" keeps its own timeout). Every :class:`store.api.Store` call
    may run twice this way; run again, each ends in the same state (at most an attempt
    is counted twice).
    """

    def run() -> T:
        from django.db import (  # noqa: PLC0415
            DatabaseError,
            InterfaceError,
            OperationalError,
            connection,
        )

        deadline = time.monotonic() + _RETRY_FOR_SECONDS
        delay = 0.1
        while True:
            try:
                return call()
            except (OperationalError, InterfaceError) as exc:
                if (
                    connection.vendor != "postgresql"
                    or connection.in_atomic_block
                    or not _disconnected(connection, exc)
                    or time.monotonic() > deadline
                ):
                    raise
                logger.warning("Database connection lost (%s); trying again", type(exc).__name__)
                with contextlib.suppress(DatabaseError):
                    connection.close()
                time.sleep(delay)
                delay = min(delay * 2, 2.0)

    return run


def _disconnected(connection: Any, exc: Exception) -> bool:
    """Whether ``exc`` came from a lost or refused connection (not from the query)."""
    from django.db import InterfaceError  # noqa: PLC0415

    if isinstance(exc, InterfaceError) or connection.connection is None:
        return True
    raw = connection.connection
    return bool(getattr(raw, "closed", False) or getattr(raw, "broken", False))
