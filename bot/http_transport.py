"""The HTTP clients of the adapter: httpx's API, with aiohttp underneath by default.

Every message costs the adapter three HTTP requests (getUpdates, the Rasa webhook,
sendMessage). Profiled under load, httpx's own transport (httpcore on anyio) spent
about 2 ms of CPU per request, more than everything else the adapter does; aiohttp, which
Rasa already depends on, does the same request in about a tenth of that. So the code
keeps using httpx (its client, timeouts and errors, also inside python-telegram-bot),
and :class:`AiohttpTransport` only moves the bytes.

``PORADNYK_HTTP_TRANSPORT=httpx`` switches back to httpx's own transport; use it behind
an HTTP proxy, which this transport does not know about.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import aiohttp
import certifi
import httpx

__all__ = ["TRANSPORTS", "AiohttpTransport", "async_client", "transport"]

TRANSPORTS = ("aiohttp", "httpx")
_SSL = ssl.create_default_context(cafile=certifi.where())


def _timeout(request: httpx.Request) -> aiohttp.ClientTimeout:
    """httpx's per-request timeouts as aiohttp's (aiohttp has no write timeout)."""
    given: dict[str, float | None] = request.extensions.get("timeout", {})
    connect, pool = given.get("connect"), given.get("pool")
    return aiohttp.ClientTimeout(
        total=None,
        # aiohttp's ``connect`` includes waiting for a free connection, like httpx's pool.
        connect=None if connect is None or pool is None else connect + pool,
        sock_connect=connect,
        sock_read=given.get("read"),
    )


def _as_httpx_error(exc: Exception, request: httpx.Request) -> httpx.TransportError:
    """The httpx exception that httpx's own transport would raise for ``exc``."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, asyncio.TimeoutError):
        # aiohttp raises this one message for timeouts before a connection exists.
        if "Connection timeout" in message:
            return httpx.ConnectTimeout(message, request=request)
        return httpx.ReadTimeout(message, request=request)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(message, request=request)
    protocol = (
        aiohttp.ServerDisconnectedError,
        aiohttp.ClientPayloadError,
        aiohttp.ClientResponseError,
    )
    if isinstance(exc, protocol):
        return httpx.RemoteProtocolError(message, request=request)
    return httpx.NetworkError(message, request=request)


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport that sends requests with one aiohttp session.

    Responses are read whole (nothing here streams); redirects and decompression are
    left to httpx, as with its own transport.
    """

    def __init__(self, max_connections: int = 100) -> None:
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _open_session(self) -> aiohttp.ClientSession:
        # Created on first use, inside the running event loop; again after aclose(),
        # because python-telegram-bot may shut a client down and initialise it again.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._max_connections, ssl=_SSL),
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept-Encoding", "Accept"),
            )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and return the whole response."""
        body = await request.aread()
        try:
            async with self._open_session().request(
                request.method,
                str(request.url),
                headers=request.headers.multi_items(),
                data=body or None,
                timeout=_timeout(request),
                allow_redirects=False,
            ) as response:
                content = await response.read()
                headers: list[tuple[bytes, bytes]] = list(response.raw_headers)
                status, reason = response.status, response.reason or ""
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise _as_httpx_error(exc, request) from exc
        return httpx.Response(
            status,
            headers=headers,
            content=content,
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason.encode()},
        )

    async def aclose(self) -> None:
        """Close the connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()


def transport(name: str, max_connections: int = 100) -> httpx.AsyncBaseTransport | None:
    """The transport called ``name`` (None: httpx's own default)."""
    if name not in TRANSPORTS:
        raise ValueError(f"unknown HTTP transport {name!r}; use one of {TRANSPORTS}")
    return AiohttpTransport(max_connections) if name == "aiohttp" else None


def async_client(name: str, **kwargs: Any) -> httpx.AsyncClient:
    """An httpx client on the transport called ``name``."""
    limits: httpx.Limits | None = kwargs.get("limits")
    size = limits.max_connections if limits and limits.max_connections else 100
    chosen = transport(name, size)
    if chosen is not None:
        kwargs = {**kwargs, "transport": chosen}
    return httpx.AsyncClient(**kwargs)
