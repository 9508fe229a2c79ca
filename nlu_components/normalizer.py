"""Gives every token a canonical Latin spelling, used by the featurizers as its "lemma".

People write the same Ukrainian word as "страховка", "strakhovka" or "strahovka", Russian
as "как"/"kak", and Czech with or without diacritics ("pojištění"/"pojisteni"). Mapping
all of them to one spelling lets an example in one script teach the others. The message
text and token offsets are untouched, so entities and logs see what the user wrote.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from poradnyk.spelling import canonical

__all__ = ["TokenNormalizer"]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class TokenNormalizer(GraphComponent):
    """Sets each token's lemma to its canonical spelling (see :func:`canonical`)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TokenNormalizer:
        """No state: the mapping is fixed."""
        return cls()

    @staticmethod
    def _normalize(message: Message) -> None:
        for token in message.get(TOKENS_NAMES[TEXT]) or []:
            token.lemma = canonical(token.text)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalize the tokens of every training example."""
        for message in training_data.training_examples:
            self._normalize(message)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Normalize the tokens of incoming messages."""
        for message in messages:
            self._normalize(message)
        return messages
