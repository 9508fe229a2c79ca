"""An HTTP proxy in front of Rasa that can be switched to fail: down, slow, 500 or empty."""

from __future__ import annotations

import asyncio

import httpx
from aiohttp import web

from harness.local_site import serve

__all__ = ["FlakyProxy"]


class FlakyProxy:
    """Forwards to ``target`` while ``mode`` is "ok"; otherwise fails the chosen way."""

    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self.mode = "ok"
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._client = httpx.AsyncClient(timeout=30)

    @property
    def url(self) -> str:
        """Base URL to give the adapter as RASA_URL."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Listen on a free port."""
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner, self.port = await serve(app)

    async def stop(self) -> None:
        """Stop listening."""
        await self._client.aclose()
        if self._runner:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if self.mode == "down":
            raise web.HTTPServiceUnavailable()
        if self.mode == "error":
            return web.Response(status=500, text="Internal Server Error")
        if self.mode == "empty" and request.path.startswith("/webhooks"):
            return web.json_response([])
        if self.mode == "slow":
            await asyncio.sleep(5)
        upstream = await self._client.request(
            request.method,
            f"{self.target}{request.path_qs}",
            content=await request.read(),
            headers={"Content-Type": request.headers.get("Content-Type", "application/json")},
        )
        return web.Response(
            status=upstream.status_code,
            body=upstream.content,
            content_type="application/json",
        )
