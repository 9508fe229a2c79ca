"""Per-person locks without a shared database (SQLite): in-process order only."""

from __future__ import annotations

import asyncio

from store.locks import PersonLocks, person_key


def test_a_person_key_is_stable_distinct_and_fits_a_bigint() -> None:
    one, two = person_key("u" + "0f" * 16), person_key("u" + "f0" * 16)
    assert one == person_key("u" + "0f" * 16) and one != two
    assert all(0 < key < 2**63 for key in (one, two))


async def test_one_persons_turns_queue_and_other_people_go_on() -> None:
    locks = PersonLocks(shared=False)
    order: list[str] = []

    async def turn(key: int, name: str, hold: float) -> None:
        async with locks.hold(key):
            order.append(f"{name}+")
            await asyncio.sleep(hold)
            order.append(f"{name}-")

    await asyncio.gather(turn(1, "a1", 0.05), turn(1, "a2", 0.0), turn(2, "b", 0.0))
    assert order == ["a1+", "b+", "b-", "a1-", "a2+", "a2-"]
    locks.close()
