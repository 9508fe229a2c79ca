"""No training example equals a message of an evaluation set (counted, never shown)."""

from __future__ import annotations

from bench.leak_check import evaluation_sets, example_files, example_key, normalise


def test_normalise_drops_case_accents_and_punctuation() -> None:
    assert normalise("  Jak  prodloužit OCHRANU?! ") == "jak prodlouzit ochranu"
    assert normalise("Що робити з ВЗП…") == normalise("що робити з взп")


def test_no_training_line_equals_an_evaluation_message() -> None:
    evaluation = set().union(*evaluation_sets().values())
    lines = [
        key
        for path in example_files()
        for line in path.read_text(encoding="utf-8").splitlines()
        if (key := example_key(line))
    ]
    assert len(lines) > 5000  # the examples were found
    leaked = sum(line in evaluation for line in lines)
    assert leaked == 0  # only the count: run `python -m bench.leak_check --remove`
