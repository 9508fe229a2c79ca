"""Counts training lines equal to a message of an evaluation set, and removes new ones.

Usage: .venv/bin/python -m bench.leak_check [--base REF] [--remove]

Compares every example line of nlu_data/ (topics, meta intents) with every message of
tests/nlu/heldout.yml and tests/nlu/real.yml after lower-casing, dropping accents and
punctuation and collapsing spaces. Prints COUNTS only, never a message: the evaluation
sets must stay unread by whoever writes training data. With ``--remove``, the matching
lines that are new since ``--base`` (lines the base commit's file does not have) are
deleted from their files, unread; older matches are only counted.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import unicodedata
from pathlib import Path

from harness.nlu_metrics import REPO_ROOT, load_heldout
from harness.real_questions import load_real

__all__ = ["evaluation_sets", "example_files", "example_key", "main", "normalise"]

_EXAMPLE_LINE = re.compile(r"^\s+- (.*)$")
_NOT_WORD = re.compile(r"[^\w]+")


def normalise(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    # Dropping every combining mark (also Cyrillic й -> и) makes the match looser, so it
    # finds more possible leaks, never fewer.
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", bare).split())


def evaluation_sets() -> dict[str, set[str]]:
    """The messages of each evaluation set, normalised."""
    return {
        "heldout": {normalise(e.text) for e in load_heldout()},
        "real": {normalise(q.text) for q in load_real()},
    }


def example_files() -> list[Path]:
    """The training files of labelled examples (topics, meta intents); not lookups.yml:
    word lists of a field, not labelled messages (README)."""
    return [p for p in sorted((REPO_ROOT / "nlu_data").rglob("*.yml")) if p.name != "lookups.yml"]


def example_key(line: str) -> str:
    """The normalised example of a training line ("" if the line holds none)."""
    m = _EXAMPLE_LINE.match(line.rstrip("\n"))
    return normalise(m.group(1)) if m else ""


def _base_lines(ref: str, path: Path) -> set[str]:
    rel = path.relative_to(REPO_ROOT).as_posix()
    shown = subprocess.run(
        ["git", "show", f"{ref}:{rel}"], check=False, cwd=REPO_ROOT, capture_output=True, text=True
    )
    return set(shown.stdout.splitlines()) if shown.returncode == 0 else set()


def main() -> None:
    """Count (and optionally remove) training lines equal to evaluation messages."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--base", help="lines in this commit's files are old (default: merge base with main)"
    )
    parser.add_argument("--remove", action="store_true", help="delete matching new lines")
    args = parser.parse_args()
    if args.base is None:
        args.base = subprocess.run(
            ["git", "merge-base", "HEAD", "main"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    sets = evaluation_sets()
    heldout, real = sets["heldout"], sets["real"]
    counts = {"old heldout": 0, "old real": 0, "new heldout": 0, "new real": 0, "removed": 0}
    for path in example_files():
        base = _base_lines(args.base, path)
        kept: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            key = example_key(line)
            hit_h, hit_r = bool(key) and key in heldout, bool(key) and key in real
            age = "old" if line.rstrip("\n") in base else "new"
            counts[f"{age} heldout"] += hit_h
            counts[f"{age} real"] += hit_r
            if args.remove and age == "new" and (hit_h or hit_r):
                counts["removed"] += 1
                continue
            kept.append(line)
        if args.remove:
            path.write_text("".join(kept), encoding="utf-8")
    for name, n in counts.items():
        print(f"{name}: {n}")


if __name__ == "__main__":
    main()
