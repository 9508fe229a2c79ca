"""The fallback's buttons: ordered by DIET blended with topic centroids, only on fallback."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.fallback_buttons import FallbackButtonRanker
from nlu_components.topic_centroids import TopicCentroids, blend

EXAMPLES = {
    "health_insurance": [
        "jak si zaplatit zdravotní pojištění",
        "яка страховка мені потрібна",
        "who pays my health insurance",
    ],
    "housing": ["hledám byt k pronájmu", "де знайти житло", "how do I rent a flat"],
    "travel": [
        "můžu jet na Slovensko",
        "чи можна поїхати додому в Україну",
        "can I travel to Poland",
    ],
}


def _ranker(tmp_path: Path, config: dict[str, float] | None = None) -> FallbackButtonRanker:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "ranker")
    settings = {**FallbackButtonRanker.get_default_config(), **(config or {})}
    ranker = FallbackButtonRanker.create(settings, storage, Resource("ranker"), context)
    training = [
        Message(data={TEXT: text, INTENT: intent})
        for intent, texts in EXAMPLES.items()
        for text in texts
    ]
    ranker.train(TrainingData(training))
    return ranker


def _parsed(text: str, top: str, ranking: list[tuple[str, float]]) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": top, "confidence": ranking[0][1]})
    entries = [{"name": n, "confidence": c} for n, c in ranking]
    if top == "nlu_fallback":
        entries.insert(0, {"name": "nlu_fallback", "confidence": 0.55})
    message.set(INTENT_RANKING_KEY, entries)
    return message


def _names(message: Message) -> list[str]:
    return [r["name"] for r in message.get(INTENT_RANKING_KEY)]


def test_blend_weighs_confidence_against_a_softmax_of_the_similarities() -> None:
    confidences = {"a": 0.6, "b": 0.4}
    assert blend(confidences, {"a": 0.1, "b": 0.9}, 0.0, 0.02) == pytest.approx(confidences)
    only = blend(confidences, {"a": 0.1, "b": 0.3}, 1.0, 0.1)
    assert sum(only.values()) == pytest.approx(1.0)
    assert only["b"] > 0.85
    half = blend(confidences, {"a": 0.2, "b": 0.2}, 0.5, 0.02)
    assert half == pytest.approx({"a": 0.55, "b": 0.45})


def test_centroids_meet_across_scripts() -> None:
    centroids = TopicCentroids(TopicCentroids.documents_of(EXAMPLES))
    # "strakhovka" was only ever written in Cyrillic; canonical spellings meet.
    sims = centroids.similarities("potribna strakhovka")
    assert max(sims, key=sims.__getitem__) == "health_insurance"
    sims = centroids.similarities("Чи можу я поїхати до Польщі")
    assert max(sims, key=sims.__getitem__) == "travel"


def test_a_fallback_ranking_is_reordered_and_an_answer_is_not(tmp_path: Path) -> None:
    ranker = _ranker(tmp_path)
    ranking = [("housing", 0.40), ("travel", 0.35), ("health_insurance", 0.25)]
    unsure = _parsed("kdo mi zaplatí pojištění", "nlu_fallback", ranking)
    sure = _parsed("kdo mi zaplatí pojištění", "housing", [("housing", 0.9), *ranking[1:]])
    ranker.process([unsure, sure])
    assert _names(unsure)[:2] == ["nlu_fallback", "health_insurance"]
    assert sorted(_names(unsure)) == sorted(["nlu_fallback", *(n for n, _ in ranking)])
    confidences = [r["confidence"] for r in unsure.get(INTENT_RANKING_KEY)[1:]]
    assert confidences == sorted(confidences, reverse=True)
    assert _names(sure) == ["housing", "travel", "health_insurance"]
    assert sure.get(INTENT)["name"] == "housing"


def test_weight_zero_keeps_diets_order(tmp_path: Path) -> None:
    ranker = _ranker(tmp_path, {"weight": 0.0})
    ranking = [("housing", 0.40), ("travel", 0.35), ("health_insurance", 0.25)]
    unsure = _parsed("kdo mi zaplatí pojištění", "nlu_fallback", ranking)
    ranker.process([unsure])
    assert _names(unsure) == ["nlu_fallback", "housing", "travel", "health_insurance"]


def test_the_trained_ranker_loads_from_the_model(tmp_path: Path) -> None:
    _ranker(tmp_path)
    context = ExecutionContext(GraphSchema({}), "ranker")
    loaded = FallbackButtonRanker.load(
        FallbackButtonRanker.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("ranker"),
        context,
    )
    unsure = _parsed("где найти жилье", "nlu_fallback", [("travel", 0.5), ("housing", 0.3)])
    loaded.process([unsure])
    assert _names(unsure)[1] == "housing"
