"""The adapter's health endpoint: ``GET http://127.0.0.1:$PORADNYK_HEALTH_PORT/healthz``.

For supervisors and the deployment's monitoring. It answers 200 while the adapter runs,
with what an operator needs to know and nothing about any person: whether answers come
from Rasa or from content, how many questions wait for Rasa, how many chats have
answers queued.
"""

from __future__ import annotations

from aiohttp import web

from bot.context import Services

__all__ = ["HealthServer"]


class HealthServer:
    """A tiny HTTP server on 127.0.0.1."""

    def __init__(self, services: Services, port: int) -> None:
        self._services = services
        self._port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen (port 0: no health endpoint)."""
        if not self._port:
            return
        app = web.Application()
        app.router.add_get("/healthz", self._health)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self._port).start()

    async def _health(self, request: web.Request) -> web.Response:
        conversation = self._services.conversation
        return web.json_response(
            {
                "status": "ok",
                "answers_from": "content" if conversation.recovery.is_open else "rasa",
                "questions_waiting_for_rasa": conversation.recovery.kept_count(),
                "chats_with_answers_queued": self._services.sender.pending_chats(),
            }
        )

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
