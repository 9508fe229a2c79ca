"""End-to-end performance benchmark of the whole stack on this machine.

Usage: .venv/bin/python -m bench.pipeline_bench [--rates 5 30 100] [--seconds 10]
            [--soak 10000] [--cold-start] [--baseline] [--train-time] [--postgres]

Starts the real action server, Rasa server and Telegram adapter (``python -m bot``)
against a local Bot API stand-in, offers a steady load of messages from many simulated
users (a new user for every message: the worst case for the tracker store), and prints
latency (update handed out by getUpdates -> sendMessage received, and from the moment
the update reached the stand-in, which includes queueing), throughput, the same for
Rasa's REST webhook and /model/parse alone, the CPU time each process spends per message
(less sensitive to a busy shared machine than latency), resident memory of each process,
and cold start. ``--baseline`` runs the same steps, in the same run, with Rasa's default dialogue
policies (TED, UnexpecTED, Memoization, Rule) instead of rules only, and on the whole
unoptimised configuration (bench/baseline.py), and prints the ratios. ``--postgres``
runs the same steps again with every store on a throwaway PostgreSQL cluster and Rasa's
locks in a throwaway redis-server (harness/servers.py), and prints PostgreSQL / SQLite.
Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.baseline import BASELINE_ENV, baseline_model, stock_endpoints, train
from harness.adapter import Adapter, Timing
from harness.bot_api import BotApiStandIn
from harness.nlu_metrics import load_heldout
from harness.stack import MODEL, REPO_ROOT, Stack, start_stack

__all__ = [
    "LoadResult",
    "cpu_seconds",
    "main",
    "print_ratios",
    "print_tables",
    "run_benchmark",
]

_users = itertools.count(10_000_000)


@dataclass
class LoadResult:
    """Latencies of one load step."""

    name: str
    rate: float
    sent: int
    answered: int
    latencies_ms: list[float]
    duration: float
    queued_ms: list[float] = field(default_factory=list)  # from the push, with queueing
    cpu_ms: dict[str, float] = field(default_factory=dict)  # process -> CPU ms per message

    def pct(self, q: float, queued: bool = False) -> float:
        """The q-quantile of the latencies in ms (from the push when ``queued``)."""
        values = self.queued_ms if queued else self.latencies_ms
        if not values:
            return float("nan")
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def throughput(self) -> float:
        """Answered messages per second."""
        return self.answered / self.duration if self.duration else 0.0

    @property
    def ok(self) -> bool:
        """Kept up: all answered by Rasa (no fallback), at 90 % of the offered rate or
        more (a growing queue drains after the step and lowers the rate), none slower
        than 5 s."""
        return (
            self.answered == self.sent
            and self.throughput >= 0.9 * self.rate
            and self.pct(1.0) < 5000
        )


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its children, in MB."""
    total = 0
    pids = [pid]
    seen: set[int] = set()
    while pids:
        p = pids.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")
            )
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                pids += [int(c) for c in children]
        except OSError:
            continue
    return total / 1024


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int, tree: bool = False) -> float:
    """CPU time (user + system, all threads) a process has used so far; with ``tree``,
    its children's too, living and ended (PostgreSQL's backends)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    if not tree:
        return (int(fields[11]) + int(fields[12])) / _TICKS
    total = sum(int(f) for f in fields[11:15]) / _TICKS
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        spent = (cpu_seconds(int(child), tree=True) for child in children)
        total += sum(seconds for seconds in spent if not math.isnan(seconds))
    return total


async def measured_load(
    name: str,
    rate: float,
    seconds: float,
    send: Send,
    procs: dict[str, int],
    trees: frozenset[str] = frozenset(),
) -> LoadResult:
    """:func:`offer_load`, with the CPU time of each process per answered message (of
    the whole process tree for the names in ``trees``)."""
    before = {k: cpu_seconds(p, k in trees) for k, p in procs.items()}
    result = await offer_load(name, rate, seconds, send)
    per = 1000 / max(1, result.answered)
    result.cpu_ms = {k: (cpu_seconds(p, k in trees) - before[k]) * per for k, p in procs.items()}
    return result


def _texts() -> list[str]:
    return [e.text for e in load_heldout() if e.intent not in ("out_of_scope",)]


Send = Callable[[int, str], Coroutine[object, object, Timing | None]]


async def offer_load(name: str, rate: float, seconds: float, send: Send) -> LoadResult:
    """Start one message every 1/rate s for ``seconds``; collect each latency."""
    texts = itertools.cycle(_texts())
    count = max(1, int(rate * seconds))
    start = time.monotonic()
    tasks = []
    for i in range(count):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(next(_users), next(texts))))
    results = await asyncio.gather(*tasks)
    duration = time.monotonic() - start
    timings = [r for r in results if r is not None]
    return LoadResult(
        name, rate, count, len(timings), [t[0] for t in timings], duration, [t[1] for t in timings]
    )


def direct_senders(stack: Stack, http: httpx.AsyncClient) -> dict[str, Send]:
    """Send functions for Rasa's REST webhook and /model/parse, without the adapter."""

    async def webhook(user: int, text: str) -> Timing | None:
        start = time.monotonic()
        try:
            r = await http.post(
                f"{stack.rasa_url}/webhooks/rest/webhook",
                json={"sender": f"bench{user}", "message": text, "metadata": {"language": "uk"}},
            )
        except httpx.HTTPError:
            return None
        ms = (time.monotonic() - start) * 1000
        return (ms, ms) if r.status_code == 200 and r.json() else None

    async def parse(user: int, text: str) -> Timing | None:
        start = time.monotonic()
        try:
            r = await http.post(
                f"{stack.rasa_url}/model/parse",
                json={"text": text},
                params={"token": stack.env["RASA_API_TOKEN"]},
            )
        except httpx.HTTPError:
            return None
        ms = (time.monotonic() - start) * 1000
        return (ms, ms) if r.status_code == 200 else None

    return {"Rasa REST webhook": webhook, "/model/parse": parse}


@dataclass
class Run:
    """Everything measured on one configuration."""

    label: str
    results: list[LoadResult]
    memory: dict[str, tuple[float, float]]  # process -> RSS MB (after load, after soak)
    first_ms: float  # the first message after start-up
    second_ms: float  # the message right after it


async def run_benchmark(
    stack: Stack,
    rates: list[float],
    seconds: float,
    soak: int = 0,
    max_rate: float = 1000.0,
    soak_rate: float = 30.0,
    label: str = "optimised",
    servers: dict[str, int] | None = None,
) -> Run:
    """Run the load steps on a started stack; ``servers`` (name: pid of PostgreSQL's or
    Redis' main process) are counted with their children in CPU and memory."""
    api = BotApiStandIn()
    await api.start()
    adapter = Adapter(stack, api, max_rate)
    results: list[LoadResult] = []
    memory: dict[str, tuple[float, float]] = {}
    try:
        await adapter.ready()
        firsts = [
            await adapter.ask(next(_users), text)
            for text in ("Як продовжити тимчасовий захист?", "Kde najdu dětského lékaře?")
        ]
        first, second = (t[0] if t else float("nan") for t in firsts)
        procs = {
            "action server": stack.actions.process.pid,
            "Rasa server": stack.rasa.process.pid,
            "adapter": adapter.service.process.pid,
            **(servers or {}),
        }
        trees = frozenset(servers or {})
        # The Bot API stand-in and the load generator run in this process.
        cpu_procs = {**procs, "benchmark": os.getpid()}
        # The adapter's own HTTP client: httpx's default transport would cost this process
        # more CPU per request than Rasa spends on a parse, and distort the direct rows.
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(timeout=30, limits=limits) as http:
            direct = direct_senders(stack, http)
            for rate in rates:
                for name, send in {"whole pipeline": adapter.ask, **direct}.items():
                    results.append(await measured_load(name, rate, seconds, send, cpu_procs, trees))
                    print_row(label, results[-1])
            before = {k: rss_mb(v) for k, v in procs.items()}
            if soak:
                soak_seconds = soak / soak_rate
                results.append(
                    await measured_load(
                        "soak", soak_rate, soak_seconds, adapter.ask, cpu_procs, trees
                    )
                )
                print_row(label, results[-1])
            after = {k: rss_mb(v) for k, v in procs.items()}
            memory = {k: (before[k], after[k]) for k in procs}
    finally:
        adapter.service.stop()
        await api.stop()
    return Run(label, results, memory, first, second)


def print_row(label: str, r: LoadResult) -> None:
    """One result row, printed as soon as the step ends (stderr, for progress)."""
    print(
        f"  [{label}] {r.name} at {r.rate:g} msg/s: {r.answered}/{r.sent} answered, "
        f"p50 {r.pct(0.5):.0f} ms, p95 {r.pct(0.95):.0f} ms",
        file=sys.stderr,
        flush=True,
    )


def sustained(run: Run) -> float:
    """The highest offered rate the whole pipeline answered in full."""
    rates = [r.rate for r in run.results if r.name == "whole pipeline" and r.ok]
    return max(rates) if rates else 0.0


def print_tables(run: Run) -> None:
    """Markdown tables of one run."""
    print(f"\n### {run.label}\n")
    print("| path | offered msg/s | sent | answered | p50 ms | p95 ms | p99 ms "
          "| p95 ms from push | answered/s |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in run.results:
        print(
            f"| {r.name} | {r.rate:g} | {r.sent} | {r.answered} | {r.pct(0.5):.0f} | "
            f"{r.pct(0.95):.0f} | {r.pct(0.99):.0f} | {r.pct(0.95, queued=True):.0f} | "
            f"{r.throughput:.1f} |"
        )
    print(
        f"\nHighest offered rate sustained (all answered, at 90 % of the rate or more, "
        f"none over 5 s): {sustained(run):g} msg/s"
    )
    print(
        f"First answer after start-up: {run.first_ms:.0f} ms; the next one: {run.second_ms:.0f} ms"
    )
    print_cpu(run)
    if run.memory:
        print("\n| process | RSS MB after load | RSS MB after soak | growth |")
        print("|---|---:|---:|---:|")
        for name, (before, after) in run.memory.items():
            growth = (after - before) / before * 100 if before else 0.0
            print(f"| {name} | {before:.0f} | {after:.0f} | {growth:+.1f}% |")
        total = sum(a for _, a in run.memory.values())
        print(f"| **all** | | {total:.0f} | |")


def print_cpu(run: Run) -> None:
    """CPU ms per answered message, by process ("benchmark": Bot API stand-in and load)."""
    rows = [r for r in run.results if r.cpu_ms]
    if not rows:
        return
    names = list(rows[0].cpu_ms)
    cores = os.cpu_count() or 1
    print(f"\nCPU time per answered message, ms ({cores} cores; "
          "% busy = all processes' CPU over the step's duration and all cores):\n")  # fmt: skip
    print(f"| path | offered msg/s | {' | '.join(names)} | all | % busy |")
    print("|---|---:|" + "---:|" * (len(names) + 2))
    for r in rows:
        total = sum(r.cpu_ms.values())
        busy = total * r.answered / 1000 / r.duration / cores * 100 if r.duration else 0.0
        cells = " | ".join(f"{r.cpu_ms[n]:.1f}" for n in names)
        print(f"| {r.name} | {r.rate:g} | {cells} | {total:.1f} | {busy:.0f} |")


def print_ratios(optimised: Run, baseline: Run) -> None:
    """How many times slower the other configuration is, step by step."""
    print(
        f"\n### {baseline.label} / {optimised.label} "
        f"(same run; above 1 = {optimised.label} is faster)\n"
    )
    print("| path | offered msg/s | p50 | p95 | answered/s | CPU per message |")
    print("|---|---:|---:|---:|---:|---:|")
    base = {(r.name, r.rate): r for r in baseline.results}
    for r in optimised.results:
        b = base.get((r.name, r.rate))
        if b is None:
            continue
        print(
            f"| {r.name} | {r.rate:g} | {_ratio(b.pct(0.5), r.pct(0.5))} | "
            f"{_ratio(b.pct(0.95), r.pct(0.95))} | {_ratio(r.throughput, b.throughput)} | "
            f"{_ratio(sum(b.cpu_ms.values()), sum(r.cpu_ms.values()))} |"
        )
    print(
        f"\nSustained rate: {sustained(optimised):g} msg/s against {sustained(baseline):g}; "
        f"first answer {optimised.first_ms:.0f} ms against {baseline.first_ms:.0f} ms"
    )


def _ratio(a: float, b: float) -> str:
    return "–" if math.isnan(a) or math.isnan(b) or not b else f"{a / b:.2f}x"


def cold_start(model: Path = MODEL, endpoints: Path | None = None,
               extra_env: dict[str, str] | None = None) -> float:  # fmt: skip
    """Seconds from starting the three processes to the first answered message."""

    async def measure(data_dir: Path) -> float:
        start = time.monotonic()
        stack = await asyncio.to_thread(
            start_stack, data_dir, model, endpoints or REPO_ROOT / "endpoints.yml", extra_env
        )
        api = BotApiStandIn()
        await api.start()
        adapter = Adapter(stack, api, 30)
        try:
            await adapter.ready()
            if await adapter.ask(next(_users), "Привіт", timeout=60) is None:
                return float("nan")
            return time.monotonic() - start
        finally:
            adapter.service.stop()
            await api.stop()
            stack.stop()

    with tempfile.TemporaryDirectory() as tmp:
        return asyncio.run(measure(Path(tmp)))


def measure(
    args: argparse.Namespace,
    label: str,
    model: Path = MODEL,
    endpoints: Path | None = None,
    extra_env: dict[str, str] | None = None,
    servers: dict[str, int] | None = None,
) -> Run:
    """Start a stack and run all load steps on it."""
    with tempfile.TemporaryDirectory() as tmp:
        stack = start_stack(Path(tmp), model, endpoints or REPO_ROOT / "endpoints.yml", extra_env)
        try:
            return asyncio.run(
                run_benchmark(
                    stack, args.rates, args.seconds, args.soak if label == "optimised" else 0,
                    args.telegram_rate, args.soak_rate, label, servers,
                )
            )  # fmt: skip
        finally:
            stack.stop()


def measure_postgres(args: argparse.Namespace) -> Run:
    """All load steps with every store on PostgreSQL and Rasa's locks in Redis."""
    from harness.servers import start_postgres, start_redis  # noqa: PLC0415

    postgres, redis = start_postgres(), start_redis()
    try:
        url = postgres.create_database("bench")
        env = {"PORADNYK_DATABASE_URL": url, "PORADNYK_REDIS_URL": redis.url}
        servers = {"PostgreSQL": postgres.pid, "Redis": redis.pid}
        return measure(args, "PostgreSQL", extra_env=env, servers=servers)
    finally:
        redis.remove()
        postgres.remove()


def main() -> None:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rates", type=float, nargs="+", default=[5, 30, 60, 100])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--soak", type=int, default=0, help="messages for the memory-growth run")
    parser.add_argument("--soak-rate", type=float, default=20, help="msg/s of the soak run")
    parser.add_argument("--cold-start", action="store_true", help="also measure cold start")
    parser.add_argument("--baseline", action="store_true", help="compare with bench/baseline.py")
    parser.add_argument("--train-time", action="store_true", help="train both models from scratch")
    parser.add_argument(
        "--postgres", action="store_true", help="also on PostgreSQL and Redis (ratios to SQLite)"
    )
    parser.add_argument(
        "--telegram-rate", type=float, default=1000,
        help="adapter's send limit (msg/s); 30 is Telegram's real limit",
    )  # fmt: skip
    args = parser.parse_args()
    print(f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; all on 127.0.0.1")
    print("Answered = a real answer from Rasa; fallbacks after a Rasa timeout count as errors.")
    runs = [measure(args, "optimised")]
    with tempfile.TemporaryDirectory() as tmp:
        if args.baseline:
            model, _ = baseline_model()
            # Rasa's default policies alone, then everything unoptimised.
            runs.append(measure(args, "default policies", model))
            endpoints, env = stock_endpoints(Path(tmp)), BASELINE_ENV
            runs.append(measure(args, "baseline", model, endpoints, env))
        if args.postgres:
            runs.append(measure_postgres(args))
        for run in runs:
            print_tables(run)
        for other in runs[1:]:
            print_ratios(runs[0], other)
        if args.cold_start:
            print(f"\nCold start (three processes to first answer): {cold_start():.1f} s", end="")
            if args.baseline:
                print(f"; baseline {cold_start(model, endpoints, env):.1f} s", end="")
            print()
    if args.train_time:
        with tempfile.TemporaryDirectory() as tmp:
            _, ours = train(Path(tmp), baseline=False)
            _, theirs = train(Path(tmp), baseline=True)
        print(f"\nTraining from scratch (fresh cache): {ours:.0f} s; baseline {theirs:.0f} s")


if __name__ == "__main__":
    main()
