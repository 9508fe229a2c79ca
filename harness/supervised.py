"""The whole system under supervisord, as ``./run`` starts it, against the Bot API stand-in.

For the chaos test: every process of ``scripts/supervisord.conf`` (actions, Rasa, the
console, the adapter) on free ports with its own data folder, and the pid of each, so
that a test can kill one with -9 and watch supervisord bring it back.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from harness.bot_api import TOKEN
from harness.stack import APP_PYTHON, MODEL, REPO_ROOT, free_port

__all__ = ["Supervised", "start_supervised"]

_SUPERVISORD = APP_PYTHON.parent / "supervisord"
_SUPERVISORCTL = APP_PYTHON.parent / "supervisorctl"


@dataclass
class Supervised:
    """A running supervisord and its environment."""

    process: subprocess.Popen[bytes]
    env: dict[str, str]
    data_dir: Path

    def pid(self, program: str) -> int:
        """The pid of one program (0 while it is not running)."""
        out = subprocess.run(
            [str(_SUPERVISORCTL), "-c", str(REPO_ROOT / "scripts" / "supervisord.conf"), "pid",
             program],
            env=self.env, capture_output=True, text=True, check=False, timeout=20,
        ).stdout.strip()  # fmt: skip
        return int(out) if out.isdigit() else 0

    def kill(self, program: str) -> int:
        """kill -9 of one program; returns the pid killed."""
        pid = self.pid(program)
        if pid:
            os.kill(pid, signal.SIGKILL)
        return pid

    def log(self) -> str:
        """All processes' output."""
        path = Path(self.env["PORADNYK_PROCESS_LOG"])
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Stop supervisord and everything under it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_supervised(
    data_dir: Path,
    api_base_url: str,
    wait_for_program: str = "bot",
    stores: dict[str, str] | None = None,
) -> Supervised:
    """Start supervisord with every program; returns once ``wait_for_program`` runs.

    ``stores``: the database and Redis URLs (harness/backends.py); by default a SQLite
    file in ``data_dir`` and in-memory locks, as ``./run`` without settings."""
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "log").mkdir(exist_ok=True)
    action_port = free_port()
    env = {
        **os.environ,
        "PORADNYK_ROOT": str(REPO_ROOT),
        "PORADNYK_DATA_DIR": str(data_dir),
        "PORADNYK_DATABASE_URL": f"sqlite:///{data_dir / 'poradnyk.sqlite3'}",
        "PORADNYK_REDIS_URL": "",
        "PORADNYK_PROCESS_LOG": str(data_dir / "log" / "services.log"),
        "PORADNYK_START_BOT": "true",
        "PORADNYK_CONSOLE_PORT": str(free_port()),
        "PORADNYK_HEALTH_PORT": str(free_port()),
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(action_port),
        "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
        "RASA_TRACKER_DB": str(data_dir / "conversations.sqlite3"),
        "RASA_MODEL": str(MODEL),
        "RASA_API_TOKEN": secrets.token_hex(16),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api_base_url,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "PYTHONWARNINGS": "ignore",
        "PORADNYK_USER_RATE_LIMIT": "1000",
        **(stores or {}),
    }
    env.pop("PORADNYK_SECRET_KEY", None)
    process = subprocess.Popen(
        [str(_SUPERVISORD), "-c", str(REPO_ROOT / "scripts" / "supervisord.conf")],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    running = Supervised(process, env, data_dir)
    deadline = time.monotonic() + 60
    while not running.pid(wait_for_program):
        if process.poll() is not None or time.monotonic() > deadline:
            running.stop()
            raise RuntimeError(f"supervisord did not start {wait_for_program}:\n{running.log()}")
        time.sleep(0.5)
    return running
