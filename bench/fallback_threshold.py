"""Tunes the FallbackClassifier threshold on a development split of the training data.

Usage: .venv/bin/python -m bench.fallback_threshold [--dev-share 0.2] [--seed 42]

Holds out a share of every intent's training examples (never the held-out test file),
trains the NLU pipeline of config.yml on the rest, parses the development examples and,
for each pair of thresholds, counts what the user would get: the right answer, a wrong
topic's answer, or the fallback reply (the likely topics as buttons, the menu and how to
reach a person). A wrong answer costs 1 and a needless fallback ``--fallback-cost``
(default 0.3: the right topic is usually one tap away). Out-of-scope messages are right
when they get the out-of-scope reply or the fallback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.nlu_bench import quiet_rasa
from bench.nlu_bench import train as train_model
from harness.nlu_metrics import load_examples

REPO = Path(__file__).resolve().parent.parent
OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"

__all__ = [
    "Outcome",
    "Ranked",
    "by_intent",
    "evaluate",
    "main",
    "outcome",
    "script_of",
    "split",
    "train_on_split",
    "write_nlu",
]


def split(
    examples: dict[str, list[str]], share: float, seed: int
) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """Per intent, a random ``share`` for development; the rest for training."""
    rng = random.Random(seed)
    train: dict[str, list[str]] = {}
    dev: list[tuple[str, str]] = []
    for intent, texts in examples.items():
        shuffled = texts[:]
        rng.shuffle(shuffled)
        cut = max(1, round(len(shuffled) * share))
        dev += [(t, intent) for t in shuffled[:cut]]
        train[intent] = shuffled[cut:]
    return train, dev


def write_nlu(train: dict[str, list[str]], path: Path) -> None:
    """Rasa YAML training data."""
    items = [
        {"intent": intent, "examples": "".join(f"- {t}\n" for t in texts)}
        for intent, texts in train.items()
    ]
    path.write_text(
        yaml.safe_dump({"version": "3.1", "nlu": items}, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )


def train_on_split(train: dict[str, list[str]], config: Path, directory: Path) -> Path:
    """Train ``config`` on the training split in ``directory``; returns the model."""
    data = directory / "nlu_data"
    data.mkdir()
    write_nlu(train, data / "nlu.yml")
    # The lookup tables too: without them the RegexFeaturizer has no patterns.
    shutil.copy(REPO / "nlu_data" / "lookups.yml", data / "lookups.yml")
    model, _ = train_model(directory, config=config, nlu_data=data, name="dev")
    return model


@dataclass(frozen=True)
class Ranked:
    """The gold intent and the classifier's two best guesses (without the fallback)."""

    gold: str
    top: str
    top_confidence: float
    second_confidence: float
    text: str = ""


_CZECH_LETTERS = re.compile("[áčďéěíňóřšťúůýž]", re.IGNORECASE)
_ENGLISH_WORDS = re.compile(
    r"\b(the|is|are|can|how|what|where|my|do|does|i|to|for|with|need|have)\b", re.IGNORECASE
)


def script_of(text: str) -> str:
    """A rough language group of a training line (the training data carries no form)."""
    if re.search("[а-яіїєґё]", text, re.IGNORECASE):
        return "cyrillic"
    if _CZECH_LETTERS.search(text):
        return "czech"
    if len(_ENGLISH_WORDS.findall(text)) >= 2:
        return "english"
    return "latin other"


def by_intent(ranked: list[Ranked], threshold: float, ambiguity: float) -> dict[str, Outcome]:
    """Outcomes per gold intent at one pair of thresholds."""
    groups: dict[str, list[Ranked]] = {}
    for r in ranked:
        groups.setdefault(r.gold, []).append(r)
    return {gold: evaluate(rs, threshold, ambiguity) for gold, rs in sorted(groups.items())}


def outcome(r: Ranked, threshold: float, ambiguity: float) -> str:
    """'right', 'wrong' or 'fallback' (needless), as the user would see it."""
    falls_back = r.top_confidence < threshold or r.top_confidence - r.second_confidence < ambiguity
    if r.gold == OUT_OF_SCOPE:
        return "right" if falls_back or r.top == OUT_OF_SCOPE else "wrong"
    if falls_back:
        return "fallback"
    return "right" if r.top == r.gold else "wrong"


@dataclass(frozen=True)
class Outcome:
    """Counts for one pair of thresholds."""

    threshold: float
    ambiguity: float
    right: int
    wrong: int
    fallback: int

    def cost(self, fallback_cost: float) -> float:
        """Wrong answers plus weighted needless fallbacks, per message."""
        total = self.right + self.wrong + self.fallback
        return (self.wrong + fallback_cost * self.fallback) / total


def evaluate(ranked: list[Ranked], threshold: float, ambiguity: float) -> Outcome:
    """Count the outcomes of all development messages."""
    kinds = [outcome(r, threshold, ambiguity) for r in ranked]
    return Outcome(
        threshold, ambiguity, kinds.count("right"), kinds.count("wrong"), kinds.count("fallback")
    )


def ranked_from_parse(gold: str, parsed: dict[str, Any]) -> Ranked:
    """The two best intents, ignoring the fallback the model itself may have added."""
    ranking = [i for i in parsed.get("intent_ranking", []) if i["name"] != FALLBACK]
    top: dict[str, Any] = ranking[0] if ranking else {"name": "", "confidence": 0.0}
    second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
    return Ranked(gold, str(top["name"]), float(top["confidence"]), float(second))


async def _parse_all(model: str, dev: list[tuple[str, str]]) -> list[Ranked]:
    from rasa.core.agent import Agent  # noqa: PLC0415 - heavy import

    agent = Agent.load(model)
    out = []
    for text, gold in dev:
        r = ranked_from_parse(gold, await agent.parse_message(text))
        out.append(Ranked(r.gold, r.top, r.top_confidence, r.second_confidence, text))
    return out


def print_details(ranked: list[Ranked], threshold: float, ambiguity: float) -> None:
    """Per intent, per language group and the commonest confusions, at one threshold."""
    print(f"\nAt threshold {threshold:.2f}, ambiguity {ambiguity:.2f}, per intent:\n")
    print("| intent | n | right | wrong answer | needless fallback |")
    print("|---|---:|---:|---:|---:|")
    for gold, o in by_intent(ranked, threshold, ambiguity).items():
        n = o.right + o.wrong + o.fallback
        print(f"| {gold} | {n} | {o.right} | {o.wrong} | {o.fallback} |")
    print("\n| language group | n | right | wrong answer | needless fallback |")
    print("|---|---:|---:|---:|---:|")
    groups: dict[str, list[Ranked]] = {}
    for r in ranked:
        groups.setdefault(script_of(r.text), []).append(r)
    for name, rs in sorted(groups.items()):
        o = evaluate(rs, threshold, ambiguity)
        print(f"| {name} | {len(rs)} | {o.right} | {o.wrong} | {o.fallback} |")
    pairs: dict[tuple[str, str], int] = {}
    for r in ranked:
        if r.top != r.gold:
            pairs[(r.gold, r.top)] = pairs.get((r.gold, r.top), 0) + 1
    print("\nCommonest confusions (gold -> top guess, any confidence):")
    for (gold, top), n in sorted(pairs.items(), key=lambda kv: -kv[1])[:20]:
        print(f"  {gold} -> {top}: {n}")


def main() -> None:
    """Train on the training split, then print the table of thresholds."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--dev-share", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--fallback-cost", type=float, default=0.3)
    parser.add_argument("--config", type=Path, default=REPO / "config.yml")
    parser.add_argument(
        "--details", type=float, metavar="THRESHOLD", help="also per intent at this threshold"
    )
    parser.add_argument(
        "--dump", type=Path, help="write every development message's outcome to this JSON file"
    )
    parser.add_argument(
        "--keep-model", type=Path, help="copy the model trained on the training split here"
    )
    args = parser.parse_args()
    quiet_rasa()
    train, dev = split(load_examples(), args.dev_share, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        model = train_on_split(train, args.config, Path(tmp))
        ranked = asyncio.run(_parse_all(str(model), dev))
        if args.keep_model:
            shutil.copy(model, args.keep_model)
    print(f"\n{len(dev)} development messages ({args.dev_share:.0%} of every intent), "
          f"trained on the rest; a needless fallback costs {args.fallback_cost}\n")  # fmt: skip
    print("| threshold | ambiguity | right | wrong answer | needless fallback | cost |")
    print("|---:|---:|---:|---:|---:|---:|")
    results = [evaluate(ranked, t / 100, a / 100) for t in range(20, 85, 5) for a in (0, 5, 10)]
    for o in results:
        print(f"| {o.threshold:.2f} | {o.ambiguity:.2f} | {o.right} | {o.wrong} | "
              f"{o.fallback} | {o.cost(args.fallback_cost):.4f} |")  # fmt: skip
    # On a tie, fewer wrong answers: people act on what we tell them.
    best = min(results, key=lambda o: (round(o.cost(args.fallback_cost), 4), o.wrong))
    print(f"\nLowest cost: threshold {best.threshold:.2f}, ambiguity {best.ambiguity:.2f}")
    if args.details is not None:
        print_details(ranked, args.details, 0.05)
    if args.dump:
        rows = [r.__dict__ for r in ranked]
        args.dump.write_text(json.dumps(rows, ensure_ascii=False, indent=0), encoding="utf-8")


if __name__ == "__main__":
    main()
