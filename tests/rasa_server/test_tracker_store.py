"""The cached SQLite tracker store keeps exactly what Rasa's own SQL store would read."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)

from harness.stack import REPO_ROOT
from rasa_server.tracker_store import SQLiteTrackerStore


@pytest.fixture(scope="module")
def domain() -> Domain:
    """The bot's domain (its slots matter for rebuilding trackers)."""
    return Domain.load(str(REPO_ROOT / "domain.yml"))


def _dicts(events: object) -> list[dict[str, object]]:
    return [e.as_dict() for e in events]  # type: ignore[attr-defined]


class _Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def tick(self) -> float:
        self.now += random.choice((0.0, 0.001, 0.5, 30.0))
        return self.now


def _turn(clock: _Clock, rng: random.Random, text: str) -> list[Event]:
    """The events of one user message, sometimes with a new session first."""
    events: list[Event] = []
    if rng.random() < 0.2:
        events += [
            ActionExecuted("action_session_start", timestamp=clock.tick()),
            SessionStarted(timestamp=clock.tick()),
            SlotSet("region", rng.choice([None, "praha", "jihomoravsky"]), timestamp=clock.tick()),
            ActionExecuted("action_listen", timestamp=clock.tick()),
        ]
    events += [
        UserUttered(text, {"name": "health_insurance", "confidence": 0.9}, timestamp=clock.tick()),
        ActionExecuted("action_answer", timestamp=clock.tick()),
        BotUttered("answer", timestamp=clock.tick()),
        ActionExecuted("action_listen", timestamp=clock.tick()),
    ]
    return events


async def test_same_events_as_rasas_sql_store(tmp_path: Path, domain: Domain) -> None:
    db = str(tmp_path / "trackers.sqlite3")
    store = SQLiteTrackerStore(db=db, domain=domain, cache_size=3)
    reference = SQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    # Rasa's own store writing the same trackers to another file: the rows must match.
    rasa_db = str(tmp_path / "rasa.sqlite3")
    rasa_writes = SQLTrackerStore(domain=domain, dialect="sqlite", db=rasa_db)
    rng, clock = random.Random(7), _Clock()
    senders = [f"user{i}" for i in range(6)]  # more than the cache holds
    written: dict[str, list[dict[str, object]]] = {}
    for step in range(150):
        sender = rng.choice(senders)
        tracker = await store.get_or_create_tracker(sender)
        written.setdefault(sender, _dicts(tracker.events))
        for event in _turn(clock, rng, f"message {step}"):
            tracker.update(event)
            written[sender].append(event.as_dict())
        await store.save(tracker)
        await rasa_writes.save(tracker)
        ours = await store.retrieve(sender)
        theirs = await reference.retrieve(sender)
        assert ours is not None and theirs is not None
        assert _dicts(ours.events) == _dicts(theirs.events), f"step {step}"
        # every event written once, in order
        full = await reference.retrieve_full_tracker(sender)
        assert full is not None and _dicts(full.events) == written[sender]
    assert _rows(db) == _rows(rasa_db)


def _rows(db: str) -> list[tuple[object, ...]]:
    columns = "sender_id, type_name, timestamp, intent_name, action_name, data"
    with sqlite3.connect(db) as connection:
        return connection.execute(f"SELECT {columns} FROM events ORDER BY id").fetchall()


async def test_a_cached_conversation_is_read_without_querying_events(
    tmp_path: Path, domain: Domain
) -> None:
    store = SQLiteTrackerStore(db=str(tmp_path / "t.sqlite3"), domain=domain)
    tracker = await store.get_or_create_tracker("u1")
    tracker.update(UserUttered("hi", {"name": "greet", "confidence": 1.0}))
    await store.save(tracker)
    statements: list[str] = []
    store.connection.set_trace_callback(statements.append)
    again = await store.retrieve("u1")
    assert again is not None and again.latest_message is not None
    assert again.latest_message.text == "hi"
    assert statements == ["PRAGMA data_version"]


async def test_deleted_elsewhere_is_never_served_from_memory(
    tmp_path: Path, domain: Domain
) -> None:
    db = tmp_path / "t.sqlite3"
    store = SQLiteTrackerStore(db=str(db), domain=domain)
    tracker = await store.get_or_create_tracker("u1")
    tracker.update(SlotSet("region", "praha"))
    await store.save(tracker)
    assert await store.retrieve("u1") is not None  # now cached

    with sqlite3.connect(db) as other:  # what /forget in the adapter does
        other.execute("DELETE FROM events WHERE sender_id = ?", ("u1",))

    assert await store.retrieve("u1") is None
    fresh = await store.get_or_create_tracker("u1")
    assert fresh.get_slot("region") is None
    await store.save(fresh)
    with sqlite3.connect(db) as other:
        rows = other.execute("SELECT data FROM events WHERE sender_id = 'u1'").fetchall()
    assert not any("praha" in data for (data,) in rows)


def test_the_file_is_in_wal_mode(tmp_path: Path, domain: Domain) -> None:
    db = tmp_path / "t.sqlite3"
    SQLiteTrackerStore(db=str(db), domain=domain)
    with sqlite3.connect(db) as other:
        assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)
