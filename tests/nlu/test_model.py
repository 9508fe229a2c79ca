"""Regression floor of the trained model on the held-out set, through the real Rasa server.

The benchmark (bench/nlu_bench.py) carries the ambitious targets; this test only makes
sure a change that breaks the model fails the suite.
"""

from __future__ import annotations

import httpx

from harness.nlu_metrics import load_heldout, prediction_from_parse, score
from harness.stack import Stack

FLOOR_ACCURACY = 0.85
FLOOR_MACRO_F1 = 0.88
FLOOR_FORM_ACCURACY = 0.75
FLOOR_REGION = 0.85


def test_heldout_accuracy_stays_above_the_floor(stack: Stack) -> None:
    examples = load_heldout()
    with httpx.Client(base_url=stack.rasa_url, timeout=30) as client:
        predictions = [
            prediction_from_parse(client.post("/model/parse", json={"text": e.text}).json(), 0.0)
            for e in examples
        ]
    s = score(examples, predictions)
    assert s.accuracy >= FLOOR_ACCURACY
    assert s.macro_f1 >= FLOOR_MACRO_F1
    assert s.region_accuracy >= FLOOR_REGION
    assert s.region_false_positive_rate <= 0.02
    low = {form: acc for form, (acc, _, _) in s.by_form.items() if acc < FLOOR_FORM_ACCURACY}
    assert low == {}
