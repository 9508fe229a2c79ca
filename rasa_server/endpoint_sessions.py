"""Keep Rasa's HTTP connections to its endpoints open between requests.

``EndpointConfig.request`` (the action server call, made on every message) opens a new
aiohttp session for each request, so every message pays for a new TCP connection on
both sides and closes it again. :func:`kept_session` gives each endpoint one session
that lives as long as the event loop, built as Rasa builds it (same headers, basic auth
and timeout), which ``async with`` hands out but does not close.

Idle connections are dropped after :data:`KEEPALIVE_SECONDS`, before the action server
(Sanic, 5 s by default) would close them, so a request is not sent down a connection the
server is closing. The sessions are closed when the server stops
(:func:`closing_kept_sessions` wraps Rasa's ``close_resources``).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

import aiohttp
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

__all__ = [
    "KEEPALIVE_SECONDS",
    "KeptSession",
    "close_kept_sessions",
    "closing_kept_sessions",
    "kept_session",
]

KEEPALIVE_SECONDS = 2.0
_KEPT = "_poradnyk_session"
_OPEN: weakref.WeakSet[aiohttp.ClientSession] = weakref.WeakSet()


class KeptSession:
    """``async with`` yields the shared session and leaves it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None


def _new_session(config: EndpointConfig) -> aiohttp.ClientSession:
    auth = None
    if config.basic_auth:
        auth = aiohttp.BasicAuth(config.basic_auth["username"], config.basic_auth["password"])
    session = aiohttp.ClientSession(
        headers=config.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
    )
    _OPEN.add(session)
    return session


async def close_kept_sessions() -> None:
    """Close every kept session (at shutdown)."""
    for session in list(_OPEN):
        await session.close()


_CloseResources = Callable[[Any, asyncio.AbstractEventLoop], Awaitable[None]]


def closing_kept_sessions(close_resources: _CloseResources) -> _CloseResources:
    """Rasa's ``close_resources`` (run when the server stops), closing the sessions too."""

    async def close(app: Any, loop: asyncio.AbstractEventLoop) -> None:
        try:
            await close_resources(app, loop)
        finally:
            await close_kept_sessions()

    close.__wrapped__ = close_resources  # type: ignore[attr-defined]
    return close


def kept_session(
    original: Callable[[EndpointConfig], aiohttp.ClientSession],
) -> Callable[[EndpointConfig], aiohttp.ClientSession | KeptSession]:
    """A replacement for ``EndpointConfig.session`` that reuses one session per loop."""

    def session(self: EndpointConfig) -> aiohttp.ClientSession | KeptSession:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not in a coroutine: nothing to keep it alive for
            return original(self)
        kept: tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession] | None
        kept = self.__dict__.get(_KEPT)
        if kept is None or kept[0] is not loop or kept[1].closed:
            kept = (loop, _new_session(self))
            self.__dict__[_KEPT] = kept
        return KeptSession(kept[1])

    session.__wrapped__ = original  # type: ignore[attr-defined]
    return session
