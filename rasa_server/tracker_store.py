"""Rasa's SQL tracker store, tuned for a SQLite file.

Rasa's ``SQLTrackerStore`` opens a new SQLite connection for every query, waits for the
disk on every commit, and reads a conversation back from the database on every message
(and counts its rows again to know what to write). Profiled, that was a third of Rasa's
time per message. This subclass:

- keeps one open connection, in write-ahead-log mode with ``synchronous=NORMAL``: a
  commit survives a crash of any process; only the last commits before a power cut of
  the machine can be lost;
- reads and writes the events of a message with plain SQL on that connection (one
  query, one multi-row insert) instead of SQLAlchemy's ORM, which cost more than the
  database work itself; SQLAlchemy still creates the table and serves Rasa's other
  queries, on the same connection;
- remembers the events of the latest session of recently active conversations (a
  bounded LRU cache), so a returning user's conversation is not read back and its rows
  are not counted again. Writes still go to the database at once.
- drops the whole cache as soon as any other connection has changed the file (SQLite's
  ``PRAGMA data_version``), e.g. the adapter deleting a conversation on /forget or at
  the end of the retention period, or a second Rasa instance. So a deleted conversation
  is never served or written back from memory.

- stores no user text: a user message is written with its intent, entities and
  confidence, but without the words typed (:func:`redacted`); FAQ rules need no more.

This module is the one owner of the ``events`` table: deleting a conversation (/forget)
and the retention purge are :func:`delete_conversation` and :func:`purge`, reached
through Rasa's own HTTP server (``rasa_server.routes``) under Rasa's conversation lock;
nothing else runs SQL against the table.

On PostgreSQL (:class:`PostgreSQLTrackerStore`, for several Rasa servers sharing the
conversations) the same redaction and the same plain SQL per message apply, through a
connection pool that checks a connection before use and a retry while the server is
unreachable (a restart, a fail-over); there is no cache, since another server may have
written the conversation meanwhile and PostgreSQL has no cheap ``data_version``.

Configured in endpoints.yml as ``type: rasa_server.tracker_store.TrackerStoreByUrl``
with ``url`` (``PORADNYK_DATABASE_URL``: a ``postgresql://`` URL selects PostgreSQL, the
same database as the adapter's tables) and ``db`` (the SQLite file otherwise), optionally
``cache_size`` (conversations kept in memory, SQLite only).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.pool import StaticPool

__all__ = [
    "PostgreSQLTrackerStore",
    "SQLiteTrackerStore",
    "TrackerStoreByUrl",
    "delete_conversation",
    "latest_session",
    "purge",
    "redacted",
    "sql_store",
    "tune_connection",
]

# secure_delete: a deleted conversation is overwritten, not left in free pages.
_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=5000",
    "PRAGMA secure_delete=ON",
)
_Events = list[dict[str, Any]]
T = TypeVar("T")

logger = logging.getLogger(__name__)


def tune_connection(connection: sqlite3.Connection) -> None:
    """Apply the pragmas to a new SQLite connection."""
    for pragma in _PRAGMAS:
        connection.execute(pragma)


_ENTITY_KEYS = (
    "entity",
    "value",
    "start",
    "end",
    "confidence_entity",
    "extractor",
    "role",
    "group",
)


def redacted(data: dict[str, Any]) -> dict[str, Any]:
    """A stored event without the words a person typed (user events only).

    Kept: intent, intent ranking, entities (region codes, follow-up ids), the metadata the
    adapter sends (reply language), timestamps. Dropped: ``text`` and ``parse_data.text``.
    """
    if data.get("event") != "user":
        return data
    clean = {**data, "text": None}
    parse = data.get("parse_data")
    if isinstance(parse, dict):
        entities = [
            {k: e[k] for k in _ENTITY_KEYS if k in e}
            for e in parse.get("entities") or []
            if isinstance(e, dict)
        ]
        clean["parse_data"] = {**parse, "text": None, "entities": entities}
    return clean


def latest_session(events: _Events) -> _Events:
    """The events the database returns as the latest session (Rasa's ``_event_query``).

    That query keeps the events whose timestamp is at or after the latest
    ``session_started`` event, or all events when there is none.
    """
    starts = [e["timestamp"] for e in events if e.get("event") == SessionStarted.type_name]
    if not starts:
        return events
    start = max(starts)
    return [e for e in events if e["timestamp"] >= start]


class SQLiteTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` with one WAL-mode connection and a cache of recent sessions."""

    def __init__(self, db: str = "rasa.db", cache_size: int = 1000, **kwargs: Any) -> None:
        kwargs.pop("dialect", None)
        kwargs.pop("host", None)
        super().__init__(dialect="sqlite", db=db, **kwargs)  # creates the table
        stock: sa.engine.Engine = self.engine
        path = stock.url.database or db
        stock.dispose()
        # Rasa uses the store from its event loop only; the one connection is shared with
        # SQLAlchemy, so that data_version tells our own writes from everybody else's.
        self._db = sqlite3.connect(path, check_same_thread=False)
        tune_connection(self._db)
        self.engine: sa.engine.Engine = sa.create_engine(
            "sqlite://", creator=lambda: self._db, poolclass=StaticPool
        )
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        table = self.SQLEvent.__table__.name
        columns = "sender_id, type_name, timestamp, intent_name, action_name, data"
        self._insert = f"INSERT INTO {table} ({columns}) VALUES (?, ?, ?, ?, ?, ?)"
        # Rasa's _event_query: the latest session's events, or all when none started.
        latest = f"""
            FROM {table} AS e, (
                SELECT MAX(timestamp) AS start FROM {table}
                WHERE sender_id = ? AND type_name = '{SessionStarted.type_name}'
            ) AS s
            WHERE e.sender_id = ? AND (e.timestamp >= s.start OR s.start IS NULL)
        """
        self._select_latest = f"SELECT e.data {latest} ORDER BY e.id"
        self._count_latest = f"SELECT COUNT(*) {latest}"
        self._cache: OrderedDict[str, _Events] = OrderedDict()
        self._cache_size = max(0, int(cache_size))
        self._data_version: int | None = None
        self._drop_cache_if_changed_elsewhere()

    @property
    def connection(self) -> sqlite3.Connection:
        """The one SQLite connection (SQLAlchemy's queries use it too)."""
        return self._db

    def _current_data_version(self) -> int:
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def _drop_cache_if_changed_elsewhere(self) -> None:
        version = self._current_data_version()
        if version != self._data_version:
            self._cache.clear()
            self._data_version = version

    def _remember(self, sender_id: str, events: _Events) -> None:
        if self._cache_size == 0:
            return
        self._cache[sender_id] = events
        self._cache.move_to_end(sender_id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session of a conversation, from memory when it is there."""
        self._drop_cache_if_changed_elsewhere()
        events = self._cache.get(sender_id)
        if events is None:
            rows = self._db.execute(self._select_latest, (sender_id, sender_id)).fetchall()
            events = [json.loads(data) for (data,) in rows]
            self._remember(sender_id, events)
        else:
            self._cache.move_to_end(sender_id)
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Write the new events in one insert; remember the latest session as stored."""
        await self.stream_events(tracker)
        self._drop_cache_if_changed_elsewhere()
        sender_id = tracker.sender_id
        stored = self._cache.get(sender_id)
        if stored is not None:
            known = len(stored)
        else:
            known = self._db.execute(self._count_latest, (sender_id, sender_id)).fetchone()[0]
        new = _new_events(tracker, known)
        if not new:
            return
        rows = [_row(sender_id, type_name, data) for type_name, data in new]
        try:
            with self._db:  # one transaction: committed, or rolled back on error
                self._db.executemany(self._insert, rows)
        except BaseException:
            self._cache.pop(sender_id, None)
            raise
        self._data_version = self._current_data_version()  # our own write: not a change elsewhere
        if stored is not None:
            self._remember(sender_id, latest_session(stored + [data for _, data in new]))

    def forget_cached(self, sender_id: str | None = None) -> None:
        """After a delete: drop the conversation (or all) from memory, and its old pages
        from the write-ahead log, so nothing of it stays readable on disk."""
        if sender_id is None:
            self._cache.clear()
        else:
            self._cache.pop(sender_id, None)
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._data_version = self._current_data_version()


def _new_events(tracker: DialogueStateTracker, known: int) -> list[tuple[str, dict[str, Any]]]:
    """(type, redacted event) of the tracker's events after the ``known`` stored ones."""
    return [
        (e.type_name, redacted(e.as_dict())) for e in itertools.islice(tracker.events, known, None)
    ]


def _row(sender_id: str, type_name: str, data: dict[str, Any]) -> tuple[Any, ...]:
    """The columns of one event, as Rasa's own store fills them."""
    return (
        sender_id,
        type_name,
        data.get("timestamp"),
        data.get("parse_data", {}).get("intent", {}).get("name"),
        data.get("name"),
        json.dumps(data),
    )


_COLUMNS = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")

_RETRY_FOR_SECONDS = 60.0
"""How long a message waits for PostgreSQL to come back (a restart takes seconds)."""


def _postgresql_url(url: str) -> str:
    """SQLAlchemy 1.4 knows ``postgresql://`` only (Django and libpq take both spellings)."""
    return "postgresql://" + url.split("://", 1)[1] if url.startswith("postgres://") else url


class PostgreSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` on PostgreSQL: redacted events, plain SQL per message, a pool
    that survives a restart of the server."""

    def __init__(self, db: str, pool_size: int = 5, max_overflow: int = 10, **kwargs: Any) -> None:
        kwargs.pop("dialect", None)
        kwargs.pop("host", None)
        url = _postgresql_url(db)
        super().__init__(dialect="postgresql", host=url, **kwargs)  # creates the table
        stock: sa.engine.Engine = self.engine
        stock.dispose()
        # pre_ping: a connection cut by a restart is replaced before it is used.
        self.engine: sa.engine.Engine = sa.create_engine(
            url,
            pool_pre_ping=True,
            pool_size=int(pool_size),
            max_overflow=int(max_overflow),
            connect_args={"connect_timeout": 5},
        )
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        table = self.SQLEvent.__table__.name
        latest = f"""
            FROM {table} AS e, (
                SELECT MAX(timestamp) AS start FROM {table}
                WHERE sender_id = :sender AND type_name = '{SessionStarted.type_name}'
            ) AS s
            WHERE e.sender_id = :sender AND (e.timestamp >= s.start OR s.start IS NULL)
        """
        self._select_latest = sa.text(f"SELECT e.data {latest} ORDER BY e.id")
        self._count_latest = sa.text(f"SELECT COUNT(*) {latest}")
        self._insert = self.SQLEvent.__table__.insert()

    async def _retrying(self, work: Callable[[], T]) -> T:
        """``work``, again while the server cannot be reached (each try is one transaction)."""
        deadline = time.monotonic() + _RETRY_FOR_SECONDS
        delay = 0.1
        while True:
            try:
                return work()
            except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
                # Refused, cut or timed out (a deadlock too): each try is its own
                # transaction, so trying again cannot write an event twice.
                if time.monotonic() > deadline:
                    raise
                logger.warning("PostgreSQL unreachable (%s); trying again", type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session of a conversation, in one query."""

        def read() -> _Events:
            with self.engine.connect() as connection:
                rows = connection.execute(self._select_latest, {"sender": sender_id})
                return [json.loads(data) for (data,) in rows]

        events = await self._retrying(read)
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Count what is stored and insert the rest, in one transaction."""
        await self.stream_events(tracker)
        sender_id = tracker.sender_id

        def write() -> None:
            with self.engine.begin() as connection:
                known = connection.execute(self._count_latest, {"sender": sender_id}).scalar()
                new = _new_events(tracker, int(known or 0))
                if new:
                    rows = [
                        dict(zip(_COLUMNS, _row(sender_id, *event), strict=True)) for event in new
                    ]
                    connection.execute(self._insert, rows)

        await self._retrying(write)


class TrackerStoreByUrl:
    """The tracker store endpoints.yml names: :class:`PostgreSQLTrackerStore` for a
    ``postgresql://`` ``url``, else :class:`SQLiteTrackerStore` on the file ``db``.

    Rasa creates a custom store by calling its class; this one hands back the chosen one.
    """

    def __new__(
        cls, host: str | None = None, db: str = "rasa.db", **kwargs: Any
    ) -> SQLTrackerStore:
        url = (host or "").strip()
        if url.startswith(("postgres://", "postgresql://")):
            kwargs.pop("cache_size", None)
            return PostgreSQLTrackerStore(db=url, **kwargs)
        return SQLiteTrackerStore(db=db, **kwargs)


def sql_store(store: Any) -> SQLTrackerStore | None:
    """The SQL store behind Rasa's fail-safe wrapper, or None for other kinds of store."""
    inner = getattr(store, "_tracker_store", store)
    return inner if isinstance(inner, SQLTrackerStore) else None


def delete_conversation(store: SQLTrackerStore, sender_id: str) -> int:
    """Delete every stored event of one conversation; returns the rows deleted."""
    with store.session_scope() as session:
        deleted = (
            session.query(store.SQLEvent)
            .filter(store.SQLEvent.sender_id == sender_id)
            .delete(synchronize_session=False)
        )
        session.commit()
    if isinstance(store, SQLiteTrackerStore):
        store.forget_cached(sender_id)
    return int(deleted)


def purge(store: SQLTrackerStore, older_than: float) -> int:
    """Delete conversations whose newest event is older than the timestamp ``older_than``."""
    event = store.SQLEvent
    with store.session_scope() as session:
        stale = (
            session.query(event.sender_id)
            .group_by(event.sender_id)
            .having(sa.func.max(event.timestamp) < older_than)
        )
        deleted = (
            session.query(event)
            .filter(event.sender_id.in_(stale.scalar_subquery()))
            .delete(synchronize_session=False)
        )
        session.commit()
    if isinstance(store, SQLiteTrackerStore):
        store.forget_cached()
    return int(deleted)
