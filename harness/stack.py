"""Starts the real action server and Rasa server on free ports for integration tests."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

__all__ = [
    "APP_PYTHON",
    "MODEL",
    "RASA_PYTHON",
    "REPO_ROOT",
    "Service",
    "Stack",
    "free_port",
    "start_stack",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
MODEL = REPO_ROOT / "models" / "poradnyk.tar.gz"
RASA_PYTHON = REPO_ROOT / ".venv" / "bin" / "python"
"""Rasa and the action server run on Python 3.10 (scripts/setup.sh)."""
APP_PYTHON = REPO_ROOT / ".venv-app" / "bin" / "python"
"""The adapter and the console run on Python 3.12+."""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Service:
    """A started process with its log file."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop the process (and its children)."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def tail(self, chars: int = 3000) -> str:
        """The end of the log, for failure messages."""
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


@dataclass
class Stack:
    """Action server + Rasa server, and the environment to reach them."""

    env: dict[str, str]
    actions: Service
    rasa: Service
    data_dir: Path
    replicas: list[tuple[Service, str]] = field(default_factory=list)
    """More Rasa servers on the same stores (PostgreSQL and Redis), with their URLs."""

    @property
    def rasa_url(self) -> str:
        """Rasa's base URL."""
        return f"http://127.0.0.1:{self.env['RASA_PORT']}"

    @property
    def tracker_db(self) -> Path:
        """Rasa's conversation store when it is SQLite."""
        return Path(self.env["RASA_TRACKER_DB"])

    def conversation_rows(self, sender_id: str) -> int:
        """How many events Rasa keeps of one conversation (SQLite or PostgreSQL)."""
        url = self.env.get("PORADNYK_DATABASE_URL", "")
        query = "SELECT COUNT(*) FROM events WHERE sender_id = "
        if url.startswith(("postgres://", "postgresql://")):
            import psycopg  # noqa: PLC0415 - the app venv only (harness is imported by both)

            with psycopg.connect(url, autocommit=True) as connection:
                row = connection.execute(query + "%s", (sender_id,)).fetchone()
        else:
            with contextlib.closing(sqlite3.connect(self.tracker_db)) as connection:
                row = connection.execute(query + "?", (sender_id,)).fetchone()
        return int(row[0]) if row else 0

    @property
    def status_url(self) -> str:
        """Rasa's status (its API needs the token)."""
        return f"{self.rasa_url}/status?token={self.env['RASA_API_TOKEN']}"

    def start_actions(self) -> None:
        """(Re)start the action server."""
        self.actions = _start_actions(self.env, self.data_dir)
        _wait_http(f"http://127.0.0.1:{self.env['ACTION_PORT']}/health", self.actions, 60)

    def start_rasa(self) -> None:
        """(Re)start the Rasa server and wait for its model."""
        self.rasa = _start_rasa(self.env, self.data_dir)
        _wait_http(self.status_url, self.rasa, 180, want_model=True)

    @property
    def rasa_urls(self) -> list[str]:
        """Every Rasa server's base URL: the first, then the replicas."""
        return [self.rasa_url, *(url for _, url in self.replicas)]

    def stop(self) -> None:
        """Stop every server."""
        for replica, _ in self.replicas:
            replica.stop()
        self.rasa.stop()
        self.actions.stop()


def _spawn(name: str, cmd: list[str], env: dict[str, str], log_dir: Path) -> Service:
    log = log_dir / f"{name}.log"
    with log.open("ab") as fh:  # the child keeps its own handle
        process = subprocess.Popen(
            cmd, cwd=REPO_ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Service(name, process, log)


def _start_actions(env: dict[str, str], data_dir: Path) -> Service:
    cmd = [
        str(RASA_PYTHON), "-m", "rasa_sdk", "--actions", "actions", "--port", env["ACTION_PORT"],
        "--logging-config_file", "logging.yml",  # (sic: rasa_sdk spells it so)
    ]  # fmt: skip
    return _spawn("actions", cmd, env, data_dir)


def _start_rasa(env: dict[str, str], data_dir: Path, name: str = "rasa") -> Service:
    cmd = [
        str(RASA_PYTHON), "-m", "rasa_server", "run", "--enable-api", "--interface", "127.0.0.1",
        "--port", env["RASA_PORT"], "--model", env["PORADNYK_TEST_MODEL"],
        "--endpoints", env["PORADNYK_TEST_ENDPOINTS"], "--credentials", "credentials.yml",
        "--logging-config-file", "logging.yml", "--auth-token", env["RASA_API_TOKEN"],
    ]  # fmt: skip
    return _spawn(name, cmd, env, data_dir)


def _wait_http(url: str, service: Service, timeout: float, want_model: bool = False) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise RuntimeError(f"{service.name} exited:\n{service.tail()}")
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200 and (
                not want_model or response.json().get("model_file")
            ):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{service.name} did not start in {timeout} s:\n{service.tail()}")


def start_stack(
    data_dir: Path,
    model: Path = MODEL,
    endpoints: Path = REPO_ROOT / "endpoints.yml",
    extra_env: dict[str, str] | None = None,
    replicas: int = 0,
) -> Stack:
    """Start both servers with a fresh tracker store in ``data_dir``.

    ``model``, ``endpoints`` and ``extra_env`` let the benchmark start other setups;
    ``replicas`` more Rasa servers start beside the first (give them shared stores in
    ``extra_env``: PostgreSQL and Redis). A free
    port can be taken by another process between choosing and binding it: then the start
    is tried again on other ports.
    """
    for attempt in range(3):
        try:
            return _start_stack(data_dir, model, endpoints, extra_env, replicas)
        except RuntimeError as exc:
            if "address already in use" not in str(exc) or attempt == 2:
                raise
    raise AssertionError("unreachable")


def _start_stack(
    data_dir: Path,
    model: Path,
    endpoints: Path,
    extra_env: dict[str, str] | None,
    replicas: int,
) -> Stack:
    if not model.exists():
        raise RuntimeError("No trained model: run ./test (it trains the model first)")
    rasa_port, action_port = free_port(), free_port()
    (data_dir / "conversations").mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "RASA_PORT": str(rasa_port),
        "ACTION_PORT": str(action_port),
        "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
        # Not the default name: /forget and the purge must find it through Rasa.
        "RASA_TRACKER_DB": str(data_dir / "conversations" / "trackers.sqlite3"),
        "PORADNYK_DATA_DIR": str(data_dir),
        "RASA_API_TOKEN": secrets.token_hex(16),
        "SANIC_HOST": "127.0.0.1",
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "PYTHONWARNINGS": "ignore",
        "PORADNYK_TEST_MODEL": str(model),
        "PORADNYK_TEST_ENDPOINTS": str(endpoints),
        # endpoints.yml names both: the stores of this environment (a test run's, set by
        # harness/fixtures.py: SQLite and in-memory locks, or PostgreSQL and Redis) unless
        # extra_env says otherwise.
        "PORADNYK_DATABASE_URL": os.environ.get("PORADNYK_DATABASE_URL", ""),
        "PORADNYK_REDIS_URL": os.environ.get("PORADNYK_REDIS_URL", ""),
        **(extra_env or {}),
    }
    actions = _start_actions(env, data_dir)
    rasa = _start_rasa(env, data_dir)
    stack = Stack(env, actions, rasa, data_dir)
    for number in range(1, replicas + 1):  # loading their models at the same time
        port = str(free_port())
        replica = _start_rasa({**env, "RASA_PORT": port}, data_dir, f"rasa-replica{number}")
        stack.replicas.append((replica, f"http://127.0.0.1:{port}"))
    try:
        _wait_http(f"http://127.0.0.1:{action_port}/health", actions, 60)
        _wait_http(stack.status_url, rasa, 180, want_model=True)
        for replica, url in stack.replicas:
            _wait_http(f"{url}/status?token={env['RASA_API_TOKEN']}", replica, 180, True)
    except Exception:
        stack.stop()
        raise
    return stack
