"""Fixtures of the benchmarks' own tests (harness/fixtures.py), as in tests/."""

from __future__ import annotations

import pytest

from harness.fixtures import mark_integration, stack

__all__ = ["stack"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the integration lane."""
    mark_integration(items)
