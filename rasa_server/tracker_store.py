"""Rasa's SQL tracker store, tuned for a SQLite file.

Rasa's ``SQLTrackerStore`` opens a new SQLite connection for every query, waits for the
disk on every commit, and reads a conversation back from the database on every message
(and counts its rows again to know what to write). Profiled, that was a third of Rasa's
time per message. This subclass:

- keeps one open connection, in write-ahead-log mode with ``synchronous=NORMAL``: a
  commit survives a crash of any process; only the last commits before a power cut of
  the machine can be lost;
- remembers the events of the latest session of recently active conversations (a
  bounded LRU cache), so a returning user's conversation is not read back and its rows
  are not counted again. Writes still go to the database at once.
- drops the whole cache as soon as any other connection has changed the file (SQLite's
  ``PRAGMA data_version``), e.g. the adapter deleting a conversation on /forget or at
  the end of the retention period, or a second Rasa instance. So a deleted conversation
  is never served or written back from memory.

Configured in endpoints.yml as ``type: rasa_server.tracker_store.SQLiteTrackerStore``
with ``db`` (the file) and optionally ``cache_size`` (conversations kept in memory).
"""

from __future__ import annotations

import itertools
import sqlite3
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.orm import Session
from sqlalchemy.pool import SingletonThreadPool

__all__ = ["SQLiteTrackerStore", "tune_connection"]

_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=5000")
_Events = list[dict[str, Any]]


def tune_connection(connection: sqlite3.Connection, _record: object = None) -> None:
    """Apply the pragmas to a new SQLite connection."""
    cursor = connection.cursor()
    for pragma in _PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


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
        super().__init__(dialect="sqlite", db=db, **kwargs)
        stock: sa.engine.Engine = self.engine
        url = stock.url
        stock.dispose()
        # One connection per thread (Rasa uses the store from its event loop only), so
        # that data_version tells our own writes from everybody else's.
        self.engine: sa.engine.Engine = sa.create_engine(
            url, poolclass=SingletonThreadPool, pool_size=1
        )
        sa.event.listen(self.engine, "connect", tune_connection)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._cache: OrderedDict[str, _Events] = OrderedDict()
        self._cache_size = max(0, int(cache_size))
        self._data_version: int | None = None
        self._drop_cache_if_changed_elsewhere()  # connects now: WAL mode from the start

    def _current_data_version(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.exec_driver_sql("PRAGMA data_version").scalar())

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
        if events is not None:
            self._cache.move_to_end(sender_id)
            if self.domain and events:
                return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
            return None
        tracker = await super().retrieve(sender_id)
        self._remember(sender_id, [e.as_dict() for e in tracker.events] if tracker else [])
        return tracker

    def _additional_events(
        self, session: Session, tracker: DialogueStateTracker
    ) -> Iterator[Event]:
        stored = self._cache.get(tracker.sender_id)
        if stored is None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, len(stored), len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Write the new events, then remember the latest session as the database has it."""
        self._drop_cache_if_changed_elsewhere()
        stored = self._cache.get(tracker.sender_id)  # _additional_events uses it too
        try:
            await super().save(tracker)
        except BaseException:
            self._cache.pop(tracker.sender_id, None)
            raise
        self._data_version = self._current_data_version()  # our own write: not a change elsewhere
        if stored is None:
            return
        new = [e.as_dict() for e in itertools.islice(tracker.events, len(stored), None)]
        self._remember(tracker.sender_id, latest_session(stored + new))
