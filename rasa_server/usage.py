"""Counts calls of each patched Rasa function, so a test can prove the patch is live.

A patch that is installed but never called (because Rasa reached the original through
another reference) would be invisible otherwise; ``GET /poradnyk/patches`` reports these
counts of the running server.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["USED", "counted"]

F = TypeVar("F", bound=Callable[..., Any])

USED: Counter[str] = Counter()


def counted(name: str, function: F) -> F:
    """``function``, counting its calls under ``name``."""

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        USED[name] += 1
        return function(*args, **kwargs)

    return call  # type: ignore[return-value]
