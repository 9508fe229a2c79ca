"""The threshold tuning counts outcomes as the user would see them."""

from __future__ import annotations

from bench.fallback_threshold import Ranked, by_intent, evaluate, outcome, script_of, split
from harness.nlu_metrics import load_examples


def test_outcomes() -> None:
    sure = Ranked("housing", "housing", 0.9, 0.05)
    wrong = Ranked("housing", "work", 0.9, 0.05)
    unsure = Ranked("housing", "housing", 0.4, 0.3)
    close = Ranked("housing", "housing", 0.6, 0.58)
    assert outcome(sure, 0.5, 0.05) == "right"
    assert outcome(wrong, 0.5, 0.05) == "wrong"
    assert outcome(unsure, 0.5, 0.05) == "fallback"
    assert outcome(close, 0.5, 0.05) == "fallback"
    assert outcome(close, 0.5, 0.0) == "right"
    # out of scope: the fallback is a right reply, a topic's answer is wrong
    assert outcome(Ranked("out_of_scope", "work", 0.3, 0.1), 0.5, 0.05) == "right"
    assert outcome(Ranked("out_of_scope", "work", 0.9, 0.1), 0.5, 0.05) == "wrong"


def test_cost_weighs_wrong_answers_more() -> None:
    ranked = [Ranked("housing", "work", 0.45, 0.1), Ranked("housing", "housing", 0.45, 0.1)]
    low, high = evaluate(ranked, 0.4, 0.0), evaluate(ranked, 0.5, 0.0)
    assert (low.right, low.wrong, low.fallback) == (1, 1, 0)
    assert (high.right, high.wrong, high.fallback) == (0, 0, 2)
    assert high.cost(0.3) < low.cost(0.3)


def test_split_keeps_every_intent_and_loses_nothing() -> None:
    examples = load_examples()
    train, dev = split(examples, 0.2, 42)
    assert set(train) == set(examples)
    for intent, texts in examples.items():
        held = [t for t, i in dev if i == intent]
        assert held and sorted(held + train[intent]) == sorted(texts)


def test_details_group_by_intent_and_script() -> None:
    ranked = [
        Ranked("housing", "housing", 0.9, 0.05, "where can I rent a flat"),
        Ranked("housing", "work", 0.9, 0.05, "byt v Brně"),
        Ranked("work", "work", 0.3, 0.1, "робота"),
    ]
    groups = by_intent(ranked, 0.5, 0.05)
    assert list(groups) == ["housing", "work"]
    assert (groups["housing"].right, groups["housing"].wrong) == (1, 1)
    assert groups["work"].fallback == 1
    assert [script_of(r.text) for r in ranked] == ["english", "czech", "cyrillic"]
    assert script_of("dobry den, mam dotaz") == "latin other"
