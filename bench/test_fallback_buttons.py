"""The button tuning counts what the fallback would offer, on messages it would get."""

from __future__ import annotations

from pathlib import Path

import yaml

from bench.fallback_buttons import RANKER, Unsure, hit_rate, unsure_messages, without_ranker
from nlu_components.topic_centroids import TopicCentroids

CENTROIDS = TopicCentroids(
    TopicCentroids.documents_of(
        {
            "health_insurance": ["zdravotní pojištění", "страховка"],
            "housing": ["byt k pronájmu", "житло"],
            "travel": ["cesta na Slovensko", "поїздка"],
            "work": ["práce", "робота"],
        }
    )
)


def test_only_messages_that_get_the_fallback_count() -> None:
    parsed = [
        ("sure", "housing", {"housing": 0.9, "work": 0.1}),
        ("low", "housing", {"work": 0.4, "housing": 0.3}),
        ("close", "housing", {"housing": 0.6, "work": 0.58}),
        ("nothing fits", "out_of_scope", {"work": 0.3}),
    ]
    assert [u.text for u in unsure_messages(parsed, 0.55, 0.05)] == ["low", "close"]


def test_weight_zero_is_diets_order_and_the_centroids_can_lift_the_right_topic() -> None:
    unsure = [
        Unsure(
            "potřebuji zdravotní pojištění",
            "health_insurance",
            {"work": 0.4, "housing": 0.3, "travel": 0.2, "health_insurance": 0.1},
        )
    ]
    assert hit_rate(unsure, CENTROIDS, 0.0, 0.02) == 0.0
    assert hit_rate(unsure, CENTROIDS, 0.7, 0.02) == 1.0
    assert hit_rate([], CENTROIDS, 0.7, 0.02) == 0.0


def test_the_development_model_is_trained_without_the_ranker(tmp_path: Path) -> None:
    config = Path(__file__).resolve().parent.parent / "config.yml"
    assert RANKER in config.read_text(encoding="utf-8")
    stripped = yaml.safe_load(without_ranker(config, tmp_path).read_text(encoding="utf-8"))
    names = [c["name"] for c in stripped["pipeline"]]
    assert RANKER not in names
    assert "DIETClassifier" in names and "FallbackClassifier" in names
