"""Durable per-user data of the adapter (SQLite): reply language and a pseudonym.

Only what the bot needs is kept: no names, usernames or message texts. Rasa's
conversation for a user is stored under a pseudonymous sender id derived from the
Telegram id with a secret salt kept in the data folder.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["UserPrefs", "UserStore"]

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    user_id INTEGER PRIMARY KEY,
    chosen_language TEXT,
    last_language TEXT,
    last_seen REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS callbacks (
    key TEXT PRIMARY KEY,
    payload TEXT NOT NULL,
    created REAL NOT NULL
);
"""


@dataclass(frozen=True)
class UserPrefs:
    """What the adapter remembers about one user."""

    chosen_language: str | None = None
    last_language: str | None = None


class UserStore:
    """SQLite-backed store; every write is committed at once (a kill -9 loses nothing)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._salt = self._load_salt(path.parent / "sender_salt")

    @staticmethod
    def _load_salt(path: Path) -> bytes:
        if not path.exists():
            path.write_bytes(secrets.token_bytes(32))
            path.chmod(0o600)
        return path.read_bytes()

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def sender_id(self, user_id: int) -> str:
        """The pseudonymous id under which Rasa stores this user's conversation."""
        digest = hmac.new(self._salt, str(user_id).encode(), hashlib.sha256).hexdigest()
        return f"u{digest[:32]}"

    def get(self, user_id: int) -> UserPrefs:
        """The user's preferences (defaults for a new user)."""
        row = self._db.execute(
            "SELECT chosen_language, last_language FROM users WHERE user_id = ?",
            (user_id,),
        ).fetchone()
        return UserPrefs(*row) if row else UserPrefs()

    def update(
        self,
        user_id: int,
        *,
        chosen_language: str | None = None,
        last_language: str | None = None,
    ) -> None:
        """Set the given fields (others unchanged) and mark the user as seen now."""
        self._db.execute(
            """
            INSERT INTO users (user_id, chosen_language, last_language, last_seen)
            VALUES (?, ?, ?, ?)
            ON CONFLICT(user_id) DO UPDATE SET
                chosen_language = COALESCE(excluded.chosen_language, chosen_language),
                last_language = COALESCE(excluded.last_language, last_language),
                last_seen = excluded.last_seen
            """,
            (user_id, chosen_language, last_language, time.time()),
        )

    def forget(self, user_id: int) -> None:
        """Delete everything stored about the user."""
        self._db.execute("DELETE FROM users WHERE user_id = ?", (user_id,))

    def expired_users(self, older_than_days: float) -> list[int]:
        """Users not seen for longer than the retention period."""
        cutoff = time.time() - older_than_days * 86400
        rows = self._db.execute("SELECT user_id FROM users WHERE last_seen < ?", (cutoff,))
        return [r[0] for r in rows]

    def remember_callback(self, payload: str) -> str:
        """A short key for a payload too long for Telegram's 64-byte callback data."""
        key = hashlib.sha256(payload.encode()).hexdigest()[:20]
        self._db.execute(
            "INSERT OR REPLACE INTO callbacks (key, payload, created) VALUES (?, ?, ?)",
            (key, payload, time.time()),
        )
        return key

    def callback_payload(self, key: str) -> str | None:
        """The payload behind a short callback key, if still known."""
        row = self._db.execute("SELECT payload FROM callbacks WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def purge_callbacks(self, older_than_days: float) -> None:
        """Drop old callback keys (buttons that old answer with the menu)."""
        cutoff = time.time() - older_than_days * 86400
        self._db.execute("DELETE FROM callbacks WHERE created < ?", (cutoff,))
