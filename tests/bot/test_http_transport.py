"""The aiohttp transport behaves like httpx's own: same responses, same exceptions."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web

from bot.http_transport import TRANSPORTS, AiohttpTransport, async_client, transport
from harness.local_site import serve


async def _echo(request: web.Request) -> web.Response:
    body = await request.read()
    seen = {
        "method": request.method,
        "path": request.path_qs,
        "body": body.decode(),
        "content_type": request.headers.get("Content-Type"),
        "x_twice": request.headers.getall("X-Twice", []),
    }
    return web.json_response(seen, headers={"X-Reply": "yes"})


async def _gzipped(_: web.Request) -> web.Response:
    body = gzip.compress("žluťoučký кінь".encode() * 50)
    return web.Response(body=body, headers={"Content-Encoding": "gzip"})


async def _slow(_: web.Request) -> web.Response:
    await asyncio.sleep(2)
    return web.Response(text="late")


async def _moved(_: web.Request) -> web.Response:
    raise web.HTTPFound("/echo")


async def _close(request: web.Request) -> web.StreamResponse:
    assert request.transport is not None
    request.transport.close()  # hang up without an answer
    return web.Response()


async def _status(request: web.Request) -> web.Response:
    return web.Response(status=int(request.match_info["code"]))


@pytest.fixture
async def base_url() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_route("*", "/echo", _echo)
    app.router.add_get("/gzip", _gzipped)
    app.router.add_get("/slow", _slow)
    app.router.add_get("/moved", _moved)
    app.router.add_get("/close", _close)
    app.router.add_get("/status/{code}", _status)
    runner, port = await serve(app)
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_same_response_as_httpx_own_transport(base_url: str) -> None:
    results = []
    for name in ("aiohttp", "httpx"):
        async with async_client(name) as client:
            response = await client.post(
                f"{base_url}/echo?a=1&b=ž",
                json={"text": "Привіт, jak se máš?"},
                headers=[("X-Twice", "1"), ("X-Twice", "2")],
            )
            results.append((response.status_code, response.headers["X-Reply"], response.json()))
    assert results[0] == results[1]
    status, reply, seen = results[0]
    assert (status, reply) == (200, "yes")
    assert seen["method"] == "POST" and seen["x_twice"] == ["1", "2"]
    assert json.loads(seen["body"]) == {"text": "Привіт, jak se máš?"}
    assert seen["content_type"] == "application/json"


async def test_form_data_and_empty_bodies(base_url: str) -> None:
    async with async_client("aiohttp") as client:
        form = (await client.post(f"{base_url}/echo", data={"chat_id": "7", "text": "a b"})).json()
        empty = (await client.get(f"{base_url}/echo")).json()
    assert form["body"] == "chat_id=7&text=a+b"
    assert empty["method"] == "GET" and empty["body"] == ""


async def test_compressed_response_is_decoded_once(base_url: str) -> None:
    async with async_client("aiohttp") as client:
        response = await client.get(f"{base_url}/gzip")
    assert response.text == "žluťoučký кінь" * 50


async def test_redirects_are_left_to_httpx(base_url: str) -> None:
    async with async_client("aiohttp") as client:
        assert (await client.get(f"{base_url}/moved")).status_code == 302
        followed = await client.get(f"{base_url}/moved", follow_redirects=True)
    assert followed.json()["path"] == "/echo"


@pytest.mark.parametrize("code", [403, 429, 502])
async def test_error_statuses_are_responses(base_url: str, code: int) -> None:
    async with async_client("aiohttp") as client:
        assert (await client.get(f"{base_url}/status/{code}")).status_code == code


@pytest.mark.parametrize("name", TRANSPORTS)
async def test_failures_raise_the_httpx_exceptions(base_url: str, name: str) -> None:
    async with async_client(name, timeout=httpx.Timeout(5, read=0.2)) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get(f"{base_url}/slow")
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get(f"{base_url}/close")
        with pytest.raises(httpx.ConnectError):
            await client.get("http://127.0.0.1:9/")  # nothing listens on the discard port
        # The client still works after failures.
        assert (await client.get(f"{base_url}/echo")).status_code == 200


async def test_transport_reopens_after_close(base_url: str) -> None:
    # python-telegram-bot shuts its client down and builds a new one on the same transport.
    shared = AiohttpTransport()
    for _ in range(2):
        async with httpx.AsyncClient(transport=shared) as client:
            assert (await client.get(f"{base_url}/echo")).status_code == 200


def test_unknown_transport_is_refused() -> None:
    assert transport("httpx") is None
    with pytest.raises(ValueError, match="unknown HTTP transport"):
        transport("curl")
