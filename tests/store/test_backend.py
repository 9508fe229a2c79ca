"""One URL picks the database; what differs between SQLite and PostgreSQL is set here."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.backend import database_settings


def test_no_url_is_sqlite_in_the_data_folder_in_wal_mode(tmp_path: Path) -> None:
    config = database_settings(None, tmp_path)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "poradnyk.sqlite3")
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert "secure_delete=ON" in config["OPTIONS"]["init_command"]


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_a_postgresql_url_is_postgresql_with_health_checks(tmp_path: Path, scheme: str) -> None:
    config = database_settings(f"{scheme}://bot:s%40cret@db.internal:5433/poradnyk", tmp_path)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "poradnyk")
    assert (config["USER"], config["PASSWORD"]) == ("bot", "s@cret")
    assert config["CONN_HEALTH_CHECKS"] is True and config["CONN_MAX_AGE"] == 600
    assert config["OPTIONS"]["connect_timeout"] == 5
