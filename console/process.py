"""The console as its own process, for the browser tests, the end-to-end test and the
benchmark: gunicorn on a free port of 127.0.0.1 with its own data, database and content.

Also a small staff client over HTTP (log-in, the editor's form as a browser sends it), so
those runs go through the same pages, CSRF tokens and cookies as a person.
"""

from __future__ import annotations

import html
import os
import re
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx

__all__ = ["ConsoleServer", "StaffClient", "editor_fields", "start_console"]

ROOT = Path(__file__).resolve().parent.parent
APP_BIN = ROOT / ".venv-app" / "bin"
_CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ConsoleServer:
    """A running console: its address, environment and log."""

    url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path

    def manage(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """Run ``python -m console ARGS`` against this console's database."""
        return subprocess.run(
            [str(APP_BIN / "python"), "-m", "console", *args],
            input=stdin,
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )

    def adduser(self, name: str, role: str, password: str) -> None:
        """``bin/staff adduser NAME --role ROLE`` with the password on standard input."""
        self.manage("adduser", name, "--role", role, "--password-stdin", stdin=password + "\n")

    def tail(self, chars: int = 3000) -> str:
        """The end of its log."""
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def stop(self) -> None:
        """Stop gunicorn and its workers."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_console(
    data_dir: Path, content_dir: Path, workers: int = 1, extra_env: dict[str, str] | None = None
) -> ConsoleServer:
    """Migrate a fresh database in ``data_dir`` and start gunicorn, as supervisord does."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = {
        **os.environ,
        "PORADNYK_DATA_DIR": str(data_dir),
        "PORADNYK_DATABASE_URL": f"sqlite:///{data_dir / 'console.sqlite3'}",
        "PORADNYK_CONTENT_DIR": str(content_dir),
        "PORADNYK_SECRET_KEY": secrets.token_urlsafe(32),
        "PORADNYK_CONSOLE_HOSTS": "127.0.0.1,localhost",
        "PORADNYK_CONSOLE_PORT": str(port),
        "PYTHONWARNINGS": "ignore",
        **(extra_env or {}),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [str(APP_BIN / "python"), "-m", "console", "migrate", "--no-input", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    log = data_dir / "console.log"
    # The free port is only free when it was looked at: another server starting at the
    # same moment can take it first. Then gunicorn gives up, and another port is tried.
    for _attempt in range(3):
        start = log.stat().st_size if log.exists() else 0
        server = _launch(env, workers, log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                break
            try:
                if httpx.get(f"{server.url}/healthz", timeout=2).text == "ok":
                    return server
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            server.stop()
            raise RuntimeError(f"the console did not start:\n{server.tail()}")
        if b"Address already in use" not in log.read_bytes()[start:]:
            break
        env = {**env, "PORADNYK_CONSOLE_PORT": str(_free_port())}
    raise RuntimeError(f"the console exited:\n{server.tail()}")


def _launch(env: dict[str, str], workers: int, log: Path) -> ConsoleServer:
    port = env["PORADNYK_CONSOLE_PORT"]
    with log.open("ab") as fh:
        process = subprocess.Popen(
            [str(APP_BIN / "gunicorn"), "console.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--access-logfile", "-"],
            cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    return ConsoleServer(f"http://127.0.0.1:{port}", env, process, log)


class _FormFields(HTMLParser):
    """The values a browser would send for the form ``form_id`` (submit buttons aside)."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.fields: list[tuple[str, str]] = []
        self._inside = False
        self._textarea: list[str] | None = None
        self._select: str | None = None

    def _ours(self, attrs: dict[str, str | None]) -> bool:
        return self._inside or attrs.get("form") == self.form_id

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attrs_list)
        name = attrs.get("name") or ""
        if tag == "form" and attrs.get("id") == self.form_id:
            self._inside = True
        elif tag == "input" and name and self._ours(attrs) and attrs.get("type") != "submit":
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            if "disabled" not in attrs:
                self.fields.append((name, attrs.get("value") or ""))
        elif tag == "textarea" and name and self._ours(attrs):
            self._textarea = [name, ""]
        elif tag == "select" and name and self._ours(attrs):
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea:
            # Browsers drop the one line break that follows <textarea>.
            self.fields.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data


def editor_fields(page: str, form_id: str = "editor") -> dict[str, list[str]]:
    """The fields of an editor page's form, as a browser would send them."""
    parser = _FormFields(form_id)
    parser.feed(page)
    fields: dict[str, list[str]] = {}
    for name, value in parser.fields:
        fields.setdefault(name, []).append(html.unescape(value))
    return fields


@dataclass
class StaffClient:
    """One staff member's browser session, over HTTP."""

    base_url: str
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.base_url, follow_redirects=False, timeout=30)

    def token(self, path: str) -> str:
        """A CSRF token from a page."""
        found = _CSRF_RE.search(self.client.get(path).text)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def login(self, name: str, password: str) -> None:
        """Log in through the log-in page."""
        token = self.token("/login/")
        response = self.client.post(
            "/login/", data={"username": name, "password": password, "csrfmiddlewaretoken": token}
        )
        assert response.status_code == 302, response.status_code

    def post(self, path: str, data: dict[str, Any], page: str | None = None) -> httpx.Response:
        """POST a form with the CSRF token of ``page`` (default: ``path``)."""
        token = self.token(page or path)
        return self.client.post(path, data={**data, "csrfmiddlewaretoken": token})

    def close(self) -> None:
        """Close the connection."""
        self.client.close()
