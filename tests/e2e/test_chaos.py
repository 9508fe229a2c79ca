"""Chaos: a steady load from 50 people while each process is killed with -9 in turn.

Everything runs as ``./run`` runs it, under supervisord, against the Bot API stand-in.
Each person asks a question, waits for the answer, and asks the next. Every question
must be answered (none lost), in Ukrainian, with duplicates counted and reported; the
bot must answer again within 30 s of each kill.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from harness.bot_api import BotApiStandIn, Updates
from harness.fixtures import STORES
from harness.supervised import Supervised, start_supervised
from poradnyk.content import Content

pytestmark = [pytest.mark.integration, pytest.mark.timeout(1200)]

PEOPLE = 50
# Rasa loads its model on its first start and again after its kill: one bound for both, so
# that a slow machine (CI has run at a third of its usual speed) fails neither.
MODEL_LOAD_S = 300
QUESTIONS = [
    "Як продовжити тимчасовий захист?",
    "Де знайти лікаря для дитини?",
    "Скільки становить гуманітарна допомога?",
    "Як записати дитину до школи?",
    "Де вивчати чеську мову безкоштовно?",
    "Як відкрити рахунок у банку?",
]
_CYRILLIC = re.compile("[а-яіїєґ]", re.IGNORECASE)
_ids = itertools.count(770_000_001)


@dataclass
class Person:
    """One simulated person and what they got."""

    user_id: int
    asked: int = 0
    unanswered: int = 0
    replies: list[tuple[float, str]] = field(default_factory=list)


@pytest.fixture
def supervised(tmp_path: Path, api: BotApiStandIn) -> Iterator[Supervised]:
    # A database of its own (this test's system must not see the other tests' queues).
    stores = STORES.env_with_database("chaos", tmp_path)
    running = start_supervised(tmp_path / "data", api.base_url, stores=stores)
    yield running
    running.stop()


async def _person(api: BotApiStandIn, person: Person, stop: asyncio.Event) -> None:
    while not stop.is_set():
        seen = len(api.sent(person.user_id))
        api.push(Updates.text(person.user_id, QUESTIONS[person.asked % len(QUESTIONS)]))
        person.asked += 1
        try:
            await api.wait_sent(person.user_id, seen + 1, timeout=60)
        except AssertionError:
            person.unanswered += 1
        await asyncio.sleep(2.0)


def _replies(api: BotApiStandIn, person: Person) -> list[str]:
    return [str(m["text"]) for m in api.sent(person.user_id)]


async def _answers_after(api: BotApiStandIn, since: float, real: bool, content: Content) -> float:
    """Seconds from ``since`` until some person gets an answer (a real one if ``real``)."""
    down = content.text("service_down", "uk")[:30]
    seen = len(api.calls)
    while True:
        for call in api.calls[seen:]:
            text = str(call.params.get("text", "")) if call.method == "sendMessage" else ""
            if call.ok and text and (not real or not text.startswith(down)):
                return time.monotonic() - since
        seen = len(api.calls)
        await asyncio.sleep(0.1)


async def test_every_question_is_answered_through_kills_of_every_process(
    supervised: Supervised, api: BotApiStandIn, content: Content
) -> None:
    first = next(_ids)
    api.push(Updates.text(first, "Привіт"))
    await api.wait_sent(first, 1, timeout=MODEL_LOAD_S)  # Rasa loads its model first

    people = [Person(next(_ids)) for _ in range(PEOPLE)]
    stop = asyncio.Event()
    load = [asyncio.create_task(_person(api, p, stop)) for p in people]
    recovery: dict[str, tuple[float, float]] = {}
    try:
        await asyncio.sleep(5)
        for program in ("actions", "rasa", "bot", "console"):
            killed_at = time.monotonic()
            assert supervised.kill(program), program
            try:
                answering = await asyncio.wait_for(
                    _answers_after(api, killed_at, real=False, content=content), 60
                )
                real = await asyncio.wait_for(
                    _answers_after(api, killed_at, real=True, content=content), MODEL_LOAD_S
                )
            except TimeoutError:
                pytest.fail(f"no answer after the kill of {program}; before it: {recovery}")
            recovery[program] = (answering, real)
            for _ in range(120):  # supervisord restarted it
                if supervised.pid(program):
                    break
                await asyncio.sleep(0.5)
            await asyncio.sleep(5)  # steady load on the restarted process
    finally:
        stop.set()
        await asyncio.gather(*load)

    # Kept questions are answered once Rasa is back: wait for every answer, then a little
    # longer for any duplicate to show.
    for _ in range(120):
        if all(len(_replies(api, p)) >= p.asked for p in people):
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(3)
    down = content.text("service_down", "uk")[:30]
    asked = sum(p.asked for p in people)
    lost = sum(p.unanswered for p in people)
    fallbacks = sum(t.startswith(down) for p in people for t in _replies(api, p))
    replies = sum(len(_replies(api, p)) for p in people)
    # A question answered from content because Rasa was unreachable is kept and answered
    # again when Rasa is back (one request that failed on its own is not): at most one
    # second message per content answer is expected. Anything beyond is a duplicate.
    extra = replies - asked
    duplicates = max(0, extra - fallbacks)
    print(
        f"\nchaos: {asked} questions, {replies} replies, {fallbacks} answered from content "
        f"first, {extra} second messages, {duplicates} duplicates, {lost} unanswered; seconds "
        f"to answer again / to answer from Rasa again after each kill: {recovery}"
    )
    assert lost == 0
    assert extra >= 0 and duplicates <= asked // 50, (extra, duplicates)  # rare, reported
    assert all(_CYRILLIC.search(t) for p in people for t in _replies(api, p))
    assert all(answering < 30 for answering, _ in recovery.values()), recovery
    for program in ("actions", "rasa", "bot", "console"):
        assert supervised.pid(program), f"{program} was not restarted"
