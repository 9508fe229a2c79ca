"""The performance benchmark itself runs (on a tiny load; no timing is asserted)."""

from __future__ import annotations

import math

from bench.pipeline_bench import print_tables, run_benchmark
from tests.support.stack import Stack


async def test_benchmark_runs_on_a_tiny_load(stack: Stack, capsys: object) -> None:
    results, memory, first = await run_benchmark(stack, rates=[2], seconds=1.5)
    names = {r.name for r in results}
    assert names == {"whole pipeline", "Rasa REST webhook", "/model/parse"}
    assert all(r.sent == r.answered == 3 for r in results)
    assert all(len(r.latencies_ms) == 3 for r in results)
    assert set(memory) == {"action server", "Rasa server", "adapter"}
    assert all(before > 10 for before, _ in memory.values())
    assert not math.isnan(first)  # the first message was answered
    print_tables(results, memory, first)
