"""Shared fixtures: the real Rasa + action servers, started once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.stack import Stack, start_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The real action server and Rasa server (with the trained model) on free ports."""
    data_dir: Path = tmp_path_factory.mktemp("stack")
    running = start_stack(data_dir)
    yield running
    running.stop()
