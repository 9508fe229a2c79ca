"""Reminders and announcements: sent to subscribers from a durable table, at a set rate.

Only the holder of the shared lease (a row in the store, renewed every few seconds, taken
over when it expires) does any of this, so several adapter replicas never send twice:

1. **Reminders**: on the day a topic's event asks for one (``remind: [14, 3]`` days
   before), from ``PORADNYK_REMINDER_TIME`` in Europe/Prague, a broadcast is created under
   a key naming the topic, event, date and day; the key makes it once only.
2. **Fan-out**: a broadcast whose time has come (reminders at once, announcements when
   the console scheduled them) becomes one delivery row per subscriber, unique per person.
3. **Drain**: rows are sent at ``PORADNYK_BROADCAST_RATE`` per second at most in any
   second (a sliding window, with a margin), never in the quiet hours, and only while no
   answer to a question is waiting: answers always go first. A row is marked ``sending``
   before the Bot API call and ``sent`` after it, so a restart resumes exactly where the
   last sender stopped; rows a crash cut off mid-call are ``unsure`` and not sent again.
   ``403`` ends the person's subscriptions, ``429`` pauses every broadcast for its
   ``retry_after``, network errors and ``5xx`` back off per row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import partial
from zoneinfo import ZoneInfo

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.render import keyboard, split_html
from bot.sender import Sender
from bot.settings import Settings
from poradnyk.compose import notice_reply, reminder_text
from poradnyk.content import Content
from poradnyk.languages import LANGUAGES
from store.api import AsyncStore, DeliveryRow

__all__ = ["LEASE_NAME", "PRAGUE", "Broadcaster", "Clock", "is_quiet"]

logger = logging.getLogger(__name__)

PRAGUE = ZoneInfo("Europe/Prague")
LEASE_NAME = "broadcast-sender"
LEASE_SECONDS = 15.0
_RENEW_EVERY = LEASE_SECONDS / 3
_IN_FLIGHT = 8
_WINDOW_MARGIN = 0.25  # seconds the network and a busy machine may shift a send by
_MAX_ATTEMPTS = 8
_MAX_BACKOFF = 300.0
_LOG_EVERY = 5.0

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def is_quiet(now: datetime, quiet_hours: tuple[int, int] | None) -> bool:
    """Whether ``now`` is at night in Prague (``quiet_hours``: from, to; may wrap)."""
    if quiet_hours is None:
        return False
    start, end = quiet_hours
    hour = now.astimezone(PRAGUE).hour
    return start <= hour < end if start < end else hour >= start or hour < end


def _seconds(delay: object) -> float:
    total = getattr(delay, "total_seconds", None)
    return float(total()) if callable(total) else float(delay)  # type: ignore[arg-type]


class Broadcaster:
    """Schedules reminders and drains the deliveries while it holds the lease."""

    def __init__(
        self,
        bot: Bot,
        store: AsyncStore,
        content: Callable[[], Content],
        sender: Sender,
        settings: Settings,
        clock: Clock | None = None,
    ) -> None:
        self._bot = bot
        self._store = store
        self._content = content
        self._sender = sender
        self._settings = settings
        self.clock: Clock = clock or _utc_now
        """What time it is (tests set a fixed clock; days are never slept through)."""
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.holding = False
        self._renewed = 0.0
        self._logged = 0.0
        self._starts: deque[float] = deque()
        self._paused_until = 0.0
        self._in_flight: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(_IN_FLIGHT)
        self._pacing = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    def start(self) -> None:
        """Start the background loop."""
        self._task = asyncio.get_running_loop().create_task(self._run())

    def wake(self) -> None:
        """Look for work now instead of at the next poll."""
        self._wake.set()

    async def close(self) -> None:
        """Stop (what is queued stays queued) and hand the lease on."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        if self.holding:
            sync = self._store.sync
            with contextlib.suppress(Exception):
                await self._store.run(lambda: sync.release_lease(LEASE_NAME, self.holder))

    # --- the loop --------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            worked = False
            try:
                if await self._lease():
                    await self.schedule_reminders()
                    await self._fan_out()
                    worked = await self._drain()
                    await self._finish()
            except Exception:
                logger.exception("Broadcast step failed; trying again shortly")
            if not worked:
                self._wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._settings.broadcast_poll)

    async def _lease(self) -> bool:
        sync = self._store.sync
        held = await self._store.run(
            lambda: sync.acquire_lease(LEASE_NAME, self.holder, LEASE_SECONDS)
        )
        self._renewed = time.monotonic()
        if held and not self.holding:
            # Whoever sent before us is gone: what it was sending at that moment may or
            # may not have reached Telegram, and is never sent twice.
            unsure = await self._store.run(sync.recover_sending)
            # The last holder may have sent a second's worth just now: the rate holds
            # across a handover too.
            self._paused_until = time.monotonic() + 1.0 + _WINDOW_MARGIN
            logger.info("Broadcast sender: this replica sends now (%d unsure rows)", unsure)
        elif self.holding and not held:
            logger.warning("Broadcast sender: lease lost to another replica")
        self.holding = held
        return held

    async def schedule_reminders(self) -> list[str]:
        """Create the reminders due now (at most once each); their keys."""
        now = self.clock()
        local = now.astimezone(PRAGUE)
        hour, minute = self._settings.reminder_time
        if (local.hour, local.minute) < (hour, minute) or is_quiet(now, self._settings.quiet_hours):
            return []
        content = self._content()
        created: list[str] = []
        for topic in content.topics.values():
            for event in topic.events:
                for days, day in event.reminder_days():
                    if day != local.date():
                        continue
                    key = f"reminder:{topic.name}:{event.id}:{event.date:%Y%m%d}:{days}"
                    texts = {
                        lang: reminder_text(content, topic.name, event.id, lang)
                        for lang in LANGUAGES
                    }
                    sync = self._store.sync
                    new = await self._store.run(
                        partial(sync.add_broadcast, key, [topic.name], texts, now)
                    )
                    if new:
                        logger.info("Reminder %s created", key)
                        created.append(key)
        return created

    async def _fan_out(self) -> None:
        now = self.clock()
        sync = self._store.sync
        for key, count in await self._store.run(lambda: sync.fan_out_due(now)):
            logger.info("Broadcast %s: %d subscribers to send to", key, count)

    async def _finish(self) -> None:
        now = self.clock()
        sync = self._store.sync
        for key in await self._store.run(lambda: sync.finish_broadcasts(now)):
            progress = await self._store.run(partial(sync.progress, key))
            if progress is not None:
                logger.info(
                    "Broadcast %s finished: %d sent, %d failed, %d blocked",
                    key, progress.sent, progress.failed, progress.blocked,
                )  # fmt: skip

    async def _drain(self) -> bool:
        """Send what is due until nothing is, the lease needs renewing, or night falls."""
        if is_quiet(self.clock(), self._settings.quiet_hours):
            return False
        sync = self._store.sync
        now = self.clock()
        rate = self._settings.broadcast_rate
        batch = await self._store.run(lambda: sync.next_deliveries(now, max(1, int(rate * 2))))
        if not batch:
            return False
        for row in batch:
            await self._give_way()
            await self._slots.acquire()
            if time.monotonic() - self._renewed > _RENEW_EVERY and not await self._lease():
                self._slots.release()
                break
            task = asyncio.get_running_loop().create_task(self._send(row))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        await self._log_progress()
        return True

    async def _log_progress(self) -> None:
        if time.monotonic() - self._logged < _LOG_EVERY:
            return
        self._logged = time.monotonic()
        for p in await self._store.run(self._store.sync.open_progress):
            logger.info(
                "Broadcast %s: %d%% (%d sent, %d pending, %d failed, %d blocked)",
                p.key, p.percent, p.sent, p.pending, p.failed, p.blocked,
            )  # fmt: skip

    async def _give_way(self) -> None:
        """Answers to questions first: wait while one is ready to go, or a 429 is due."""
        while True:
            pause = self._paused_until - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
            elif self._sender.answers_waiting() > 0:
                await asyncio.sleep(0.01)
            else:
                return

    async def _pace(self, rate: float) -> None:
        """At most ``rate`` sends in any second (plus a margin for the network)."""
        limit = max(1, int(rate))
        window = 1.0 + _WINDOW_MARGIN
        while True:
            now = time.monotonic()
            while self._starts and now - self._starts[0] >= window:
                self._starts.popleft()
            if len(self._starts) < limit:
                self._starts.append(now)
                return
            await asyncio.sleep(window - (now - self._starts[0]))

    async def _send(self, row: DeliveryRow) -> None:
        sync = self._store.sync
        try:
            content = self._content()
            lang = row.language if row.language in LANGUAGES else self._settings.default_language
            reply = notice_reply(content, lang, row.topic, row.text)
            markup = keyboard(reply.buttons, lambda payload: payload)
            chunks = split_html(reply.text)
            for i, chunk in enumerate(chunks):
                # Paced as late as possible, right before the bytes go out, in order; and
                # marked "sending" only then, so a crash leaves unsure only real calls.
                # The mark is made while pacing is held and the slot counted from its
                # end: a slow database call cannot bunch sends that were paced apart.
                async with self._pacing:
                    await self._pace(self._settings.broadcast_rate)
                    if i == 0:
                        if not await self._store.run(partial(sync.delivery_sending, row.id)):
                            return  # unsubscribed or /forget meanwhile
                        self._starts[-1] = time.monotonic()
                await self._bot.send_message(
                    row.chat_id,
                    chunk,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup if i == len(chunks) - 1 else None,
                )
        except RetryAfter as exc:
            seconds = _seconds(exc.retry_after)
            logger.warning("Telegram asks broadcasts to wait %.1f s", seconds)
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)
            when = self.clock() + timedelta(seconds=seconds)
            await self._store.run(lambda: sync.delivery_later(row.id, when))
        except Forbidden:
            logger.info("A subscriber blocked the bot; their subscriptions end")
            await self._store.run(lambda: sync.delivery_done(row.id, "blocked"))
            await self._store.run(lambda: sync.blocked(row.pseudonym))
        except BadRequest as exc:
            logger.error("Telegram refused a broadcast message (%s); dropped", exc.message)
            await self._store.run(lambda: sync.delivery_done(row.id, "failed"))
        except NetworkError as exc:
            if row.attempts + 1 >= _MAX_ATTEMPTS:
                logger.error("A broadcast message failed %d times; given up", _MAX_ATTEMPTS)
                await self._store.run(lambda: sync.delivery_done(row.id, "failed"))
            else:
                delay = min(2.0**row.attempts, _MAX_BACKOFF)
                logger.warning("Broadcast send failed (%s); again in %.0f s", exc, delay)
                when = self.clock() + timedelta(seconds=delay)
                await self._store.run(lambda: sync.delivery_later(row.id, when))
        except Exception:
            logger.exception("Broadcast send failed unexpectedly; the row is tried again")
            when = self.clock() + timedelta(seconds=30)
            await self._store.run(lambda: sync.delivery_later(row.id, when))
        else:
            await self._store.run(lambda: sync.delivery_done(row.id, "sent"))
        finally:
            self._slots.release()
