"""The Rasa client: request shape, parsing, and failures turned into RasaUnavailable."""

from __future__ import annotations

import json

import httpx
import pytest

from bot.rasa_client import RasaClient, RasaDown, RasaUnavailable


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


# --- several Rasa replicas -------------------------------------------------------------

_REPLICAS = ("http://rasa-a:5005", "http://rasa-b:5005", "http://rasa-c:5005")


def _answering(
    down: set[str], seen: list[str], error: type[httpx.RequestError]
) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        base = f"http://{request.url.host}:{request.url.port}"
        seen.append(base)
        if base in down:
            raise error("gone", request=request)
        return httpx.Response(200, json=[{"text": f"from {request.url.host}"}])

    return httpx.MockTransport(handler)


async def test_each_person_stays_on_one_replica_and_people_are_spread() -> None:
    seen: list[str] = []
    client = RasaClient(
        httpx.AsyncClient(transport=_answering(set(), seen, httpx.ConnectError)), _REPLICAS
    )
    people = [f"u{i}" for i in range(60)]
    for person in people * 2:
        await client.send(person, "hi", {})
    first, again = seen[:60], seen[60:]
    assert first == again  # the same replica for the same person, every time
    assert {base: first.count(base) for base in _REPLICAS} == {
        base: pytest.approx(20, abs=10) for base in _REPLICAS
    }


@pytest.mark.parametrize(
    "error", [httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.ConnectTimeout]
)
async def test_an_unanswered_request_goes_to_the_next_replica(
    error: type[httpx.RequestError],
) -> None:
    seen: list[str] = []
    probe = RasaClient(httpx.AsyncClient(), _REPLICAS)
    own, second = probe.replicas_for("u1")[:2]
    client = RasaClient(httpx.AsyncClient(transport=_answering({own}, seen, error)), _REPLICAS)
    messages = await client.send("u1", "hi", {})
    assert seen == [own, second]
    assert messages[0].text == f"from {httpx.URL(second).host}"
    # The dead replica is asked last for a while: no wait on it for the next message.
    seen.clear()
    await client.send("u1", "again", {})
    assert seen == [second]


async def test_a_slow_replica_is_not_asked_twice() -> None:
    seen: list[str] = []
    client = RasaClient(
        httpx.AsyncClient(transport=_answering(set(_REPLICAS), seen, httpx.ReadTimeout)),
        _REPLICAS,
    )
    with pytest.raises(RasaDown):
        await client.send("u1", "hi", {})
    assert len(seen) == 1  # it may still answer: the message is not handled twice


async def test_every_replica_down_is_rasa_down() -> None:
    seen: list[str] = []
    client = RasaClient(
        httpx.AsyncClient(transport=_answering(set(_REPLICAS), seen, httpx.ConnectError)),
        _REPLICAS,
    )
    with pytest.raises(RasaDown):
        await client.send("u1", "hi", {})
    assert sorted(seen) == sorted(_REPLICAS)
