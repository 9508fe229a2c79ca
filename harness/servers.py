"""Throwaway PostgreSQL and Redis servers for tests and benchmarks.

Debian's packages (``postgresql``, ``redis-server``; ``./test`` installs them) provide the
binaries; each server here is our own process on a free port with its data in a fresh
temporary folder, never the packages' system services. PostgreSQL refuses to run as root,
so as root the cluster belongs to the ``postgres`` user the package creates.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness.stack import free_port

__all__ = ["Postgres", "Redis", "ServersMissing", "start_postgres", "start_redis"]


class ServersMissing(RuntimeError):
    """The Debian packages are not installed (``./test`` installs them as root)."""


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise ServersMissing(
            "PostgreSQL is not installed: apt-get install postgresql (./test does it as root)"
        )
    return found[-1].parent


def _as_owner(cmd: list[str]) -> list[str]:
    """Run ``cmd`` as the cluster's owner: ``postgres`` when we are root."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@dataclass
class Postgres:
    """A PostgreSQL cluster of our own; its superuser is ``poradnyk`` (trust, 127.0.0.1)."""

    data_dir: Path
    port: int
    bin_dir: Path
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.data_dir.parent / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        """A URL for ``database`` (libpq, Django and SQLAlchemy all read it)."""
        return f"postgresql://poradnyk@127.0.0.1:{self.port}/{database}"

    @property
    def pid(self) -> int:
        """The postmaster's process id (the backends are its children)."""
        return int((self.data_dir / "postmaster.pid").read_text().split()[0])

    def create_database(self, name: str) -> str:
        """Create an empty database; returns its URL."""
        subprocess.run(
            [str(self.bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
             "-U", "poradnyk", name],
            check=True, capture_output=True, timeout=30,
        )  # fmt: skip
        return self.url(name)

    def _pg_ctl(self, *args: str, timeout: float = 60) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.data_dir} -c max_connections=300 "
            # Throwaway data: no waiting for the disk.
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        subprocess.run(
            _as_owner([str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-l",
                       str(self.log), "-w", "-t", str(int(timeout)), "-o", options, *args]),
            check=True, capture_output=True, timeout=timeout + 10,
        )  # fmt: skip

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self._pg_ctl("start")

    def stop(self, mode: str = "fast") -> None:
        """Stop it (``immediate`` is as abrupt as a crash: no checkpoint)."""
        self._pg_ctl("stop", "-m", mode)

    def restart(self, mode: str = "fast") -> None:
        """Stop (every client connection is cut) and start again on the same port."""
        self.stop(mode)
        self.start()

    def remove(self) -> None:
        """Stop it if it runs and delete its files."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)


def start_postgres() -> Postgres:
    """initdb a fresh cluster in a temporary folder and start it on a free port."""
    bin_dir = _postgres_bin()
    base = Path(tempfile.mkdtemp(prefix="poradnyk-pg-"))
    data_dir = base / "data"
    data_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(data_dir, "postgres")
    subprocess.run(
        _as_owner([str(bin_dir / "initdb"), "-D", str(data_dir), "-U", "poradnyk",
                   "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"]),
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    for attempt in range(3):
        server = Postgres(data_dir, free_port(), bin_dir)
        try:
            server.start()
            return server
        except subprocess.CalledProcessError:
            if attempt == 2:
                raise RuntimeError(f"PostgreSQL did not start:\n{server.log.read_text()}") from None
    raise AssertionError("unreachable")


def _redis_binary() -> str:
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if found is None:
        raise ServersMissing(
            "Redis is not installed: apt-get install redis-server (./test does it as root)"
        )
    return found


@dataclass
class Redis:
    """A redis-server of our own, in memory only (nothing saved to disk)."""

    port: int
    dir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """The server's process id."""
        return self.process.pid if self.process is not None else 0

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:<port>/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start it and wait until it answers PING."""
        log = (self.dir / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [_redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.dir)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start:\n{(self.dir / 'redis.log').read_text()}")

    def stop(self) -> None:
        """Stop it (what it held, Rasa's locks, is gone)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def restart(self) -> None:
        """Stop and start again on the same port."""
        self.stop()
        self.start()

    def remove(self) -> None:
        """Stop it and delete its folder."""
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def start_redis() -> Redis:
    """A redis-server on a free port."""
    _redis_binary()
    server = Redis(free_port(), Path(tempfile.mkdtemp(prefix="poradnyk-redis-")))
    server.start()
    return server
