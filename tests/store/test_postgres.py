"""The store's tests (and the subscription tests that lean on it) again, on a real
PostgreSQL server.

Django is configured once per process (SQLite for this one), so the same test modules
run in a child pytest whose ``PORADNYK_DATABASE_URL`` points at a fresh database of the
throwaway cluster (harness/servers.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.servers import Postgres

HERE = Path(__file__).resolve().parent
SUBSCRIPTIONS = HERE.parent / "bot" / "test_subscriptions.py"
# Each group on a fresh database of its own: the store's tests leave updates in the
# intake that a bot started later would take as already received.
ON_POSTGRESQL = {
    "store": [str(HERE / "test_api.py"), str(HERE / "postgres_only.py")],
    # Subscriptions, fan-out, deliveries and the lease through the real Application
    # (Rasa mocked): the store's conditional updates decide there.
    "subscriptions": [
        f"{SUBSCRIPTIONS}::{name}"
        for name in (
            "test_subscribe_and_unsubscribe_in_each_language",
            "test_forget_ends_the_subscription_and_privacy_says_so",
            "test_a_reminder_goes_at_its_time_only_to_its_topics_subscribers",
            "test_only_the_lease_holder_sends",
        )
    ],
}


@pytest.mark.parametrize("group", sorted(ON_POSTGRESQL))
def test_they_pass_on_postgresql(postgres: Postgres, tmp_path: Path, group: str) -> None:
    url = postgres.create_database(f"{group}_tests")
    env = {
        **os.environ,
        "PORADNYK_DATA_DIR": str(tmp_path),
        "PORADNYK_TEST_DATABASE_URL": url,
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         # Django keeps a connection per thread open (CONN_MAX_AGE); the test threads'
         # are still open when the interpreter exits, and psycopg says so on SQLite's
         # silence. Nothing else is ignored.
         "-W", "ignore:<psycopg.Connection object:ResourceWarning", *ON_POSTGRESQL[group]],
        env=env, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout
