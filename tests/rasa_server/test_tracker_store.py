"""Our tracker stores (SQLite with a cache, PostgreSQL) keep exactly what Rasa's own SQL store
would read, without the words typed."""

from __future__ import annotations

import json
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
from rasa.shared.core.trackers import DialogueStateTracker

from harness.servers import Postgres
from harness.stack import REPO_ROOT
from rasa_server.tracker_store import (
    PostgreSQLTrackerStore,
    SQLiteTrackerStore,
    TrackerStoreByUrl,
    delete_conversation,
    purge,
    redacted,
)


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
            written[sender].append(redacted(event.as_dict()))  # stored without user text
        await store.save(tracker)
        await rasa_writes.save(tracker)
        ours = await store.retrieve(sender)
        theirs = await reference.retrieve(sender)
        assert ours is not None and theirs is not None
        assert _dicts(ours.events) == _dicts(theirs.events), f"step {step}"
        # every event written once, in order
        full = await reference.retrieve_full_tracker(sender)
        assert full is not None and _dicts(full.events) == written[sender]
    # Rasa's own store writes the same rows, but for the words typed (which we never store).
    assert _rows(db) == [
        (*row[:5], json.dumps(redacted(json.loads(str(row[5]))))) for row in _rows(rasa_db)
    ]


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
    assert again.latest_message.intent["name"] == "greet"
    assert again.latest_message.text is None  # not even in memory
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

    with sqlite3.connect(db) as other:  # e.g. a second Rasa server deleting it
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


async def test_delete_and_purge_are_final(tmp_path: Path, domain: Domain) -> None:
    db = tmp_path / "t.sqlite3"
    store = SQLiteTrackerStore(db=str(db), domain=domain)
    now = 1_800_000_000.0
    for sender, when in (("a", now), ("old", now - 100 * 86400), ("new", now - 86400)):
        events = [
            UserUttered("secret words", {"name": "greet", "confidence": 1.0}, timestamp=when),
            SlotSet("region", "praha", timestamp=when),
        ]
        await store.save(DialogueStateTracker.from_events(sender, events, domain.slots))
    assert delete_conversation(store, "a") > 0
    assert await store.retrieve("a") is None
    assert purge(store, older_than=now - 90 * 86400) > 0
    with sqlite3.connect(db) as conn:
        left = {r[0] for r in conn.execute("SELECT sender_id FROM events")}
    assert left == {"new"}
    for name in ("t.sqlite3", "t.sqlite3-wal"):  # nothing readable on disk
        raw = (tmp_path / name).read_bytes() if (tmp_path / name).exists() else b""
        assert b"secret words" not in raw and b'"a"' not in raw, name


def test_redaction_keeps_what_the_rules_need() -> None:
    event = UserUttered(
        "I live in Brno, my name is Olena",
        {"name": "ngo_contacts", "confidence": 0.93},
        [{"entity": "region", "value": "jihomoravsky", "start": 10, "end": 14, "text": "Brno"}],
        parse_data={"intent_ranking": [{"name": "ngo_contacts", "confidence": 0.93}]},
        metadata={"language": "en"},
    ).as_dict()
    clean = redacted(event)
    assert "Olena" not in str(clean) and "Brno" not in str(clean)
    assert clean["parse_data"]["intent"] == {"name": "ngo_contacts", "confidence": 0.93}
    assert clean["parse_data"]["entities"] == [
        {"entity": "region", "value": "jihomoravsky", "start": 10, "end": 14}
    ]
    assert clean["metadata"] == {"language": "en"}
    bot = BotUttered("answer").as_dict()
    assert redacted(bot) == bot


# --- PostgreSQL (several Rasa servers share the conversations) -----------------------


def _pg_rows(url: str) -> list[tuple[object, ...]]:
    import psycopg2  # noqa: PLC0415 - Rasa's PostgreSQL driver

    columns = "sender_id, type_name, timestamp, intent_name, action_name, data"
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM events ORDER BY id")
        return list(cursor.fetchall())


async def test_postgresql_store_writes_what_rasas_store_would(
    postgres: Postgres, domain: Domain
) -> None:
    url = postgres.create_database("trackers_same")
    store = TrackerStoreByUrl(host=url, db="ignored.db", domain=domain, cache_size=3)
    assert isinstance(store, PostgreSQLTrackerStore)
    reference = SQLTrackerStore(domain=domain, dialect="postgresql", host=url)
    rasa_url = postgres.create_database("trackers_rasa")
    rasa_writes = SQLTrackerStore(domain=domain, dialect="postgresql", host=rasa_url)
    rng, clock = random.Random(11), _Clock()
    senders = [f"user{i}" for i in range(4)]
    for step in range(40):
        sender = rng.choice(senders)
        tracker = await store.get_or_create_tracker(sender)
        for event in _turn(clock, rng, f"typed zqx {step}"):
            tracker.update(event)
        await store.save(tracker)
        await rasa_writes.save(tracker)
        ours, theirs = await store.retrieve(sender), await reference.retrieve(sender)
        assert ours is not None and theirs is not None
        assert _dicts(ours.events) == _dicts(theirs.events), f"step {step}"
    assert _pg_rows(url) == [
        (*row[:5], json.dumps(redacted(json.loads(str(row[5]))))) for row in _pg_rows(rasa_url)
    ]
    assert not any("zqx" in str(row[5]) for row in _pg_rows(url))  # no user text


async def test_postgresql_delete_purge_and_a_restart_of_the_server(
    postgres: Postgres, domain: Domain
) -> None:
    url = postgres.create_database("trackers_delete")
    store = TrackerStoreByUrl(host=url, domain=domain)
    assert isinstance(store, PostgreSQLTrackerStore)
    now = 1_800_000_000.0
    for sender, when in (("a", now), ("old", now - 100 * 86400), ("new", now - 86400)):
        events = [
            UserUttered("secret words", {"name": "greet", "confidence": 1.0}, timestamp=when),
            SlotSet("region", "praha", timestamp=when),
        ]
        await store.save(DialogueStateTracker.from_events(sender, events, domain.slots))
    assert delete_conversation(store, "a") > 0
    assert await store.retrieve("a") is None
    assert purge(store, older_than=now - 90 * 86400) > 0
    assert {row[0] for row in _pg_rows(url)} == {"new"}
    assert not any("secret words" in str(row) for row in _pg_rows(url))

    postgres.restart()  # every pooled connection is cut
    tracker = await store.get_or_create_tracker("new")
    assert tracker.get_slot("region") == "praha"
    tracker.update(SlotSet("region", "praha", timestamp=now))
    await store.save(tracker)
    assert sum(row[0] == "new" for row in _pg_rows(url)) == 3


def test_a_file_or_no_url_means_sqlite(tmp_path: Path, domain: Domain) -> None:
    db = str(tmp_path / "t.sqlite3")
    for url in (None, "", f"sqlite:///{tmp_path / 'other.sqlite3'}"):
        assert isinstance(TrackerStoreByUrl(host=url, db=db, domain=domain), SQLiteTrackerStore)
