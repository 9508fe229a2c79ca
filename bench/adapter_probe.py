"""The adapter's own CPU time per message, without Rasa: the adapter against stand-ins.

Usage: .venv-app/bin/python -m bench.adapter_probe [--rate 30] [--seconds 20] [--runs 3]

Starts the real adapter (``python -m bot``, polling, SQLite store) against the Bot API
stand-in and a Rasa stand-in that answers every message at once with a real topic answer
(the text and buttons the action server would send, composed from content/), offers a
steady load of typed messages, each from a new person, and prints the CPU time the
adapter process spent per answered message. Rasa's own CPU and latency are out of the
picture, so an A/B comparison of the adapter holds on a machine that other jobs keep busy
(the whole pipeline, bench/pipeline_bench.py, collapses there). ``--profile`` also records
a py-spy profile (speedscope) of the adapter during the last run.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import web

from bench.pipeline_bench import cpu_seconds
from harness.bot_api import TOKEN, BotApiStandIn, Updates
from harness.local_site import serve
from harness.nlu_metrics import load_heldout
from harness.stack import APP_PYTHON, REPO_ROOT, free_port
from poradnyk.compose import topic_reply
from poradnyk.content import known_topics, load_content

__all__ = ["RasaStandIn", "main", "probe"]


class RasaStandIn:
    """Answers Rasa's routes the adapter calls, with topic answers in rotation."""

    def __init__(self) -> None:
        content = load_content(REPO_ROOT / "content", known_topics(REPO_ROOT))
        self._answers = itertools.cycle(
            [
                {
                    "text": reply.text,
                    "buttons": [{"title": b.title, "payload": b.payload} for b in reply.buttons],
                }
                for reply in (topic_reply(content, name, "uk", None) for name in content.topics)
            ]
        )
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        """Listen on a free port."""
        app = web.Application()
        app.router.add_get("/status", self._status)
        app.router.add_post("/model/parse", self._parse)
        app.router.add_post("/webhooks/rest/webhook", self._webhook)
        app.router.add_delete("/poradnyk/conversations/{sender}", self._deleted)
        app.router.add_post("/poradnyk/purge", self._deleted)
        self._runner, self.port = await serve(app)

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _status(self, request: web.Request) -> web.Response:
        return web.json_response({"model_file": "stand-in.tar.gz"})

    async def _parse(self, request: web.Request) -> web.Response:
        text = (await request.json()).get("text", "")
        return web.json_response({"text": text, "intent": {"name": "nlu_fallback"}})

    async def _webhook(self, request: web.Request) -> web.Response:
        sender = (await request.json())["sender"]
        return web.json_response([{"recipient_id": sender, **next(self._answers)}])

    async def _deleted(self, request: web.Request) -> web.Response:
        return web.json_response({"deleted": 0})


def _start_adapter(
    data_dir: Path, api: BotApiStandIn, rasa: RasaStandIn
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "RASA_URL": f"http://127.0.0.1:{rasa.port}",
        "RASA_API_TOKEN": secrets.token_hex(16),
        "PORADNYK_DATA_DIR": str(data_dir),
        "RASA_TRACKER_DB": str(data_dir / "trackers.sqlite3"),
        "PORADNYK_DATABASE_URL": "",
        "PORADNYK_TELEGRAM_MAX_RATE": "1000",
        "PORADNYK_USER_RATE_LIMIT": "1000",
        "PORADNYK_HEALTH_PORT": str(free_port()),
        # "typing..." goes out only when an answer takes over a second, which on a busy
        # machine depends on the other jobs, not on the adapter: kept out of the figure.
        "PORADNYK_TYPING_AFTER": "60",
    }
    with (data_dir / "adapter.log").open("ab") as log:
        return subprocess.Popen(
            [str(APP_PYTHON), "-m", "bot"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


async def _load(api: BotApiStandIn, rate: float, seconds: float, users: itertools.count[int],
                texts: itertools.cycle[str]) -> int:  # fmt: skip
    """Offer ``rate`` messages a second for ``seconds``; the number answered."""

    async def ask(user: int, text: str) -> bool:
        api.push(Updates.text(user, text, language_code="uk"))
        return await api.first_send(user, 15) is not None

    start, tasks = time.monotonic(), []
    for i in range(max(1, int(rate * seconds))):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(ask(next(users), next(texts))))
    return sum(await asyncio.gather(*tasks))


async def probe(rate: float, seconds: float, runs: int, profile: Path | None) -> list[float]:
    """Adapter CPU ms per answered message, one figure per run."""
    texts = itertools.cycle([e.text for e in load_heldout() if e.intent != "out_of_scope"])
    users = itertools.count(20_000_000)
    api, rasa = BotApiStandIn(), RasaStandIn()
    await api.start()
    await rasa.start()
    figures: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        adapter = _start_adapter(Path(tmp), api, rasa)
        try:
            deadline = time.monotonic() + 120
            while not api.calls_of("deleteWebhook"):
                if adapter.poll() is not None or time.monotonic() > deadline:
                    log = (Path(tmp) / "adapter.log").read_text(errors="replace")
                    raise RuntimeError(f"adapter did not start:\n{log[-3000:]}")
                await asyncio.sleep(0.2)
            await _load(api, rate, 3, users, texts)  # warm-up
            for run in range(runs):
                spy = None
                if profile is not None and run == runs - 1:
                    spy = _py_spy(adapter.pid, profile, seconds)
                before, typing = cpu_seconds(adapter.pid), len(api.calls_of("sendChatAction"))
                answered = await _load(api, rate, seconds, users, texts)
                spent = cpu_seconds(adapter.pid) - before
                typing = len(api.calls_of("sendChatAction")) - typing
                figures.append(spent * 1000 / max(1, answered))
                note = f"{answered} answered, {typing} typing indicators"
                print(f"  run {run + 1}: adapter {figures[-1]:.2f} ms CPU per message ({note})",
                      file=sys.stderr, flush=True)  # fmt: skip
                if spy is not None:
                    spy.wait()
        finally:
            adapter.terminate()
            adapter.wait(timeout=20)
            await rasa.stop()
            await api.stop()
    return figures


def _py_spy(pid: int, out: Path, seconds: float) -> subprocess.Popen[bytes]:
    spy = Path(sys.executable).parent / "py-spy"
    cmd = [str(spy), "record", "--pid", str(pid), "--rate", "200", "--format", "speedscope",
           "--nonblocking", "--duration", str(int(seconds)), "-o", str(out)]  # fmt: skip
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=30)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", type=Path, help="py-spy speedscope file of the last run")
    args = parser.parse_args()
    figures = asyncio.run(probe(args.rate, args.seconds, args.runs, args.profile))
    runs = ", ".join(f"{f:.2f}" for f in figures)
    print(f"adapter CPU ms per message at {args.rate:g} msg/s: "
          f"median {statistics.median(figures):.2f} (runs: {runs})")  # fmt: skip


if __name__ == "__main__":
    main()
