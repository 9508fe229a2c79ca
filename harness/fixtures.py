"""Pytest fixtures shared by tests/ and bench/ (each conftest imports them).

The adapter's database (Django) is configured once per process, so every test of a run
shares one database: a SQLite file in a fresh temporary folder, or with
``PORADNYK_TEST_BACKEND=postgresql`` a database of a throwaway PostgreSQL cluster, with
Redis for Rasa's locks (harness/backends.py; or the database of
``PORADNYK_TEST_DATABASE_URL``). People are told apart by their pseudonyms, whose salt is
per data folder, so tests do not see each other's people.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from harness.backends import Stores, start_stores
from harness.bot_api import STAFF_CHAT, BotApiStandIn
from harness.servers import Postgres, Redis, start_postgres, start_redis
from harness.stack import REPO_ROOT, Stack, start_stack
from poradnyk.content import Content, known_topics, load_content

__all__ = [
    "ALWAYS",
    "STORES",
    "WEEKDAYS",
    "api",
    "content",
    "handoff_content",
    "mark_integration",
    "postgres",
    "redis",
    "stack",
]

_DB_DIR = Path(tempfile.mkdtemp(prefix="poradnyk-test-db-"))
atexit.register(shutil.rmtree, _DB_DIR, ignore_errors=True)  # no folder left per run
STORES: Stores = start_stores(_DB_DIR)
"""This run's stores; every process started by the harness inherits them (os.environ)."""
os.environ.update(STORES.env)
os.environ["PORADNYK_SECRET_KEY"] = "tests-only-not-secret"
os.environ.setdefault("PORADNYK_DATA_DIR", str(_DB_DIR))


@pytest.fixture(scope="session")
def content() -> Content:
    """The real content, to compare replies with."""
    return load_content(REPO_ROOT / "content", known_topics(REPO_ROOT))


@pytest.fixture
async def api() -> AsyncIterator[BotApiStandIn]:
    """A fresh Bot API stand-in."""
    standin = BotApiStandIn()
    await standin.start()
    yield standin
    await standin.stop()


_STARTED: list[Stack] = []


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The real action server and Rasa server (with the trained model) on free ports.

    One per process: ``tests/`` and ``bench/`` each register this fixture in their
    conftest, and a run of both shares the servers the first one started (a Rasa server
    takes half a minute to load its model); the first one stops them at the end.
    """
    if _STARTED:
        yield _STARTED[0]
        return
    _STARTED.append(start_stack(tmp_path_factory.mktemp("stack")))
    try:
        yield _STARTED[0]
    finally:
        _STARTED.pop().stop()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A throwaway PostgreSQL cluster (Debian's binaries) on a free port.

    Its own even when the run is on PostgreSQL: tests restart it mid-load, which must not
    cut the connections of this process and the session's servers."""
    server = start_postgres()
    yield server
    server.remove()


@pytest.fixture(scope="session")
def redis() -> Iterator[Redis]:
    """A throwaway redis-server on a free port (its own, like :func:`postgres`)."""
    server = start_redis()
    yield server
    server.remove()


_SERVERS = frozenset({"stack", "postgres", "redis"})


def mark_integration(items: list[pytest.Item]) -> None:
    """Tests that need real servers (Rasa through the ``stack`` fixture, PostgreSQL, Redis)
    or a trained model loaded in process are the integration lane; everything else is the
    fast lane."""
    for item in items:
        needs_servers = bool(_SERVERS & set(getattr(item, "fixturenames", ())))
        if needs_servers or item.get_closest_marker("needs_model") is not None:
            item.add_marker(pytest.mark.integration)


HANDOFF_YML = """
staff_chat_id: {chat}
time_zone: Europe/Prague
staff_language: en
office_hours:
{hours}
holidays: [2026-12-24]
reannounce_after_hours: {after}
hotlines: [emergency_112, moi_hotline]
"""
ALWAYS = "\n".join(
    f'  {d}: "00:00-24:00"' for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
)
WEEKDAYS = "\n".join(f'  {d}: "09:00-17:00"' for d in ("mon", "tue", "wed", "thu", "fri"))


def handoff_content(folder: Path, hours: str = ALWAYS, after: float = 4) -> Path:
    """A copy of the real content with a staff group (the stand-in's) set up."""
    shutil.copytree(REPO_ROOT / "content", folder)
    text = HANDOFF_YML.format(chat=STAFF_CHAT, hours=hours, after=after)
    (folder / "handoff.yml").write_text(text, encoding="utf-8")
    return folder
