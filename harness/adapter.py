"""The Telegram adapter as its own process (its own venv): polling the Bot API stand-in,
or in webhook mode (``TELEGRAM_WEBHOOK_URL`` in ``extra_env``) behind a proxy."""

from __future__ import annotations

import asyncio
import subprocess
import time

from harness.bot_api import TOKEN, BotApiStandIn, Updates
from harness.stack import APP_PYTHON, REPO_ROOT, Service, Stack, free_port
from poradnyk.compose import Reply
from poradnyk.content import known_topics, load_content

__all__ = ["Adapter", "Timing"]

Timing = tuple[float, float]
"""ms from hand-out (or request) and from the push."""


def _plain_start(reply_text: str) -> str:
    """The first characters of a text as Telegram HTML shows them (no markup in them)."""
    return reply_text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")[:40]


class Adapter:
    """The Telegram adapter as its own process, polling the stand-in."""

    def __init__(
        self,
        stack: Stack,
        api: BotApiStandIn,
        max_rate: float,
        extra_env: dict[str, str] | None = None,
        name: str = "adapter",
    ) -> None:
        content = load_content(REPO_ROOT / "content", known_topics(REPO_ROOT))
        # The fallback served when Rasa cannot answer in time: counted as an error.
        self.fallback = _plain_start(Reply(content.text("service_down", "uk")).text)
        env = {
            **stack.env,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "RASA_URL": stack.rasa_url,
            "PORADNYK_TELEGRAM_MAX_RATE": str(max_rate),
            "PORADNYK_USER_RATE_LIMIT": "1000",
            # Its own health port: ./test exports the default (8081) for every process,
            # and several adapters run at once (replicas).
            "PORADNYK_HEALTH_PORT": str(free_port()),
            **(extra_env or {}),
        }
        self.env = env
        # Ready once it polls, or once it has set its webhook (calls from now on only).
        self._ready_call = "setWebhook" if env.get("TELEGRAM_WEBHOOK_URL") else "deleteWebhook"
        self._calls_before = len(api.calls)
        log = stack.data_dir / f"{name}.log"
        with log.open("ab") as fh:
            process = subprocess.Popen(
                [str(APP_PYTHON), "-m", "bot"],
                cwd=REPO_ROOT,
                env=env,
                stdout=fh,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.service = Service(name, process, log)
        self.api = api

    async def ready(self, timeout: float = 120) -> None:
        """Wait until the adapter polls for updates (or receives them by webhook)."""
        deadline = time.monotonic() + timeout
        while not any(c.method == self._ready_call for c in self.api.calls[self._calls_before :]):
            if time.monotonic() > deadline or self.service.process.poll() is not None:
                raise RuntimeError(f"adapter did not start:\n{self.service.tail()}")
            await asyncio.sleep(0.2)

    async def ask(self, user: int, text: str, timeout: float = 15) -> Timing | None:
        """Latency (ms) from getUpdates handing out the message, and from its push."""
        pushed = time.monotonic()
        update_id = self.api.push(Updates.text(user, text, language_code="uk"))
        answered = await self.api.first_send(user, timeout)
        if answered is None or update_id not in self.api.handed_out:
            return None
        if self.api.first_sent_text.get(user, "").startswith(self.fallback):
            return None
        return (answered - self.api.handed_out[update_id]) * 1000, (answered - pushed) * 1000
