"""The store's tests again, on a real PostgreSQL server.

Django is configured once per process (SQLite for this one), so the same test modules
run in a child pytest whose ``PORADNYK_DATABASE_URL`` points at a fresh database of the
throwaway cluster (harness/servers.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from harness.servers import Postgres

HERE = Path(__file__).resolve().parent


def test_store_tests_pass_on_postgresql(postgres: Postgres, tmp_path: Path) -> None:
    url = postgres.create_database("store_tests")
    env = {
        **os.environ,
        "PORADNYK_DATA_DIR": str(tmp_path),
        "PORADNYK_TEST_DATABASE_URL": url,
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         str(HERE / "test_api.py"), str(HERE / "postgres_only.py")],
        env=env, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout
