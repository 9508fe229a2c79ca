"""Rasa's endpoint requests reuse one connection, and still send what Rasa sends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from harness.local_site import serve
from rasa_server.endpoint_sessions import (
    close_kept_sessions,
    closing_kept_sessions,
    kept_session,
)


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[int]]]:
    """An echo endpoint that records the client port of every request."""
    ports: list[int] = []

    async def echo(request: web.Request) -> web.Response:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        ports.append(peer[1] if peer else -1)
        if request.query.get("fail"):
            return web.Response(status=500, text="boom")
        return web.json_response(
            {
                "body": await request.json(),
                "auth": request.headers.get("Authorization"),
                "custom": request.headers.get("X-Custom"),
                "token": request.query.get("token"),
            }
        )

    app = web.Application()
    app.router.add_post("/webhook", echo)
    runner, port = await serve(app)
    yield f"http://127.0.0.1:{port}/webhook", ports
    await runner.cleanup()


def _endpoint(url: str) -> EndpointConfig:
    return EndpointConfig(
        url,
        headers={"X-Custom": "1"},
        basic_auth={"username": "u", "password": "p"},
        token="t0ken",
    )


async def test_one_connection_and_the_same_request(
    server: tuple[str, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, ports = server
    answers = [await _endpoint(url).request(json={"n": 1}, method="post") for _ in range(2)]
    stock_ports = list(ports)
    ports.clear()

    monkeypatch.setattr(EndpointConfig, "session", kept_session(EndpointConfig.session))
    endpoint = _endpoint(url)
    kept = [await endpoint.request(json={"n": 1}, method="post") for _ in range(5)]

    assert len(set(stock_ports)) == 2  # Rasa's own: a new connection for every request
    assert len(set(ports)) == 1  # kept: one connection for all five
    assert kept == [answers[0]] * 5
    assert answers[0]["auth"].startswith("Basic ") and answers[0]["custom"] == "1"
    assert answers[0]["token"] == "t0ken" and answers[0]["body"] == {"n": 1}

    with pytest.raises(ClientResponseError):  # errors are raised as before
        await endpoint.request(json={}, method="post", params={"fail": "1"})
    assert (await endpoint.request(json={"n": 2}, method="post"))["body"] == {"n": 2}
    await close_kept_sessions()


async def test_sessions_are_closed_with_rasas_resources(
    server: tuple[str, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(EndpointConfig, "session", kept_session(EndpointConfig.session))
    endpoint = _endpoint(server[0])
    await endpoint.request(json={}, method="post")
    async with endpoint.session() as session:
        assert not session.closed
    closed: list[bool] = []

    async def rasas_own(app: object, loop: object) -> None:
        closed.append(session.closed)

    await closing_kept_sessions(rasas_own)(object(), asyncio.get_running_loop())
    assert closed == [False] and session.closed
