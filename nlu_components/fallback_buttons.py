"""Orders the topics the fallback offers as buttons with a second opinion.

When DIET is unsure (the FallbackClassifier chose ``nlu_fallback``), the person gets the
likeliest topics as buttons. DIET's own order there is least reliable, so the buttons
are ordered by DIET's confidence blended with the similarity of the message to each
intent's training examples taken together (:mod:`nlu_components.topic_centroids`). Nothing
else changes: a message DIET is sure of keeps its intent and ranking, so the answer, the
fallback rate and every held-out figure of answered messages stay as they were.

The blend's weight and temperature were chosen on a development split of the training
data (README, "NLU choices"), never on a test set.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from typing_extensions import Self

from nlu_components.topic_centroids import TopicCentroids, blend

__all__ = ["FallbackButtonRanker"]

_FILE = "documents.json"
_FALLBACK = DEFAULT_NLU_FALLBACK_INTENT_NAME


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class FallbackButtonRanker(GraphComponent):
    """Re-orders the ranking of a fallback message by DIET blended with topic centroids."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Weight of the centroids' opinion and the temperature of their softmax."""
        return {"weight": 0.7, "temperature": 0.02}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        centroids: TopicCentroids | None = None,
    ) -> None:
        self._weight = float(config["weight"])
        self._temperature = float(config["temperature"])
        self._storage = model_storage
        self._resource = resource
        self._centroids = centroids

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Self:
        """An untrained ranker (it leaves every message as it is)."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """One document per intent from the training examples; kept as plain text."""
        examples: dict[str, list[str]] = {}
        for message in training_data.intent_examples:
            intent, text = message.get(INTENT), message.get(TEXT)
            if intent and text:
                examples.setdefault(str(intent), []).append(str(text))
        documents = TopicCentroids.documents_of(examples)
        self._centroids = TopicCentroids(documents) if documents else None
        with self._storage.write_to(self._resource) as directory:
            (directory / _FILE).write_text(json.dumps(documents, ensure_ascii=False), "utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> Self:
        """Rebuilds the centroids from the stored documents (no pickled objects)."""
        try:
            with model_storage.read_from(resource) as directory:
                documents = json.loads((directory / _FILE).read_text("utf-8"))
        except (ValueError, OSError):
            return cls.create(config, model_storage, resource, execution_context)
        centroids = TopicCentroids(documents) if documents else None
        return cls(config, model_storage, resource, centroids)

    def process(self, messages: list[Message]) -> list[Message]:
        """Re-order the ranking after ``nlu_fallback`` of every fallback message."""
        if self._centroids is None:
            return messages
        for message in messages:
            intent = message.get(INTENT) or {}
            ranking = message.get(INTENT_RANKING_KEY) or []
            if intent.get(INTENT_NAME_KEY) != _FALLBACK or not ranking:
                continue
            head = [r for r in ranking if r.get(INTENT_NAME_KEY) == _FALLBACK]
            rest = [r for r in ranking if r.get(INTENT_NAME_KEY) != _FALLBACK]
            confidences = {
                str(r[INTENT_NAME_KEY]): float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0) for r in rest
            }
            similarities = self._centroids.similarities(str(message.get(TEXT) or ""))
            scores = blend(confidences, similarities, self._weight, self._temperature)
            # As long as DIET's ranking; an intent DIET left out counts with confidence 0.
            best = sorted(scores.items(), key=lambda kv: -kv[1])[: len(rest)]
            reordered = [{INTENT_NAME_KEY: n, PREDICTED_CONFIDENCE_KEY: s} for n, s in best]
            message.set(INTENT_RANKING_KEY, head + reordered, add_to_output=True)
        return messages
