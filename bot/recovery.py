"""When Rasa is down: a circuit that opens on outages, a probe that closes it, kept questions.

One request's failure is that request's: only connection errors and timeouts, from at
least two requests within a short window, open the circuit. While it is open, answers
come from content and typed questions are kept (all of them, in order). A probe message
of our own, not a person's kept question, tells when Rasa answers again; then every kept
question is answered. A kept question that fails on its own twice is parked: logged
without its text, and its person gets the content fallback instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.rasa_client import RasaClient, RasaDown, RasaUnavailable

__all__ = ["Kept", "Recovery"]

logger = logging.getLogger(__name__)

_OPEN_AFTER = 2  # outage failures within the window
_WINDOW_SECONDS = 30.0
_PROBE_FIRST_SECONDS = 1.0
_PROBE_MAX_SECONDS = 10.0
_MAX_ATTEMPTS = 2


@dataclass
class Kept:
    """A typed question kept while Rasa was down."""

    user_id: int
    text: str
    telegram_language: str | None
    update_id: int | None = None
    """The stored update it came in (None in the console chat): kept durably until done."""
    attempts: int = 0


Answer = Callable[[Kept], Awaitable[None]]
"""Answers one kept question (raises RasaDown or RasaUnavailable like the client)."""
Park = Callable[[Kept], Awaitable[None]]
"""Gives up on one kept question (its person gets the content fallback)."""


class Recovery:
    """The Rasa-down circuit and the questions kept while it is open."""

    def __init__(self, rasa: RasaClient, clock: Callable[[], float] = time.monotonic) -> None:
        self._rasa = rasa
        self._clock = clock
        self._failures: list[float] = []
        self._open = False
        self._kept: list[Kept] = []
        self._probe: asyncio.Task[None] | None = None
        self._answer: Answer | None = None
        self._park: Park | None = None

    def set_handlers(self, answer: Answer, park: Park) -> None:
        """How kept questions are answered and parked (the conversation's job)."""
        self._answer, self._park = answer, park

    @property
    def is_open(self) -> bool:
        """Whether answers come from content only right now."""
        return self._open

    def record_down(self) -> None:
        """A request could not reach Rasa; opens the circuit when it keeps happening."""
        now = self._clock()
        self._failures = [t for t in self._failures if now - t <= _WINDOW_SECONDS] + [now]
        if len(self._failures) >= _OPEN_AFTER:
            self.open()

    def record_ok(self) -> None:
        """A request got its answer."""
        self._failures.clear()

    def open(self) -> None:
        """Serve from content until the probe gets an answer."""
        if not self._open:
            logger.warning("Rasa is unreachable; answers come from content until it is back")
        self._open = True
        self._start_probe()

    def keep(self, item: Kept) -> None:
        """Keep a question to answer when Rasa is back (the probe runs until then, even
        while one failure alone has not opened the circuit)."""
        self._kept.append(item)
        self._start_probe()

    def _start_probe(self) -> None:
        if self._probe is None or self._probe.done():
            self._probe = asyncio.get_running_loop().create_task(self._probe_until_back())

    def drop(self, user_id: int) -> list[Kept]:
        """Drop a person's kept questions (/forget); returns them."""
        dropped = [k for k in self._kept if k.user_id == user_id]
        self._kept = [k for k in self._kept if k.user_id != user_id]
        return dropped

    def kept_count(self) -> int:
        """How many questions wait for Rasa."""
        return len(self._kept)

    async def _probe_until_back(self) -> None:
        delay = _PROBE_FIRST_SECONDS
        while True:
            await asyncio.sleep(delay)
            if await self._probe_once():
                break
            delay = min(delay * 2, _PROBE_MAX_SECONDS)
        if self._open:
            logger.info("Rasa answers again; normal answers resume")
        self._open = False
        self._failures.clear()
        await self._replay()

    async def _probe_once(self) -> bool:
        sender = f"probe-{uuid.uuid4().hex[:12]}"
        try:
            await self._rasa.send(sender, "/bot_capabilities", {"language": "uk"})
        except RasaUnavailable:
            return False
        with contextlib.suppress(Exception):  # a probe's conversation is not a person's
            await self._rasa.forget(sender)
        return True

    async def _replay(self) -> None:
        assert self._answer is not None and self._park is not None
        while self._kept and not self._open:
            item = self._kept.pop(0)
            item.attempts += 1
            try:
                await self._answer(item)
            except RasaDown:
                self._kept.insert(0, item)
                self.open()
                return
            except RasaUnavailable:
                if item.attempts < _MAX_ATTEMPTS:
                    self._kept.append(item)
                    continue
                logger.warning("A kept question failed %d times; parked", item.attempts)
                await self._park(item)
            except Exception:
                logger.exception("Could not deliver the answer to a kept question")

    async def close(self) -> None:
        """Stop the probe."""
        if self._probe is not None and not self._probe.done():
            self._probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._probe
