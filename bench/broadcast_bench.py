"""Benchmark of broadcasts (prints a table; not a test).

    .venv-app/bin/python -m bench.broadcast_bench [--subscribers 10000] [--rate 20]

The action server, Rasa and the Telegram adapter (its own process, polling the Bot API
stand-in, with ``PORADNYK_BROADCAST_RATE=--rate`` under Telegram's 30 per second) on a
fresh database. First ``--questions`` questions are asked one a second with nothing else
going on; then an announcement for ``--subscribers`` subscribers is handed over (as the
console does on approval) and the same questions are asked, one a second, while it is
sent. Measured at the stand-in: the time from hand-over to the last subscriber's message,
the most sends in any second, and the answer latency (push to first reply) of questions.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from harness.adapter import Adapter
from harness.bot_api import BotApiStandIn
from harness.broadcasts import max_per_window, seed_subscribers
from harness.stack import start_stack

_ids = itertools.count(550_000_001)
QUESTION = "Як продовжити тимчасовий захист?"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _ask(adapter: Adapter, count: int, until: asyncio.Event | None = None) -> list[float]:
    latencies: list[float] = []
    for _ in range(count):
        if until is not None and until.is_set():
            break
        timing = await adapter.ask(next(_ids), QUESTION, timeout=30)
        if timing is not None:
            latencies.append(timing[1])
        await asyncio.sleep(1.0)
    return latencies


async def run(subscribers: int, rate: float, questions: int) -> None:
    """Run the benchmark and print its table."""
    work = Path(tempfile.mkdtemp(prefix="poradnyk-broadcast-bench-"))
    os.environ["PORADNYK_DATABASE_URL"] = f"sqlite:///{work / 'poradnyk.sqlite3'}"
    os.environ.setdefault("PORADNYK_SECRET_KEY", "bench-only-not-secret")
    from store.api import Pseudonyms, Store, setup_django  # noqa: PLC0415

    await asyncio.to_thread(setup_django)
    stack = await asyncio.to_thread(start_stack, work / "stack")
    api = BotApiStandIn()
    await api.start()
    env = {
        "PORADNYK_BROADCAST_RATE": str(rate),
        "PORADNYK_QUIET_HOURS": "off",
        "PORADNYK_BROADCAST_POLL": "0.5",
    }
    adapter = Adapter(stack, api, max_rate=30, extra_env=env)
    try:
        await adapter.ready()
        quiet = await _ask(adapter, questions)
        users = [next(_ids) for _ in range(subscribers)]
        chosen = set(users)
        pseudonyms = Pseudonyms(stack.data_dir)
        await asyncio.to_thread(seed_subscribers, users, pseudonyms.of, "special_residence")
        texts = {
            lang: f"Announcement ({lang}): details on ipc.gov.cz" for lang in ("cs", "uk", "en")
        }
        started = time.monotonic()
        now = datetime.now(timezone.utc)
        await asyncio.to_thread(
            lambda: Store().add_broadcast("announcement:bench", ["special_residence"], texts, now)
        )
        done = asyncio.Event()
        asking = asyncio.create_task(_ask(adapter, 10**6, done))
        for user in users:
            await api.wait_sent(user, 1, timeout=3600)
        took = time.monotonic() - started
        done.set()
        during = await asking
        sends = [c.at for c in api.calls_of("sendMessage") if int(c.params["chat_id"]) in chosen]
        every = [c.at for c in api.calls_of("sendMessage")]
        twice = len(sends) - len({int(c.params["chat_id"]) for c in api.calls_of("sendMessage")
                                  if int(c.params["chat_id"]) in chosen})  # fmt: skip
    finally:
        adapter.service.stop()
        await api.stop()
        stack.stop()
    print(f"\nBroadcast to {subscribers:,} subscribers, PORADNYK_BROADCAST_RATE={rate:g}\n")
    print("| measure | value |")
    print("|---|---|")
    print(f"| time to deliver to all | {took:.1f} s |")
    print(f"| messages per second (average) | {subscribers / took:.1f} |")
    print(f"| most broadcast sends in any second | {max_per_window(sends)} |")
    print(f"| most sends of any kind in any second | {max_per_window(every)} |")
    print(f"| sent twice | {twice} |")
    print(f"| answer p50 / p95, nothing else sent (ms, {len(quiet)} questions) "
          f"| {statistics.median(quiet):.0f} / {_pct(quiet, 0.95):.0f} |")  # fmt: skip
    print(f"| answer p50 / p95 during the broadcast (ms, {len(during)} questions) "
          f"| {statistics.median(during):.0f} / {_pct(during, 0.95):.0f} |")  # fmt: skip


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--questions", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(run(args.subscribers, args.rate, args.questions))


if __name__ == "__main__":
    main()
