"""Scores of the NLU model on the held-out set (shared by the benchmark and the tests)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from poradnyk.content import fallback_offer, known_topics

__all__ = [
    "FORMS",
    "NOT_ANSWERED",
    "REPO_ROOT",
    "Example",
    "Prediction",
    "Scores",
    "load_examples",
    "load_heldout",
    "prediction_from_parse",
    "score",
]

REPO_ROOT = Path(__file__).resolve().parent.parent

FORMS = ("cs", "cs_nodia", "uk", "uk_latin", "ru", "en", "mixed")
HELDOUT = REPO_ROOT / "tests" / "nlu" / "heldout.yml"
NOT_ANSWERED = frozenset({"out_of_scope", "nlu_fallback"})


@dataclass(frozen=True)
class Example:
    """A held-out message with its expected intent, form and region."""

    text: str
    intent: str
    form: str
    region: str | None


@dataclass(frozen=True)
class Prediction:
    """What the model said about one message."""

    intent: str
    regions: tuple[str, ...]
    seconds: float
    ranking: tuple[str, ...] = ()
    """The topics the fallback would offer as buttons, in their order (the bot's own
    :func:`poradnyk.content.fallback_offer`)."""


@dataclass(frozen=True)
class Scores:
    """Accuracy figures for one run."""

    accuracy: float
    macro_f1: float
    by_form: dict[str, tuple[float, float, int]]  # form -> (accuracy, macro-F1, n)
    region_accuracy: float
    region_false_positive_rate: float
    oos_fallback_rate: float
    errors: list[tuple[Example, str]]


def load_heldout(path: Path = HELDOUT) -> list[Example]:
    """The held-out examples (never used for training)."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Example(str(i["text"]), str(i["intent"]), str(i["form"]), i.get("region")) for i in items
    ]


def _macro_f1(pairs: Iterable[tuple[str, str]]) -> float:
    pairs = list(pairs)
    labels = {gold for gold, _ in pairs}
    tp: dict[str, int] = defaultdict(int)
    fp: dict[str, int] = defaultdict(int)
    fn: dict[str, int] = defaultdict(int)
    for gold, pred in pairs:
        if gold == pred:
            tp[gold] += 1
        else:
            fn[gold] += 1
            fp[pred] += 1
    f1s = []
    for label in labels:
        precision = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        recall = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(f1s) / len(f1s) if f1s else 0.0


def score(examples: list[Example], predictions: list[Prediction]) -> Scores:
    """Compare predictions with the held-out labels."""
    pairs = [(e.intent, p.intent) for e, p in zip(examples, predictions, strict=True)]
    accuracy = sum(g == p for g, p in pairs) / len(pairs)
    by_form: dict[str, tuple[float, float, int]] = {}
    for form in FORMS:
        sub = [
            (e.intent, p.intent)
            for e, p in zip(examples, predictions, strict=True)
            if e.form == form
        ]
        if sub:
            by_form[form] = (sum(g == p for g, p in sub) / len(sub), _macro_f1(sub), len(sub))
    with_region = [(e, p) for e, p in zip(examples, predictions, strict=True) if e.region]
    without_region = [(e, p) for e, p in zip(examples, predictions, strict=True) if not e.region]
    region_ok = sum(p.regions[:1] == (e.region,) for e, p in with_region)
    false_regions = sum(bool(p.regions) for _, p in without_region)
    oos = [p for e, p in zip(examples, predictions, strict=True) if e.intent == "out_of_scope"]
    return Scores(
        accuracy=accuracy,
        macro_f1=_macro_f1(pairs),
        by_form=by_form,
        region_accuracy=region_ok / len(with_region) if with_region else 1.0,
        region_false_positive_rate=false_regions / len(without_region) if without_region else 0.0,
        oos_fallback_rate=sum(p.intent in NOT_ANSWERED for p in oos) / len(oos) if oos else 0.0,
        errors=[
            (e, p.intent)
            for e, p in zip(examples, predictions, strict=True)
            if e.intent != p.intent
        ],
    )


@cache
def _topics() -> frozenset[str]:
    """Topic intents of domain.yml: the only intents the fallback offers as buttons."""
    return frozenset(known_topics(REPO_ROOT))


def prediction_from_parse(result: dict[str, Any], seconds: float) -> Prediction:
    """A prediction from Rasa's parse output."""
    intent = (result.get("intent") or {}).get("name") or "nlu_fallback"
    regions = tuple(
        str(e["value"]) for e in result.get("entities") or [] if e.get("entity") == "region"
    )
    names = (str(r.get("name")) for r in result.get("intent_ranking") or [])
    ranking = tuple(fallback_offer(names, _topics()))
    return Prediction(str(intent), regions, seconds, ranking)


def load_examples() -> dict[str, list[str]]:
    """Intent -> training examples, from nlu_data/ (topics and meta intents)."""
    examples: dict[str, list[str]] = {}
    for file in sorted((REPO_ROOT / "nlu_data").rglob("*.yml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for item in data.get("nlu", []):
            if "intent" in item:
                lines = str(item["examples"]).splitlines()
                texts = [ln.strip()[2:] for ln in lines if ln.strip().startswith("- ")]
                examples.setdefault(str(item["intent"]), []).extend(texts)
    return examples
