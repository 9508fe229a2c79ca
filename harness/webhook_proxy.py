"""A round-robin reverse proxy in front of adapter replicas in webhook mode.

Like nginx or Caddy with two upstreams: each request goes to the next replica, requests
are forwarded concurrently (one person's updates can be on two replicas at once, as when
Telegram uses several connections), and a replica that refuses the connection is
skipped for that request. A replica that dies with the request in its hands (the
connection cut before an answer) gets a 502 back to Telegram, as nginx answers for a
POST it cannot safely send twice; Telegram then delivers the update again. The secret
header and the body pass unchanged.
"""

from __future__ import annotations

import itertools

import httpx
from aiohttp import web

from harness.local_site import serve

__all__ = ["WebhookProxy"]

_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookProxy:
    """Forwards ``POST /telegram`` to ``targets`` in turn; counts what each one got."""

    def __init__(self, targets: list[str]) -> None:
        self.targets = [t.rstrip("/") for t in targets]
        self.forwarded = dict.fromkeys(self.targets, 0)
        self.cut = dict.fromkeys(self.targets, 0)
        """Requests whose replica went away before answering (502 to Telegram)."""
        self.in_flight = dict.fromkeys(self.targets, 0)
        """Requests forwarded and not answered yet."""
        self.port = 0
        self._next = itertools.cycle(range(len(self.targets)))
        self._runner: web.AppRunner | None = None
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(60, connect=2))

    @property
    def url(self) -> str:
        """The public webhook URL (what the adapters give setWebhook)."""
        return f"http://127.0.0.1:{self.port}/telegram"

    async def start(self) -> None:
        """Listen on a free port."""
        app = web.Application()
        app.router.add_post("/telegram", self._handle)
        self._runner, self.port = await serve(app)

    async def stop(self) -> None:
        """Stop listening."""
        await self._client.aclose()
        if self._runner:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {"Content-Type": "application/json"}
        if _SECRET_HEADER in request.headers:
            headers[_SECRET_HEADER] = request.headers[_SECRET_HEADER]
        first = next(self._next)
        for step in range(len(self.targets)):
            target = self.targets[(first + step) % len(self.targets)]
            self.in_flight[target] += 1
            try:
                upstream = await self._client.post(
                    f"{target}/telegram", content=body, headers=headers
                )
            except httpx.ConnectError:
                continue  # that replica is down: the next one
            except httpx.TransportError:
                self.cut[target] += 1
                return web.Response(status=502)  # it died meanwhile: Telegram will retry
            finally:
                self.in_flight[target] -= 1
            self.forwarded[target] += 1
            return web.Response(status=upstream.status_code, body=upstream.content)
        return web.Response(status=502)
