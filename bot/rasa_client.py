"""The one module that talks to Rasa over HTTP."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from poradnyk.compose import Button

__all__ = ["RasaClient", "RasaDown", "RasaMessage", "RasaUnavailable", "default_timeout"]

logger = logging.getLogger(__name__)


def default_timeout(read: float) -> httpx.Timeout:
    """Timeouts for Rasa calls: fail fast on connect, allow ``read`` s for an answer."""
    return httpx.Timeout(connect=2.0, read=read, write=5.0, pool=5.0)


_GATEWAY_DOWN = frozenset({502, 503, 504})
"""What a proxy in front of Rasa answers when Rasa itself cannot be reached."""


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

    def __init__(self, http: httpx.AsyncClient, base_url: str, api_token: str | None = None):
        self._http = http
        self._base = base_url.rstrip("/")
        self._params = {"token": api_token} if api_token else {}

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[RasaMessage]:
        """Rasa's replies to ``text``; raises :class:`RasaUnavailable` instead of silence."""
        body = {"sender": sender_id, "message": text, "metadata": metadata}
        try:
            response = await self._http.post(f"{self._base}/webhooks/rest/webhook", json=body)
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
            response = await self._http.post(
                f"{self._base}/model/parse", json={"text": text}, params=self._params
            )
            response.raise_for_status()
            result = response.json()
        except (httpx.HTTPError, ValueError):
            return None
        return result if isinstance(result, dict) else None

    async def is_ready(self) -> bool:
        """Whether Rasa is up with a model loaded."""
        try:
            response = await self._http.get(f"{self._base}/status", params=self._params)
        except httpx.HTTPError:
            return False
        if response.status_code in {401, 403}:
            # API protected and no/wrong token: the webhook may still work; check the root.
            try:
                return (await self._http.get(f"{self._base}/")).status_code == 200
            except httpx.HTTPError:
                return False
        try:
            return response.status_code == 200 and bool(response.json().get("model_file"))
        except ValueError:
            return False

    async def forget(self, sender_id: str) -> int:
        """Delete the conversation (under Rasa's lock); returns the events deleted."""
        response = await self._http.delete(
            f"{self._base}/poradnyk/conversations/{sender_id}", params=self._params
        )
        response.raise_for_status()
        return int(response.json().get("deleted", 0))

    async def purge(self, older_than_seconds: float) -> int:
        """Delete conversations silent for longer than ``older_than_seconds``."""
        response = await self._http.post(
            f"{self._base}/poradnyk/purge",
            json={"older_than_seconds": older_than_seconds},
            params=self._params,
        )
        response.raise_for_status()
        return int(response.json().get("deleted", 0))
