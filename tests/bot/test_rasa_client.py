"""The Rasa client: request shape, parsing, and failures turned into RasaUnavailable."""

from __future__ import annotations

import json

import httpx
import pytest

from bot.rasa_client import RasaClient, RasaUnavailable


def _client(handler: httpx.MockTransport) -> RasaClient:
    return RasaClient(httpx.AsyncClient(transport=handler), "http://rasa")


async def test_sends_sender_text_and_metadata_and_parses_buttons() -> None:
    seen: dict[str, object] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.update(json.loads(request.content))
        seen["path"] = request.url.path
        return httpx.Response(
            200,
            json=[
                {"recipient_id": "u1", "text": "Hi", "buttons": [{"title": "A", "payload": "/a"}]}
            ],
        )

    messages = await _client(httpx.MockTransport(handler)).send("u1", "hello", {"language": "en"})
    assert seen == {
        "sender": "u1",
        "message": "hello",
        "metadata": {"language": "en"},
        "path": "/webhooks/rest/webhook",
    }
    assert messages[0].text == "Hi" and messages[0].buttons[0].payload == "/a"


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, json=[]),  # REST channel swallowed an action error
        httpx.Response(500, text="boom"),
        httpx.Response(200, text="not json"),
        httpx.Response(200, json={"unexpected": True}),
    ],
)
async def test_empty_or_bad_replies_are_failures(response: httpx.Response) -> None:
    client = _client(httpx.MockTransport(lambda request: response))
    with pytest.raises(RasaUnavailable):
        await client.send("u1", "hello", {})


async def test_connection_errors_are_failures() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(RasaUnavailable):
        await _client(httpx.MockTransport(handler)).send("u1", "hello", {})
    assert await _client(httpx.MockTransport(handler)).is_ready() is False
