"""The performance benchmark itself runs (on a tiny load; no timing is asserted)."""

from __future__ import annotations

import math

import pytest

from bench.pipeline_bench import print_ratios, print_tables, run_benchmark
from harness.stack import Stack


async def test_benchmark_runs_on_a_tiny_load(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    run = await run_benchmark(stack, rates=[2], seconds=1.5)
    names = {r.name for r in run.results}
    assert names == {"whole pipeline", "Rasa REST webhook", "/model/parse"}
    assert all(r.sent == r.answered == 3 for r in run.results)
    assert all(len(r.latencies_ms) == len(r.queued_ms) == 3 for r in run.results)
    # from the push includes the wait for getUpdates, so it is never shorter
    assert all(
        q >= h for r in run.results for h, q in zip(r.latencies_ms, r.queued_ms, strict=True)
    )
    # every message costs Rasa and the benchmark CPU; the adapter only on its own path
    assert all(set(r.cpu_ms) == {*run.memory, "benchmark"} for r in run.results)
    assert all(r.cpu_ms["Rasa server"] > 0 and r.cpu_ms["benchmark"] > 0 for r in run.results)
    assert set(run.memory) == {"action server", "Rasa server", "adapter"}
    assert all(before > 10 for before, _ in run.memory.values())
    assert not math.isnan(run.first_ms) and not math.isnan(run.second_ms)
    print_tables(run)
    print_ratios(run, run)
    out = capsys.readouterr().out
    assert "1.00x" in out and "| whole pipeline | 2 |" in out and "% busy" in out
