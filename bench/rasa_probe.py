"""What each Rasa speed-up buys: sequential REST webhook messages, one setup at a time.

Usage: .venv/bin/python -m bench.rasa_probe [--messages 80]

Starts the action server and Rasa three times: stock (no speed-ups, Rasa's SQL tracker
store), with the cached action-response validator only, and as shipped (plus the
WAL-mode SQLite tracker store with its cache). Each gets the same messages one after
another, each from a new user, then the same number from one returning user, and the
medians are printed. One message at a time, so no queueing is measured, only work.
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
from bench.nlu_metrics import load_heldout
from tests.support.stack import REPO_ROOT, start_stack

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
    """Run the three setups and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=80)
    n = parser.parse_args().messages
    texts = [e.text for e in load_heldout() if e.intent != "out_of_scope"][:n]
    print("| setup | new user, median ms | returning user, median ms |")
    print("|---|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        stock = stock_endpoints(Path(tmp))
        setups = [
            ("stock Rasa path (rules only)", stock, "0"),
            ("+ cached action-response validator", stock, "1"),
            ("+ WAL SQLite tracker store, cached (as shipped)", REPO_ROOT / "endpoints.yml", "1"),
        ]  # fmt: skip
        for i, (name, endpoints, speedups) in enumerate(setups):
            data = Path(tmp) / f"setup{i}"
            data.mkdir()
            stack = start_stack(data, endpoints=endpoints,
                                extra_env={"PORADNYK_RASA_SPEEDUPS": speedups})  # fmt: skip
            try:
                url = stack.rasa_url
                asyncio.run(median_ms(url, texts[:10], [f"warm{j}" for j in range(10)]))
                new = asyncio.run(median_ms(url, texts, [f"new{j}" for j in range(n)]))
                same = asyncio.run(median_ms(url, texts, ["returning"] * n))
            finally:
                stack.stop()
            print(f"| {name} | {new:.1f} | {same:.1f} |", flush=True)


if __name__ == "__main__":
    main()
