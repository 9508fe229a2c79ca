"""NLU benchmark: trains on nlu_data/, scores the synthetic held-out set and the real set.

Usage: .venv/bin/python -m bench.nlu_bench [--model models/poradnyk.tar.gz] [--errors]
       .venv/bin/python -m bench.nlu_bench --seeds 42 7 13 [--thresholds 0.5 0.55 0.6]
Prints, for tests/nlu/heldout.yml (written by us, apart from the training data): intent
accuracy and macro-F1 overall and per form, region accuracy, the fallback rate on
out-of-scope messages; for tests/nlu/real.yml (questions people asked in public, never
trained on): top-1, top-3, fallback and confident-wrong rates per language; and training
time and parse time per message.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from harness.nlu_metrics import (
    Example,
    Prediction,
    Scores,
    load_heldout,
    prediction_from_parse,
    score,
)
from harness.real_questions import RealQuestion, RealScores, load_real, score_real

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "config.yml"


def train(
    out_dir: Path,
    config: Path = CONFIG,
    nlu_data: Path = REPO / "nlu_data",
    name: str = "bench",
) -> tuple[Path, float]:
    """Train an NLU model (default: nlu_data/ with config.yml); returns (model, seconds)."""
    # A fresh cache: Rasa would otherwise reuse components trained earlier and report
    # a few seconds instead of the real training time.
    os.environ["RASA_CACHE_DIRECTORY"] = str(out_dir / "cache")
    from rasa.model_training import train_nlu  # noqa: PLC0415 - heavy import

    start = time.perf_counter()
    model = train_nlu(
        config=str(config),
        nlu_data=str(nlu_data),
        output=str(out_dir),
        fixed_model_name=name,
        domain=str(REPO / "domain.yml"),
    )
    if model is None:
        raise SystemExit("training failed")
    return Path(model), time.perf_counter() - start


async def predict(model: Path, texts: list[str]) -> list[Prediction]:
    """Parse every text with the model, timing each parse."""
    from rasa.core.agent import Agent  # noqa: PLC0415

    agent = Agent.load(str(model))
    await agent.parse_message("warm up")
    out = []
    for text in texts:
        start = time.perf_counter()
        result = await agent.parse_message(text)
        out.append(prediction_from_parse(result, time.perf_counter() - start))
    return out


def parse_both(
    model: Path, examples: list[Example], real: list[RealQuestion]
) -> tuple[list[Prediction], list[Prediction]]:
    """Parse the synthetic held-out set and the real set with ``model`` (in one run)."""
    everything = asyncio.run(predict(model, [e.text for e in examples] + [q.text for q in real]))
    return everything[: len(examples)], everything[len(examples) :]


def quiet_rasa() -> None:
    """Rasa logs every parse at debug level by default; keep the table readable."""
    from rasa.utils.common import configure_logging_and_warnings  # noqa: PLC0415
    from rasa.utils.log_utils import configure_structlog  # noqa: PLC0415

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)


def rewritten_config(
    config: Path, path: Path, change: Callable[[list[dict[str, Any]]], None]
) -> Path:
    """``config`` written to ``path`` after ``change`` edited its pipeline in place."""
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    change(settings.get("pipeline") or [])
    path.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def seeded_config(config: Path, seed: int, directory: Path) -> Path:
    """``config`` with the components' ``random_seed`` set to ``seed``, ``seed + 1``, ...

    (distinct: two seeded components never share one)."""

    def reseed(pipeline: list[dict[str, Any]]) -> None:
        seeded = [c for c in pipeline if "random_seed" in c]
        if not seeded:
            raise SystemExit(f"{config}: no component has a random_seed to vary")
        for offset, component in enumerate(seeded):
            component["random_seed"] = seed + offset

    return rewritten_config(config, directory / f"config-{seed}.yml", reseed)


def _fallback(pipeline: list[dict[str, Any]]) -> dict[str, Any]:
    """The pipeline's one ``FallbackClassifier`` (an error if there is none or several)."""
    (fallback,) = [c for c in pipeline if c.get("name") == "FallbackClassifier"]
    return fallback


def fallback_settings(config: Path) -> tuple[float, float]:
    """The ``FallbackClassifier``'s threshold and ambiguity threshold in ``config``."""
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    fallback = _fallback(settings["pipeline"])
    return float(fallback["threshold"]), float(fallback.get("ambiguity_threshold", 0.1))


def with_threshold(config: Path, threshold: float, path: Path) -> Path:
    """``config`` with another ``FallbackClassifier`` threshold and nothing else changed."""

    def set_threshold(pipeline: list[dict[str, Any]]) -> None:
        _fallback(pipeline)["threshold"] = threshold

    return rewritten_config(config, path, set_threshold)


def score_model(
    model: Path, examples: list[Example], real: list[RealQuestion]
) -> tuple[Scores, RealScores]:
    """The synthetic and the real scores of one trained model."""
    predictions, real_predictions = parse_both(model, examples, real)
    return score(examples, predictions), score_real(real, real_predictions)


def spread(seeds: list[int], config: Path = CONFIG, thresholds: tuple[float, ...] = ()) -> None:
    """Train ``config`` once per seed and print each training's figures and their range.

    With ``thresholds``, each training is also scored at those ``FallbackClassifier``
    thresholds: the same DIET (the training cache skips everything before the fallback)."""
    examples, real = load_heldout(), load_real()
    base, _ = fallback_settings(config)
    runs: list[tuple[int, float, Scores, RealScores]] = []
    swept: dict[float, list[tuple[Scores, RealScores]]] = {t: [] for t in thresholds}
    for seed in seeds:
        with tempfile.TemporaryDirectory() as tmp:
            seeded = seeded_config(config, seed, Path(tmp))
            model, seconds = train(Path(tmp), config=seeded)
            s, r = score_model(model, examples, real)
            for t in thresholds:
                if t == base:
                    swept[t].append((s, r))
                    continue
                other = with_threshold(seeded, t, Path(tmp) / f"config-{seed}-{t}.yml")
                retrained, _ = train(Path(tmp), other, name=f"threshold-{round(t * 100)}")
                swept[t].append(score_model(retrained, examples, real))
        runs.append((seed, seconds, s, r))
        # The table comes at the end; this line keeps a run stopped midway worth something.
        print(f"seed {seed}: {seconds:.0f} s, synthetic macro-F1 {s.macro_f1:.3f}, real top-1 "
              f"{r.overall.top1:.3f}, top-3 {r.overall.top3:.3f}, confident wrong "
              f"{r.overall.confident_wrong:.3f}", file=sys.stderr, flush=True)  # fmt: skip
    print(f"\nOne training per seed: synthetic held-out ({len(examples)}) and real ({len(real)})\n")
    print("| seed | training s | synthetic macro-F1 | worst form | real top-1 | real top-3 "
          "| real fallback | real confident wrong |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    rows = []
    for seed, seconds, s, r in runs:
        worst = worst_form(s)
        o = r.overall
        row = (s.macro_f1, o.top1, o.top3, o.fallback, o.confident_wrong)
        rows.append(row)
        print(f"| {seed} | {seconds:.0f} | {s.macro_f1:.3f} | {worst[0]} {worst[1]:.3f} "
              f"| {o.top1:.3f} | {o.top3:.3f} | {o.fallback:.3f} "
              f"| {o.confident_wrong:.3f} |")  # fmt: skip
    low = [min(column) for column in zip(*rows, strict=True)]
    high = [max(column) for column in zip(*rows, strict=True)]
    mean = [statistics.mean(column) for column in zip(*rows, strict=True)]
    for name, values in (("lowest", low), ("mean", mean), ("highest", high)):
        f1, top1, top3, fallback, wrong = values
        print(f"| {name} | | {f1:.3f} | | {top1:.3f} | {top3:.3f} | {fallback:.3f} | {wrong:.3f} |")
    if thresholds:
        print_thresholds(swept, base)


def worst_form(s: Scores) -> tuple[str, float]:
    """The form with the lowest macro-F1, and that macro-F1."""
    form, (_, f1, _) = min(s.by_form.items(), key=lambda kv: kv[1][1])
    return form, f1


def print_thresholds(swept: dict[float, list[tuple[Scores, RealScores]]], base: float) -> None:
    """Mean over the trainings at each fallback threshold (the worst form: its lowest)."""
    print("\nThe same trainings at other fallback thresholds (mean over the trainings)\n")
    print("| threshold | synthetic macro-F1 | worst form (lowest) | real top-1 | real top-3 "
          "| real fallback | real confident wrong |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for t, results in sorted(swept.items()):
        form, f1 = min((worst_form(s) for s, _ in results), key=lambda w: w[1])
        o = [r.overall for _, r in results]
        marker = " (config)" if t == base else ""
        print(f"| {t:.2f}{marker} | {statistics.mean(s.macro_f1 for s, _ in results):.3f} "
              f"| {form} {f1:.3f} | {statistics.mean(x.top1 for x in o):.3f} "
              f"| {statistics.mean(x.top3 for x in o):.3f} "
              f"| {statistics.mean(x.fallback for x in o):.3f} "
              f"| {statistics.mean(x.confident_wrong for x in o):.3f} |")  # fmt: skip


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, help="score this model instead of training one")
    parser.add_argument("--errors", action="store_true", help="list misclassified messages")
    parser.add_argument(
        "--seeds", type=int, nargs="+", help="train once per seed and print the spread"
    )
    parser.add_argument("--config", type=Path, default=CONFIG, help="the pipeline to train")
    parser.add_argument(
        "--thresholds",
        type=float,
        nargs="+",
        default=(),
        help="with --seeds: also score each training at these fallback thresholds",
    )
    args = parser.parse_args()
    if args.model and (args.seeds or args.config != CONFIG):
        parser.error("--model scores a model already trained: no --seeds or --config with it")
    if args.thresholds and not args.seeds:
        parser.error("--thresholds needs --seeds (it scores each training at each threshold)")
    quiet_rasa()
    if args.seeds:
        spread(args.seeds, args.config, tuple(args.thresholds))
        return
    examples = load_heldout()
    real = load_real()
    with tempfile.TemporaryDirectory() as tmp:
        if args.model:
            model, train_seconds = args.model, float("nan")
        else:
            model, train_seconds = train(Path(tmp), config=args.config)
        predictions, real_predictions = parse_both(model, examples, real)
    s = score(examples, predictions)
    real_scores = score_real(real, real_predictions)
    times = sorted(p.seconds * 1000 for p in predictions + real_predictions)
    print(f"\nHeld-out set: {len(examples)} messages (tests/nlu/heldout.yml)\n")
    print("| form | n | intent accuracy | macro-F1 |")
    print("|---|---:|---:|---:|")
    for form, (acc, f1, n) in s.by_form.items():
        print(f"| {form} | {n} | {acc:.3f} | {f1:.3f} |")
    print(f"| **all** | {len(examples)} | {s.accuracy:.3f} | {s.macro_f1:.3f} |")
    print()
    print("| measure | value |")
    print("|---|---:|")
    print(f"| region accuracy (messages naming a place) | {s.region_accuracy:.3f} |")
    print(f"| region false positives (messages naming none) | {s.region_false_positive_rate:.3f} |")
    print(f"| out-of-scope messages not answered with a topic | {s.oos_fallback_rate:.3f} |")
    print(f"| training time | {train_seconds:.0f} s |")
    print(f"| parse time per message, mean / p95 | {statistics.mean(times):.1f} ms / "
          f"{times[int(0.95 * (len(times) - 1))]:.1f} ms |")  # fmt: skip
    print_real(real_scores, len(real))
    if args.errors:
        print("\nMisclassified:")
        for example, predicted in s.errors:
            print(f"  [{example.form}] {example.intent} -> {predicted}: {example.text}")
        print("\nReal questions not answered right (top-1):")
        for question, got in real_scores.errors:
            print(f"  [{question.language}] {question.intent} -> {got.intent}: {question.text}")


def print_real(r: RealScores, n: int) -> None:
    """The real-question table."""
    print(f"\nReal questions: {n} (tests/nlu/real.yml, asked in public, never trained on)\n")
    print("| language | n | top-1 | top-3 | fallback | confident wrong |")
    print("|---|---:|---:|---:|---:|---:|")
    rows = [*r.by_language.items(), ("**all**", r.overall)]
    for lang, x in rows:
        if x.n:
            print(
                f"| {lang} | {x.n} | {x.top1:.3f} | {x.top3:.3f} | {x.fallback:.3f} "
                f"| {x.confident_wrong:.3f} |"
            )


if __name__ == "__main__":
    main()
