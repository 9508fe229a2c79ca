"""Language benchmark: our detector against raw langdetect and lingua, on a labelled set.

Usage: .venv/bin/python -m bench.language_bench   (installs lingua-language-detector for
the comparison only, if missing). The set is bench/data/language_labelled.yml (the test
set); ``--data bench/data/language_dev.yml`` runs the development set used for tuning.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import yaml

from bot.language import detect_language

DATA = Path(__file__).resolve().parent / "data" / "language_labelled.yml"
FORMS = ("cs", "cs_nodia", "uk", "uk_latin", "ru", "en", "mixed")
LENGTHS = ("word1", "words2_3", "sentence")
# What the bot would answer for each language the open-set detectors may return.
ANSWER_FOR = {"cs": "cs", "sk": "cs", "uk": "uk", "ru": "uk", "be": "uk", "en": "en"}


def raw_langdetect() -> Callable[[str], str]:
    """langdetect as most projects use it: all 55 profiles, seeded."""
    from langdetect import DetectorFactory, detect  # noqa: PLC0415
    from langdetect.lang_detect_exception import LangDetectException  # noqa: PLC0415

    DetectorFactory.seed = 0

    def run(text: str) -> str:
        try:
            return ANSWER_FOR.get(detect(text), "other")
        except LangDetectException:
            return "other"

    return run


def lingua_restricted() -> Callable[[str], str]:
    """lingua restricted to Czech, Slovak, Ukrainian, Russian and English."""
    if importlib.util.find_spec("lingua") is None:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "lingua-language-detector==2.1.1"],
            check=True,
        )
    from lingua import Language, LanguageDetectorBuilder  # noqa: PLC0415

    detector = LanguageDetectorBuilder.from_languages(
        Language.CZECH, Language.SLOVAK, Language.UKRAINIAN, Language.RUSSIAN, Language.ENGLISH
    ).build()

    def run(text: str) -> str:
        found = detector.detect_language_of(text)
        return ANSWER_FOR.get(found.iso_code_639_1.name.lower(), "other") if found else "other"

    return run


def main() -> None:
    """Print accuracy per form and length, and overall, for each detector."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--data", type=Path, default=DATA, help="labelled set (default: the test set)"
    )
    data = parser.parse_args().data.resolve()
    items = yaml.safe_load(data.read_text(encoding="utf-8"))
    detectors: dict[str, Callable[[str], str]] = {
        "langdetect (open set)": raw_langdetect(),
        "lingua (5 languages)": lingua_restricted(),
        "Poradnyk": detect_language,
    }
    correct: dict[str, dict[tuple[str, str], int]] = {d: defaultdict(int) for d in detectors}
    total: dict[tuple[str, str], int] = defaultdict(int)
    timing: dict[str, float] = {}
    for name, run in detectors.items():
        start = time.perf_counter()
        for item in items:
            key = (item["form"], item["length"])
            correct[name][key] += run(item["text"]) == item["expected"]
        timing[name] = (time.perf_counter() - start) / len(items) * 1000
    for item in items:
        total[(item["form"], item["length"])] += 1

    def acc(name: str, keys: list[tuple[str, str]]) -> str:
        n = sum(total[k] for k in keys)
        return f"{sum(correct[name][k] for k in keys) / n:.3f}" if n else "–"

    names = list(detectors)
    shown = data.relative_to(DATA.parents[2]) if data.is_relative_to(DATA.parents[2]) else data
    print(f"\n{len(items)} labelled messages ({shown})\n")
    print("| form | length | n | " + " | ".join(names) + " |")
    print("|---|---|---:|" + "---:|" * len(names))
    for form in FORMS:
        for length in LENGTHS:
            keys = [(form, length)]
            n = total[(form, length)]
            print(f"| {form} | {length} | {n} | " + " | ".join(acc(d, keys) for d in names) + " |")
    multi = [k for k in total if k[1] != "word1"]
    print(f"| **all** | 2+ words | {sum(total[k] for k in multi)} | "
          + " | ".join(f"**{acc(d, multi)}**" for d in names) + " |")  # fmt: skip
    single = [k for k in total if k[1] == "word1"]
    print(f"| **all** | 1 word | {sum(total[k] for k in single)} | "
          + " | ".join(acc(d, single) for d in names) + " |")  # fmt: skip
    print("| time per message | | | " + " | ".join(f"{timing[d]:.2f} ms" for d in names) + " |")


if __name__ == "__main__":
    main()
