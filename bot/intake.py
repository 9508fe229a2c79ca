"""Durable intake: every update is written to the store before Telegram hears it arrived.

Polling: the raw updates of a ``getUpdates`` answer are stored first; only the next
``getUpdates`` call (with the next offset) acknowledges them to Telegram. Webhook: the
secret header is checked before the body is read, bodies over 1 MB are refused, and the
update is stored before the 200 goes back. Either way a kill -9 at any moment loses
nothing: on start, every stored update not yet done is handled again. Updates are
deduplicated by ``update_id``, and answers by their outbox keys, so a re-delivered or
re-handled update is not answered twice.

An update that python-telegram-bot cannot parse (no ``date``, no ``from.id``...) is
skipped and acknowledged, logged without its content, and polling goes on; one that
crashed the adapter three times is parked the same way.

Replicas (PostgreSQL): each stored update carries its person's key, and a person's update
is handled under that person's lock (store/locks.py), together with every earlier update
of theirs still waiting, oldest first. So when replica B gets message N+1 while replica A
still holds N, B waits; when B wins the lock first, it handles N (already stored by A)
and then N+1, and A finds N done. An update delivered again that is stored already (its
replica died before the 200 went back) is handled the same way, so the survivor takes
it over. What a killed replica had stored and acknowledged waits for its restart (or for
that person's next update). On SQLite only the in-process order applies.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.settings import Settings
from store.api import AsyncStore
from store.locks import PersonLocks, person_key

__all__ = ["MAX_BODY_BYTES", "Intake"]

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
_LONG_POLL_SECONDS = 10
_MAX_ATTEMPTS = 3
_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class Intake:
    """Receives updates (polling or webhook), stores them, and hands them to the app."""

    def __init__(
        self,
        application: Application,
        settings: Settings,
        store: AsyncStore,
        restore_kept: Callable[[int, dict[str, Any]], None],
        on_idle: Callable[[], Awaitable[None]] | None = None,
        pseudonym: Callable[[int], str] | None = None,
    ) -> None:
        self._app = application
        self._settings = settings
        self._store = store
        self._slots = asyncio.Semaphore(settings.concurrent_updates)
        self._tasks: set[asyncio.Task[None]] = set()
        self._poller: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None
        self._http: httpx.AsyncClient | None = None
        self._restore_kept = restore_kept
        self._on_idle = on_idle
        self._pseudonym = pseudonym
        self._locks = PersonLocks(store.sync.shared and pseudonym is not None)

    # --- start and stop -------------------------------------------------------------

    async def start(self) -> None:
        """Handle what was stored before a restart, then receive new updates.

        Questions that were kept for when Rasa is back go straight back to the
        conversation's recovery (they were answered from content already).
        """
        for update_id, raw, state in await self._store.run(self._store.sync.intake_pending):
            if state == "kept":
                self._restore_kept(update_id, json.loads(raw))
            else:
                self._dispatch(update_id, raw, self._person_of(json.loads(raw)), again=True)
        if self._settings.webhook_url:
            await self._start_webhook()
        else:
            await self._app.bot.delete_webhook()
            self._poller = asyncio.get_running_loop().create_task(self._poll())

    async def stop(self) -> None:
        """Stop receiving and wait for the updates being handled (stored ones stay)."""
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        if self._runner is not None:
            await self._runner.cleanup()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)
        if self._http is not None:
            await self._http.aclose()
        self._locks.close()

    # --- polling ----------------------------------------------------------------------

    async def _poll(self) -> None:
        base = f"{self._settings.telegram_api_base_url}{self._settings.telegram_bot_token}"
        self._http = httpx.AsyncClient(
            base_url=base, timeout=httpx.Timeout(_LONG_POLL_SECONDS + 10, connect=5)
        )
        last = await self._store.run(self._store.sync.last_update_id)
        offset = None if last is None else last + 1
        backoff = 0.5
        while True:
            body: dict[str, Any] = {
                "timeout": _LONG_POLL_SECONDS,
                "allowed_updates": Update.ALL_TYPES,
            }
            if offset is not None:
                body["offset"] = offset
            try:
                response = await self._http.post("/getUpdates", json=body)
                data = response.json()
                if not data.get("ok"):
                    raise ValueError(f"getUpdates refused ({response.status_code})")
                updates = [u for u in data.get("result", []) if isinstance(u, dict)]
            except (httpx.HTTPError, ValueError) as exc:
                # Never log the URL: it contains the token.
                logger.warning(
                    "getUpdates failed (%s); again in %.1f s", type(exc).__name__, backoff
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 0.5
            ids = [u["update_id"] for u in updates if isinstance(u.get("update_id"), int)]
            if not ids:
                continue
            try:
                await self._receive([u for u in updates if isinstance(u.get("update_id"), int)])
            except Exception as exc:
                # Not stored, so not acknowledged: fetched again on the next call.
                logger.error("Could not store updates (%s); retrying", type(exc).__name__)
                await asyncio.sleep(1.0)
                continue
            offset = max(ids) + 1  # acknowledged by the next call, after they are stored

    async def _receive(self, updates: list[dict[str, Any]]) -> None:
        # ASCII JSON: a lone UTF-16 surrogate in a text stays an escape, never breaks the
        # database's UTF-8 (the text itself is cleaned later, at the boundary).
        rows = [(int(u["update_id"]), json.dumps(u)) for u in updates]
        persons = {int(u["update_id"]): self._person_of(u) for u in updates}
        keys = {i: key for i, key in persons.items() if key is not None}
        new = set(await self._store.run(lambda: self._store.sync.intake_add(rows, keys)))
        for update_id, raw in rows:
            if update_id in new:
                self._dispatch(update_id, raw, persons[update_id])
            elif persons[update_id] is not None:
                # Delivered again (Telegram retries what got no 200): stored already, maybe
                # by a replica that died before answering. Handled here under the
                # person's lock if it is still waiting; nothing happens if it is done.
                self._dispatch(update_id, raw, persons[update_id], again=True)

    def _person_of(self, update: dict[str, Any]) -> int | None:
        """The key of the person who sent ``update`` (None: nobody, or one adapter only)."""
        if not self._locks.shared or self._pseudonym is None:
            return None
        for value in update.values():
            if isinstance(value, dict):
                who = value.get("from") or value.get("user")
                if isinstance(who, dict) and isinstance(who.get("id"), int):
                    return person_key(self._pseudonym(who["id"]))
        return None

    # --- webhook ----------------------------------------------------------------------

    async def _start_webhook(self) -> None:
        settings = self._settings
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_post("/telegram", self._on_webhook)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, settings.webhook_listen, settings.webhook_port)
        await site.start()
        await self._app.bot.set_webhook(
            url=settings.webhook_url or "",
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )

    async def _on_webhook(self, request: web.Request) -> web.Response:
        secret = (self._settings.webhook_secret or "").encode()
        given = request.headers.get(_SECRET_HEADER, "").encode()
        if not secret or not hmac.compare_digest(given, secret):
            return web.Response(status=403)  # the body is never read
        if (request.content_length or 0) > MAX_BODY_BYTES:
            return web.Response(status=413)
        try:
            update = json.loads(await request.read())
        except (ValueError, web.HTTPRequestEntityTooLarge):
            return web.Response(status=400)
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            return web.Response(status=400)
        await self._receive([update])
        return web.Response(status=200)

    # --- handling ---------------------------------------------------------------------

    def _dispatch(self, update_id: int, raw: str, person: int | None, again: bool = False) -> None:
        task = asyncio.get_running_loop().create_task(self._handle(update_id, raw, person, again))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, update_id: int, raw: str, person: int | None, again: bool) -> None:
        if person is None:
            await self._handle_one(update_id, raw, again)
        else:
            async with self._locks.hold(person):
                # Under the lock: this person's waiting updates up to this one, in order;
                # none when another replica has handled this one meanwhile.
                sync = self._store.sync
                waiting = await self._store.run(lambda: sync.intake_of_person(person, update_id))
                for earlier_id, earlier_raw in waiting:
                    # An earlier one was received elsewhere (or before a crash): counted.
                    later = again or earlier_id != update_id
                    await self._handle_one(earlier_id, earlier_raw, later)
        if self._on_idle is not None and not self._tasks - {asyncio.current_task()}:
            await self._on_idle()

    async def _handle_one(self, update_id: int, raw: str, again: bool) -> None:
        sync = self._store.sync
        async with self._slots:
            # A new update was stored with its first attempt counted; one handled again
            # after a restart counts another (after three, it is skipped).
            attempts = 1
            if again:
                attempts = await self._store.run(lambda: sync.intake_start(update_id))
            update = None
            if attempts <= _MAX_ATTEMPTS:
                try:
                    update = Update.de_json(json.loads(raw), self._app.bot)
                except Exception as exc:
                    logger.warning("Unparseable update skipped (%s)", type(exc).__name__)
            else:
                logger.error("An update failed %d times; skipped", attempts - 1)
            if update is not None:
                await self._app.process_update(update)
            await self._store.run(lambda: sync.intake_done(update_id))
