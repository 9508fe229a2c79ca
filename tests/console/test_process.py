"""The console as its own process (``console.process.start_console``, used by the tests
and the benchmark): a port another server takes first is not the end of the start."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from console import process
from harness.stack import REPO_ROOT


def test_a_port_taken_before_gunicorn_binds_it_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        free = process._free_port

        def ports() -> Iterator[int]:
            yield busy  # as if another server had taken it since it was looked at
            while True:
                yield free()

        offered = ports()
        monkeypatch.setattr(process, "_free_port", lambda: next(offered))
        server = process.start_console(tmp_path / "data", REPO_ROOT / "content")
        try:
            assert not server.url.endswith(f":{busy}")
            assert httpx.get(f"{server.url}/healthz", timeout=5).text == "ok"
            assert "Address already in use" in server.tail(100_000)
        finally:
            server.stop()
