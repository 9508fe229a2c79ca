"""The adapter's SQLite store, pseudonyms, /forget and the retention purge."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from bot.rasa_client import delete_tracker, purge_trackers
from bot.store import UserStore


def test_preferences_survive_a_reopen(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "a.sqlite3")
    store.update(1, chosen_language="cs")
    store.update(1, last_language="en")
    store.close()
    again = UserStore(tmp_path / "a.sqlite3")
    prefs = again.get(1)
    assert (prefs.chosen_language, prefs.last_language) == ("cs", "en")


def test_sender_id_is_a_stable_pseudonym(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "a.sqlite3")
    sid = store.sender_id(424242)
    assert "424242" not in sid
    assert UserStore(tmp_path / "a.sqlite3").sender_id(424242) == sid
    assert UserStore(tmp_path / "other" / "b.sqlite3").sender_id(424242) != sid


def test_forget_and_expiry(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "a.sqlite3")
    store.update(1, last_language="uk")
    store.update(2, last_language="cs")
    store.forget(1)
    assert store.get(1).last_language is None
    assert store.expired_users(older_than_days=0) == [2] or store.expired_users(0.0) == [2]
    assert store.expired_users(older_than_days=1) == []


def test_long_callback_payloads_get_a_short_key(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "a.sqlite3")
    payload = '/ngo_contacts{"region":"moravskoslezsky","sub":"' + "x" * 80 + '"}'
    key = store.remember_callback(payload)
    assert len(key) <= 20
    assert store.callback_payload(key) == payload
    assert store.callback_payload("unknown") is None


def _tracker_db(path: Path, rows: list[tuple[str, float]]) -> None:
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT,"
            " timestamp REAL, intent_name TEXT, action_name TEXT, data TEXT)"
        )
        db.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp) VALUES (?, 'user', ?)", rows
        )


def test_delete_and_purge_trackers(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"
    now = time.time()
    _tracker_db(db, [("a", now), ("a", now), ("old", now - 100 * 86400), ("new", now - 86400)])
    assert delete_tracker(db, "a") == 2
    assert purge_trackers(db, older_than_seconds=90 * 86400, now=now) == 1
    with sqlite3.connect(db) as conn:
        left = {r[0] for r in conn.execute("SELECT sender_id FROM events")}
    assert left == {"new"}
    assert delete_tracker(tmp_path / "missing.sqlite3", "a") == 0
