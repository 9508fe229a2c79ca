"""No training example equals a message of an evaluation set (counted, never shown)."""

from __future__ import annotations

from bench.leak_check import EXAMPLE_LINE, normalise
from harness.nlu_metrics import REPO_ROOT, load_heldout
from harness.real_questions import load_real


def test_normalise_drops_case_accents_and_punctuation() -> None:
    assert normalise("  Jak  prodloužit OCHRANU?! ") == "jak prodlouzit ochranu"
    assert normalise("Що робити з ВЗП…") == normalise("що робити з взп")


def test_no_training_line_equals_an_evaluation_message() -> None:
    evaluation = {normalise(e.text) for e in load_heldout()} | {
        normalise(q.text) for q in load_real()
    }
    lines = [
        normalise(m.group(1))
        for path in sorted((REPO_ROOT / "nlu_data").rglob("*.yml"))
        if path.name != "lookups.yml"  # word lists of a field, not labelled messages
        for line in path.read_text(encoding="utf-8").splitlines()
        if (m := EXAMPLE_LINE.match(line))
    ]
    assert len(lines) > 5000  # the examples were found
    leaked = sum(line in evaluation for line in lines)
    assert leaked == 0  # only the count: run `python -m bench.leak_check --remove`
