"""The stores of one test run: SQLite files (the default) or PostgreSQL and Redis.

``PORADNYK_TEST_BACKEND=postgresql`` runs the same tests with every store on throwaway
servers (harness/servers.py), started once per pytest process before Django is
configured and removed when the process exits: the adapter's and the console's tables
and Rasa's conversations in one PostgreSQL database, Rasa's locks in Redis. Processes
that must not share the run's database (the console of a test, the whole system under
supervisord) get one of their own from :meth:`Stores.new_database`.

``PORADNYK_TEST_DATABASE_URL`` still names the database outright (tests/store's run on
PostgreSQL passes it to a child pytest); then no cluster of ours holds it.

:meth:`Stores.holding` answers "which stores hold this text" for either backend, for the
tests that check what /forget and a "no" leave behind.
"""

from __future__ import annotations

import atexit
import gc
import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from harness.servers import Postgres, Redis, start_postgres, start_redis

__all__ = [
    "BACKENDS",
    "BACKEND_VARIABLE",
    "Stores",
    "close_leftover_connections",
    "rows_holding",
    "start_stores",
]

BACKEND_VARIABLE = "PORADNYK_TEST_BACKEND"
BACKENDS = ("sqlite", "postgresql")


@dataclass
class Stores:
    """Where this run keeps everything, and how to look into it."""

    backend: str
    database_url: str
    """The run's database: the adapter's, the console's and (through start_stack) Rasa's."""
    redis_url: str
    """Rasa's lock store ("": in memory, one Rasa server)."""
    folder: Path
    """The run's temporary folder (the SQLite file is in it)."""
    postgres: Postgres | None = None
    redis: Redis | None = None

    @property
    def on_postgresql(self) -> bool:
        """Whether the database is PostgreSQL."""
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def env(self) -> dict[str, str]:
        """The settings that put a process on these stores."""
        return {"PORADNYK_DATABASE_URL": self.database_url, "PORADNYK_REDIS_URL": self.redis_url}

    def new_database(self, name: str, folder: Path) -> str:
        """The URL of a fresh, empty database (a SQLite file in ``folder``, or a database
        of the run's cluster)."""
        if self.postgres is not None:
            return self.postgres.create_database(name)
        return f"sqlite:///{folder / f'{name}.sqlite3'}"

    def env_with_database(self, name: str, folder: Path) -> dict[str, str]:
        """:attr:`env`, with a database of its own."""
        return {**self.env, "PORADNYK_DATABASE_URL": self.new_database(name, folder)}

    def holding(self, needle: str, folders: Iterable[Path] = ()) -> list[str]:
        """Every place ``needle`` is stored: files under ``folders`` and the run's folder
        (SQLite databases and their logs included: what a person with the disk could
        read), and on PostgreSQL every row of every table of every database of the
        cluster (as ``postgresql:<database>.<table>``)."""
        found = _files_holding(needle, [*folders, self.folder])
        if self.on_postgresql:
            found += _rows_holding(self.database_url, needle, every_database=self.postgres)
        return found

    def remove(self) -> None:
        """Stop the servers and delete their files (nothing on SQLite)."""
        if self.postgres is not None:
            self.postgres.remove()
            self.postgres = None
        if self.redis is not None:
            self.redis.remove()
            self.redis = None


def start_stores(folder: Path) -> Stores:
    """The stores chosen by ``PORADNYK_TEST_BACKEND`` (servers started; removed at exit)."""
    backend = os.environ.get(BACKEND_VARIABLE, "sqlite").strip().lower() or "sqlite"
    if backend not in BACKENDS:
        raise RuntimeError(f"{BACKEND_VARIABLE}={backend!r}: one of {', '.join(BACKENDS)}")
    given = os.environ.get("PORADNYK_TEST_DATABASE_URL")
    stores = Stores(backend, given or f"sqlite:///{folder / 'poradnyk.sqlite3'}", "", folder)
    if backend == "postgresql":
        atexit.register(stores.remove)  # also when the run fails
        stores.redis = start_redis()
        stores.redis_url = stores.redis.url
        if not given:
            stores.postgres = start_postgres()
            stores.database_url = stores.postgres.create_database("poradnyk_tests")
    return stores


def close_leftover_connections() -> None:
    """Close the PostgreSQL connections Django still keeps open in this process.

    Django keeps one connection per thread (CONN_MAX_AGE); the threads that ran the
    tests' store calls (asyncio.to_thread) are gone by the end of the run, and psycopg
    warns when it finds such a connection still open while it is collected, after the
    last test (an error, with warnings as errors). Closed here, at the end of the run.
    """
    psycopg = sys.modules.get("psycopg")
    if psycopg is None:
        return
    for leftover in gc.get_objects():
        if isinstance(leftover, psycopg.Connection) and not leftover.closed:
            leftover.close()


# Read in a process of its own: SQLite's locks are POSIX locks, held per process, and
# closing *any* descriptor of a database file (or of its ``-shm`` index) drops every lock
# this process holds on it; while this test process's own Django connection was open,
# that let another process reset the write-ahead index under it, and the database was
# corrupted (seen as "disk I/O error" in later tests).
_SCAN = """
import pathlib, sys
data = sys.argv[1].encode()
for folder in sys.argv[2:]:
    for f in sorted(pathlib.Path(folder).rglob("*")):
        if f.is_file() and data in f.read_bytes():
            print(f)
"""


def _files_holding(needle: str, folders: list[Path]) -> list[str]:
    found = subprocess.run(
        [sys.executable, "-c", _SCAN, needle, *map(str, folders)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return found.stdout.splitlines()


def rows_holding(url: str, needle: str) -> dict[str, int]:
    """Rows of every table of one PostgreSQL database whose text contains ``needle``, by
    table (a row as text: every column, so that a new table or column cannot escape)."""
    import psycopg  # noqa: PLC0415 - the app venv only (harness is imported by both)

    found: dict[str, int] = {}
    with psycopg.connect(url, autocommit=True) as connection:
        tables = connection.execute(
            "SELECT schemaname, tablename FROM pg_tables"
            " WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
        ).fetchall()
        for schema, table in tables:
            row = connection.execute(
                f'SELECT COUNT(*) FROM "{schema}"."{table}" AS t WHERE t::text LIKE %s',
                (f"%{needle}%",),
            ).fetchone()
            if row and row[0]:
                found[str(table)] = int(row[0])
    return found


def _rows_holding(url: str, needle: str, every_database: Postgres | None) -> list[str]:
    """``needle`` in every database of our cluster (or in the one of ``url``)."""
    import psycopg  # noqa: PLC0415 - the app venv only (harness is imported by both)

    urls = {url.rsplit("/", 1)[-1]: url}
    if every_database is not None:
        with psycopg.connect(url, autocommit=True) as connection:
            names = connection.execute(
                "SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY 1"
            ).fetchall()
        urls = {str(name): every_database.url(str(name)) for (name,) in names}
    return [
        f"postgresql:{name}.{table} ({count} rows)"
        for name, database in urls.items()
        for table, count in rows_holding(database, needle).items()
    ]
