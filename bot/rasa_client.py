"""The one module that talks to Rasa over HTTP, to one Rasa server or several replicas.

With several replicas (``RASA_URL=http://a:5005,http://b:5005``) each person's messages go
to one replica while it is up, chosen by rendezvous hashing of the pseudonym (a replica
that dies moves only its own people, and they come back when it does). A request that
never reached a replica, or whose connection the replica dropped without an answer (it
died mid-request), goes to the next one: the answer travels in the HTTP response, so the
person gets it once. A replica that is merely slow (read timeout) is not asked twice.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from poradnyk.compose import Button

__all__ = [
    "DOWN_FOR_SECONDS",
    "RasaClient",
    "RasaDown",
    "RasaMessage",
    "RasaUnavailable",
    "default_timeout",
]

logger = logging.getLogger(__name__)


def default_timeout(read: float) -> httpx.Timeout:
    """Timeouts for Rasa calls: fail fast on connect, allow ``read`` s for an answer."""
    return httpx.Timeout(connect=2.0, read=read, write=5.0, pool=5.0)


_GATEWAY_DOWN = frozenset({502, 503, 504})
"""What a proxy in front of Rasa answers when Rasa itself cannot be reached."""

_NOT_ANSWERED = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.RemoteProtocolError,
    httpx.ReadError,
    httpx.WriteError,
    httpx.PoolTimeout,
)
"""Failures after which no answer can have been given: another replica may be asked."""

DOWN_FOR_SECONDS = 5.0
"""A replica that failed is asked last for this long (then tried again first)."""


class RasaUnavailable(Exception):
    """Rasa did not answer this request usefully (an error or an empty reply).

    That is this request's failure: Rasa itself may be fine (a crafted message, a bug in
    one action). See :class:`RasaDown` for Rasa being unreachable.
    """


class RasaDown(RasaUnavailable):
    """Rasa could not be reached or did not answer in time (connection error, timeout, or
    a gateway's 502/503/504)."""


@dataclass(frozen=True)
class RasaMessage:
    """One bot message from Rasa's REST channel."""

    text: str
    buttons: tuple[Button, ...] = field(default=())
    handoff: Mapping[str, str] | None = None
    """Set when the person asked for a person (action_handoff's custom message): the
    region and the bot's last topic, for the consent screen."""


class RasaClient:
    """Sends user messages to Rasa's REST webhook and parses the replies."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str | Sequence[str],
        api_token: str | None = None,
    ):
        self._http = http
        urls = [base_url] if isinstance(base_url, str) else list(base_url)
        self._bases = tuple(url.rstrip("/") for url in urls)
        if not self._bases:
            raise ValueError("at least one Rasa URL is needed")
        self._params = {"token": api_token} if api_token else {}
        self._down_until: dict[str, float] = {}

    @property
    def replicas(self) -> tuple[str, ...]:
        """The Rasa base URLs, as configured."""
        return self._bases

    def replicas_for(self, key: str) -> list[str]:
        """The replicas in the order ``key`` (a pseudonym) tries them: its own first."""
        ranked = sorted(
            self._bases,
            key=lambda base: hashlib.blake2b(f"{base}|{key}".encode(), digest_size=8).digest(),
            reverse=True,
        )
        now = time.monotonic()
        up = [base for base in ranked if self._down_until.get(base, 0.0) <= now]
        return up + [base for base in ranked if base not in up]

    async def _request(self, key: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """``method path`` on ``key``'s replica, on the next one when it was not answered.

        The last replica's failure is raised (or its gateway error returned) as is.
        """
        order = self.replicas_for(key)
        for number, base in enumerate(order, start=1):
            last = number == len(order)
            try:
                response = await self._http.request(method, f"{base}{path}", **kwargs)
            except _NOT_ANSWERED as exc:
                self._down_until[base] = time.monotonic() + DOWN_FOR_SECONDS
                if last:
                    raise
                logger.warning("Rasa replica unreachable (%s); asking another", type(exc).__name__)
                continue
            if response.status_code in _GATEWAY_DOWN:
                self._down_until[base] = time.monotonic() + DOWN_FOR_SECONDS
                if not last:
                    continue
            else:
                self._down_until.pop(base, None)
            return response
        raise AssertionError("unreachable")

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[RasaMessage]:
        """Rasa's replies to ``text``; raises :class:`RasaUnavailable` instead of silence."""
        body = {"sender": sender_id, "message": text, "metadata": metadata}
        try:
            response = await self._request(sender_id, "POST", "/webhooks/rest/webhook", json=body)
            if response.status_code in _GATEWAY_DOWN:
                raise RasaDown(f"HTTP {response.status_code}")
            response.raise_for_status()
            data = response.json()
        except httpx.TransportError as exc:  # connection errors and timeouts
            raise RasaDown(type(exc).__name__) from exc
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(type(exc).__name__) from exc
        if not isinstance(data, list):
            raise RasaUnavailable("unexpected reply")
        messages = [self._parse(m) for m in data if isinstance(m, dict)]
        messages = [m for m in messages if m.text or m.buttons or m.handoff is not None]
        if not messages:
            # The REST channel swallows action errors and answers [].
            raise RasaUnavailable("empty reply")
        return messages

    @staticmethod
    def _parse(raw: dict[str, Any]) -> RasaMessage:
        buttons = tuple(
            Button(str(b.get("title", "")), str(b.get("payload", "")))
            for b in raw.get("buttons") or []
            if isinstance(b, dict) and b.get("title") and b.get("payload")
        )
        custom = raw.get("custom")
        wish = custom.get("handoff") if isinstance(custom, dict) else None
        handoff = (
            {k: str(v) for k, v in wish.items() if isinstance(v, str)}
            if isinstance(wish, dict)
            else None
        )
        return RasaMessage(str(raw.get("text") or ""), buttons, handoff)

    async def parse(self, text: str) -> dict[str, Any] | None:
        """NLU result for ``text`` (no conversation is stored); None when Rasa fails."""
        try:
            response = await self._request(
                text, "POST", "/model/parse", json={"text": text}, params=self._params
            )
            response.raise_for_status()
            result = response.json()
        except (httpx.HTTPError, ValueError):
            return None
        return result if isinstance(result, dict) else None

    async def is_ready(self) -> bool:
        """Whether Rasa (one replica at least) is up with a model loaded."""
        for base in self._bases:
            if await self._is_ready(base):
                return True
        return False

    async def _is_ready(self, base: str) -> bool:
        try:
            response = await self._http.get(f"{base}/status", params=self._params)
        except httpx.HTTPError:
            return False
        if response.status_code in {401, 403}:
            # API protected and no/wrong token: the webhook may still work; check the root.
            try:
                return (await self._http.get(f"{base}/")).status_code == 200
            except httpx.HTTPError:
                return False
        try:
            return response.status_code == 200 and bool(response.json().get("model_file"))
        except ValueError:
            return False

    async def forget(self, sender_id: str) -> int:
        """Delete the conversation (under Rasa's lock); returns the events deleted.

        Any replica will do: they share the conversations and, with Redis, the locks.
        """
        response = await self._request(
            sender_id, "DELETE", f"/poradnyk/conversations/{sender_id}", params=self._params
        )
        response.raise_for_status()
        return int(response.json().get("deleted", 0))

    async def purge(self, older_than_seconds: float) -> int:
        """Delete conversations silent for longer than ``older_than_seconds``."""
        response = await self._request(
            "purge",
            "POST",
            "/poradnyk/purge",
            json={"older_than_seconds": older_than_seconds},
            params=self._params,
        )
        response.raise_for_status()
        return int(response.json().get("deleted", 0))
