"""Per-person flood limit that calms instead of amplifying.

Past the limit a person is told to slow down once per window; everything else they send
in that window is dropped without an answer, so a flood of 200 messages costs one reply,
not 188, and the bot's sending capacity stays with everybody else.
"""

from __future__ import annotations

import enum
import time
from collections import deque
from collections.abc import Callable

__all__ = ["FloodGuard", "Verdict"]

_MAX_TRACKED = 10_000


class Verdict(enum.Enum):
    """What to do with one update."""

    ALLOW = "allow"
    WARN = "warn"  # over the limit: say "slow down" (once per window)
    DROP = "drop"  # over the limit and already told


class FloodGuard:
    """Sliding window of update times per key (a pseudonym or a chat)."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._seen: dict[object, deque[float]] = {}
        self._warned: dict[object, float] = {}

    def check(self, key: object) -> Verdict:
        """Count one update of ``key`` and judge it."""
        now = self._clock()
        times = self._seen.setdefault(key, deque())
        while times and now - times[0] > self._window:
            times.popleft()
        times.append(now)
        if len(self._seen) > _MAX_TRACKED:
            self._forget_idle(now)
        if len(times) <= self._limit:
            return Verdict.ALLOW
        warned = self._warned.get(key)
        if warned is not None and now - warned <= self._window:
            return Verdict.DROP
        self._warned[key] = now
        return Verdict.WARN

    def reset(self, key: object) -> None:
        """Forget ``key`` entirely (/forget)."""
        self._seen.pop(key, None)
        self._warned.pop(key, None)

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, t in self._seen.items() if not t or now - t[-1] > self._window]
        for key in idle:
            self.reset(key)
