"""What each Rasa speed-up buys: sequential REST webhook messages, one setup at a time.

Usage: .venv/bin/python -m bench.rasa_probe [--messages 80]

Starts the action server and Rasa once per setup, adding one change at a time: stock
(no speed-ups, Rasa's SQL tracker store), the action-response check built once and per
event type, the SQLite tracker store of rasa_server/, the graph run without dask, the
connection to the action server kept open, and the event classes remembered (as
shipped). Each gets the same messages one after another, each from a new user, then
the same number from one returning user. It prints the median time per message and the
CPU time the Rasa process spent per message. One message at a time, so no queueing is
measured, only work.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bench.baseline import stock_endpoints
from bench.pipeline_bench import cpu_seconds
from harness.nlu_metrics import load_heldout
from harness.stack import REPO_ROOT, start_stack

__all__ = ["main", "median_ms"]


async def median_ms(rasa_url: str, texts: list[str], senders: list[str]) -> float:
    """Median ms per REST webhook message, sent one after another."""
    times = []
    async with httpx.AsyncClient(timeout=30) as http:
        for text, sender in zip(texts, senders, strict=True):
            start = time.monotonic()
            r = await http.post(
                f"{rasa_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": text, "metadata": {"language": "uk"}},
            )
            if r.status_code != 200 or not r.json():
                raise RuntimeError(f"no answer: {r.status_code}")
            times.append((time.monotonic() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    """Run the setups and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=80)
    n = parser.parse_args().messages
    texts = [e.text for e in load_heldout() if e.intent != "out_of_scope"][:n]
    print("| setup | new user: median ms | CPU ms | returning user: median ms | CPU ms |")
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        stock, shipped = stock_endpoints(Path(tmp)), REPO_ROOT / "endpoints.yml"
        setups = [
            ("stock Rasa path (rules only)", stock, "0"),
            ("+ action-response check built once, per event type", stock, "validator"),
            ("+ SQLite tracker store", shipped, "validator"),
            ("+ graph run without dask", shipped, "validator,runner"),
            ("+ connection to the action server kept open", shipped, "validator,runner,sessions"),
            ("+ event classes remembered (as shipped)", shipped, "1"),
        ]  # fmt: skip
        for i, (name, endpoints, speedups) in enumerate(setups):
            data = Path(tmp) / f"setup{i}"
            data.mkdir()
            stack = start_stack(data, endpoints=endpoints,
                                extra_env={"PORADNYK_RASA_SPEEDUPS": speedups})  # fmt: skip
            try:
                url, pid = stack.rasa_url, stack.rasa.process.pid
                asyncio.run(median_ms(url, texts[:10], [f"warm{j}" for j in range(10)]))
                cpu = cpu_seconds(pid)
                new = asyncio.run(median_ms(url, texts, [f"new{j}" for j in range(n)]))
                cpu_new, cpu = (cpu_seconds(pid) - cpu) * 1000 / n, cpu_seconds(pid)
                same = asyncio.run(median_ms(url, texts, ["returning"] * n))
                cpu_same = (cpu_seconds(pid) - cpu) * 1000 / n
            finally:
                stack.stop()
            print(f"| {name} | {new:.1f} | {cpu_new:.1f} | {same:.1f} | {cpu_same:.1f} |",
                  flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
