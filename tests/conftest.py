"""Shared fixtures (harness/fixtures.py): the real Rasa + action servers, one database,
the real content and a fresh Bot API stand-in."""

from __future__ import annotations

import pytest

from harness.fixtures import api, content, mark_integration, postgres, redis, stack

__all__ = ["api", "content", "postgres", "redis", "stack"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the integration lane."""
    mark_integration(items)
