"""Shared fixtures (harness/fixtures.py): the real Rasa + action servers, one database,
the real content and a fresh Bot API stand-in."""

from __future__ import annotations

import pytest

from harness.backends import close_leftover_connections
from harness.fixtures import api, content, mark_integration, postgres, redis, stack

__all__ = ["api", "content", "postgres", "redis", "stack"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the integration lane."""
    mark_integration(items)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Close what Django left open on PostgreSQL (harness/backends.py says why)."""
    close_leftover_connections()
