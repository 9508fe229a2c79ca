"""scripts/backup.sh: a PostgreSQL dump that restores, the content, the secrets, rotation."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import psycopg

from harness.servers import Postgres
from harness.stack import REPO_ROOT


def test_backup_restores_and_old_backups_go(postgres: Postgres, tmp_path: Path) -> None:
    url = postgres.create_database("backup_source")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CREATE TABLE kept (v text)")
        connection.execute("INSERT INTO kept VALUES ('still here')")
    data, content, dest = tmp_path / "data", tmp_path / "content", tmp_path / "backups"
    data.mkdir()
    content.mkdir()
    (data / "sender_salt").write_bytes(b"salt")
    (content / "topic.yml").write_text("title: x\n")
    dest.mkdir()
    stale = dest / "db-20000101-000000.dump"
    stale.write_bytes(b"old")
    twenty_days_ago = time.time() - 20 * 86400
    os.utime(stale, (twenty_days_ago, twenty_days_ago))
    env = {
        **os.environ,
        "PORADNYK_DATABASE_URL": url,
        "PORADNYK_DATA_DIR": str(data),
        "PORADNYK_CONTENT_DIR": str(content),
        "PORADNYK_BACKUP_DIR": str(dest),
        "PATH": f"{postgres.bin_dir}:{os.environ['PATH']}",
    }
    subprocess.run(
        ["bash", str(REPO_ROOT / "scripts" / "backup.sh")], env=env, check=True, timeout=60,
        capture_output=True,
    )  # fmt: skip
    names = sorted(p.name.split("-")[0] for p in dest.iterdir())
    assert names == ["content", "db", "secrets"]  # the stale one is gone, nothing half-done
    dump = next(dest.glob("db-*.dump"))
    target = postgres.create_database("backup_restored")
    subprocess.run(
        [str(postgres.bin_dir / "pg_restore"), "--no-owner", f"--dbname={target}", str(dump)],
        check=True, timeout=60, capture_output=True,
    )  # fmt: skip
    with psycopg.connect(target) as connection:
        assert connection.execute("SELECT v FROM kept").fetchall() == [("still here",)]
    listing = subprocess.run(
        ["tar", "-tzf", str(next(dest.glob("content-*")))], capture_output=True, text=True,
        check=True,
    ).stdout  # fmt: skip
    assert "content/topic.yml" in listing
