"""The flood limit calms: one "slow down" per window, the rest dropped silently."""

from __future__ import annotations

from bot.flood import FloodGuard, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_two_hundred_messages_in_ten_seconds_cost_one_warning() -> None:
    clock = Clock()
    guard = FloodGuard(limit=12, window=60, clock=clock)
    verdicts = []
    for i in range(200):
        clock.now = i * 0.05
        verdicts.append(guard.check("flooder"))
    assert verdicts[:12] == [Verdict.ALLOW] * 12
    assert verdicts.count(Verdict.WARN) == 1
    assert verdicts.count(Verdict.DROP) == 187


def test_a_new_window_warns_again_and_others_are_unaffected() -> None:
    clock = Clock()
    guard = FloodGuard(limit=2, window=10, clock=clock)
    assert [guard.check("a") for _ in range(4)] == [
        Verdict.ALLOW, Verdict.ALLOW, Verdict.WARN, Verdict.DROP
    ]  # fmt: skip
    assert guard.check("b") is Verdict.ALLOW
    clock.now = 11
    assert guard.check("a") is Verdict.ALLOW
    assert guard.check("a") is Verdict.ALLOW
    assert guard.check("a") is Verdict.WARN


def test_reset_forgets_a_person() -> None:
    guard = FloodGuard(limit=1, window=60, clock=Clock())
    guard.check("a")
    assert guard.check("a") is Verdict.WARN
    guard.reset("a")
    assert guard.check("a") is Verdict.ALLOW
