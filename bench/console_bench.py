"""Benchmark of the staff console (prints a table; not a test).

    .venv-app/bin/python -m bench.console_bench [--requests 200] [--publishes 5]

1. Pages: the console under gunicorn (two workers, as ``./run`` starts it) on a copy of
   the content; one logged-in staff member requests the dashboard and each editor page
   ``--requests`` times, one after another; p50/p95/max of the time to the last byte.
   The live preview is measured too, with a different text every time (so its check of
   the whole content folder by the bot's loader is never cached).
2. Publish -> bot: the action server, Rasa and the Telegram adapter (its own process,
   polling the Bot API stand-in) read the same content. An editor changes the Ukrainian
   answer of a topic, another reviewer approves it; from the approval's response, the
   person presses the topic button every 0.2 s until the answer has the new text.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from console.process import ConsoleServer, StaffClient, editor_fields, start_console
from harness.adapter import Adapter
from harness.bot_api import BotApiStandIn, Updates
from harness.stack import REPO_ROOT, start_stack

PASSWORD = secrets.token_urlsafe(12)
PAGES = {
    "dashboard": "/",
    "topic editor (housing)": "/edit/topic/housing/",
    "organisation editor (labour_office)": "/edit/organisation/labour_office/",
    "conversation text editor (greeting)": "/edit/message/greeting/",
    "history (housing)": "/history/topic/housing/",
}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _row(name: str, times: list[float]) -> str:
    return (
        f"| {name} | {len(times)} | {statistics.median(times):.1f} | {_pct(times, 0.95):.1f} "
        f"| {max(times):.1f} |"
    )


def bench_pages(console: ConsoleServer, requests: int) -> list[str]:
    """p50/p95 of each page over ``requests`` requests."""
    staff = StaffClient(console.url)
    staff.login("olena", PASSWORD)
    rows = ["| page | requests | p50 ms | p95 ms | max ms |", "|---|---:|---:|---:|---:|"]
    for name, path in PAGES.items():
        for _ in range(5):  # warm: templates compiled, content loaded once per worker
            assert staff.client.get(path).status_code == 200
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            response = staff.client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        rows.append(_row(name, times))
    fields = editor_fields(staff.client.get("/edit/topic/housing/").text)
    token = staff.token("/edit/topic/housing/")
    times = []
    for n in range(max(20, requests // 4)):
        data = {**fields, "answer_uk": [f"Зміна {n}. {fields['answer_uk'][0]}"]}
        start = time.perf_counter()
        response = staff.client.post(
            "/preview/topic/housing/", data={**data, "csrfmiddlewaretoken": token}
        )
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200 and response.json()["ok"]
    rows.append(_row("live preview, new text each time (checks all content)", times))
    staff.close()
    return rows


def _publish(console: ConsoleServer, marker: str) -> float:
    """Write and approve a change; returns when the approval answered (monotonic)."""
    olena, petr = StaffClient(console.url), StaffClient(console.url)
    olena.login("olena", PASSWORD)
    petr.login("petr", PASSWORD)
    fields = editor_fields(olena.client.get("/edit/topic/housing/").text)
    fields["answer_uk"] = [f"{marker} {fields['answer_uk'][0].split(' ', 2)[-1]}"]
    sent = olena.post("/edit/topic/housing/", {**fields, "action": "submit"})
    draft = sent.headers["location"]
    token = petr.token(draft)
    approved = petr.client.post(draft + "approve/", data={"csrfmiddlewaretoken": token})
    done = time.monotonic()
    assert approved.status_code == 302, approved.status_code
    olena.close()
    petr.close()
    return done


async def bench_publish(
    console: ConsoleServer, content: Path, root: Path, rounds: int
) -> list[str]:
    """Seconds from an approval to the first answer with the new text."""
    (root / "stack").mkdir()
    stack = await asyncio.to_thread(
        start_stack, root / "stack", extra_env={"PORADNYK_CONTENT_DIR": str(content)}
    )
    api = BotApiStandIn()
    await api.start()
    adapter = Adapter(stack, api, 30)
    results: list[tuple[float, int]] = []
    try:
        await adapter.ready()
        user, seen = 987_670_001, 0
        for n in range(rounds):
            marker = f"Версія{n}{secrets.token_hex(3)}"
            approved = await asyncio.to_thread(_publish, console, marker)
            asked = 0
            while True:
                api.push(Updates.button(user, "/housing", language_code="uk"))
                seen += 1
                asked += 1
                text = (await api.wait_sent(user, seen, timeout=15))[-1]["text"]
                if marker in text:
                    results.append((time.monotonic() - approved, asked))
                    break
                if time.monotonic() - approved > 15:
                    raise RuntimeError("the bot never answered the published change")
                await asyncio.sleep(0.2)
    finally:
        adapter.service.stop()
        await api.stop()
        stack.stop()
    seconds = [s for s, _ in results]
    return [
        "| publish -> bot answers the new text | rounds | p50 s | max s | questions asked |",
        "|---|---:|---:|---:|---:|",
        f"| approval answered -> answer with the new text | {len(seconds)} "
        f"| {statistics.median(seconds):.2f} | {max(seconds):.2f} "
        f"| {', '.join(str(a) for _, a in results)} |",
    ]


async def run(requests: int, publishes: int) -> None:
    """Both benchmarks, on fresh copies of the content."""
    root = Path(tempfile.mkdtemp(prefix="poradnyk-console-bench-"))
    content = root / "content"
    shutil.copytree(REPO_ROOT / "content", content)
    console = start_console(root / "data", content, workers=2)
    try:
        console.adduser("olena", "reviewer", PASSWORD)
        console.adduser("petr", "reviewer", PASSWORD)
        for line in await asyncio.to_thread(bench_pages, console, requests):
            print(line, flush=True)
        print()
        if publishes:
            for line in await bench_publish(console, content, root, publishes):
                print(line, flush=True)
    finally:
        console.stop()
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    parser.add_argument("--publishes", type=int, default=5, help="publish -> bot rounds (0: none)")
    args = parser.parse_args()
    asyncio.run(run(args.requests, args.publishes))


if __name__ == "__main__":
    main()
