"""Chooses how the fallback orders its buttons, on a development split of the training data.

Usage: .venv/bin/python -m bench.fallback_buttons [--dev-share 0.2] [--seeds 42 7]

For each seed: holds out a share of every intent's training examples (never a test file),
trains the pipeline of config.yml without the ``FallbackButtonRanker`` on the rest, and
parses the development examples. For the messages that would get the fallback (below the
FallbackClassifier's thresholds; out of scope left aside), it counts how often a right
topic is among the three buttons, for each weight and temperature of the blend of DIET's
confidences with the topic centroids of the training split
(:mod:`nlu_components.topic_centroids`). Weight 0 is DIET's own order.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.fallback_threshold import split, train_on_split
from bench.nlu_bench import fallback_settings, quiet_rasa, rewritten_config
from harness.nlu_metrics import load_examples
from nlu_components.topic_centroids import TopicCentroids, blend

REPO = Path(__file__).resolve().parent.parent
RANKER = "nlu_components.fallback_buttons.FallbackButtonRanker"
BUTTONS = 3

__all__ = ["RANKER", "Parsed", "Unsure", "hit_rate", "main", "unsure_messages", "without_ranker"]


Parsed = tuple[str, str, dict[str, float]]
"""A development message's text, gold intent and DIET's confidences."""


@dataclass(frozen=True)
class Unsure:
    """A development message DIET was unsure of: its text, gold intent and DIET's ranking."""

    text: str
    gold: str
    confidences: dict[str, float]


def unsure_messages(parsed: list[Parsed], threshold: float, ambiguity: float) -> list[Unsure]:
    """The messages that get the fallback, out of scope left aside (no button is right)."""
    out = []
    for text, gold, confidences in parsed:
        ranked = [*sorted(confidences.values(), reverse=True), 0.0, 0.0]
        if gold != "out_of_scope" and (ranked[0] < threshold or ranked[0] - ranked[1] < ambiguity):
            out.append(Unsure(text, gold, confidences))
    return out


def hit_rate(
    unsure: list[Unsure], centroids: TopicCentroids, weight: float, temperature: float
) -> float:
    """Share of ``unsure`` whose gold intent is among the first three of the blend."""
    if not unsure:
        return 0.0
    hits = 0
    for u in unsure:
        scores = blend(u.confidences, centroids.similarities(u.text), weight, temperature)
        first = sorted(scores, key=lambda n: -scores[n])[:BUTTONS]
        hits += u.gold in first
    return hits / len(unsure)


def without_ranker(config: Path, directory: Path) -> Path:
    """``config`` without the FallbackButtonRanker (DIET's ranking as it comes)."""

    def drop_ranker(pipeline: list[dict[str, Any]]) -> None:
        pipeline[:] = [c for c in pipeline if c.get("name") != RANKER]

    return rewritten_config(config, directory / "config.yml", drop_ranker)


async def _parse(model: Path, dev: list[tuple[str, str]]) -> list[Parsed]:
    from rasa.core.agent import Agent  # noqa: PLC0415 - heavy import

    agent = Agent.load(str(model))
    out = []
    for text, gold in dev:
        parsed = await agent.parse_message(text)
        ranking = parsed.get("intent_ranking") or []
        confidences = {
            r["name"]: float(r["confidence"]) for r in ranking if r["name"] != "nlu_fallback"
        }
        out.append((text, gold, confidences))
    return out


def main() -> None:
    """Train once per seed, then print the table of weights and temperatures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--dev-share", type=float, default=0.2)
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 7])
    parser.add_argument("--config", type=Path, default=REPO / "config.yml")
    args = parser.parse_args()
    quiet_rasa()
    threshold, ambiguity = fallback_settings(args.config)
    examples = load_examples()
    runs: list[tuple[list[Unsure], TopicCentroids]] = []
    for seed in args.seeds:
        train, dev = split(examples, args.dev_share, seed)
        with tempfile.TemporaryDirectory() as tmp:
            model = train_on_split(train, without_ranker(args.config, Path(tmp)), Path(tmp))
            parsed = asyncio.run(_parse(model, dev))
        centroids = TopicCentroids(TopicCentroids.documents_of(train))
        runs.append((unsure_messages(parsed, threshold, ambiguity), centroids))
    sizes = " and ".join(str(len(u)) for u, _ in runs)
    print(f"\nDevelopment messages that get the fallback (seeds {args.seeds}): {sizes}.")
    print("Share whose right topic is among the three buttons (mean over the seeds):\n")
    temperatures = (0.01, 0.02, 0.05, 0.1)
    print("| weight | " + " | ".join(f"T {t}" for t in temperatures) + " |")
    print("|---:|" + "---:|" * len(temperatures))
    for tenth in range(11):
        weight = tenth / 10
        cells = []
        for temperature in temperatures:
            rates = [hit_rate(u, c, weight, temperature) for u, c in runs]
            cells.append(f"{sum(rates) / len(rates):.3f}")
        print(f"| {weight:.1f} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
