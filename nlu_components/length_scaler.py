"""Keeps the bag-of-n-grams of a long message from making the classifier over-confident.

With no transformer layers, DIET classifies a message from its sentence-level sparse
features alone: the n-gram counts of the whole message. Those counts grow with the length
of the message, and so do the similarities DIET turns into confidences: a long question,
the way real people write (their situation first, several questions in one), gets an
extreme confidence for whichever topic its words lean to. Dividing the counts by the
square root of the number of tokens (the norm a sum of that many token vectors grows
with) leaves short messages almost as they were and stops the growth.
"""

from __future__ import annotations

import math
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_components.stateless import Stateless

__all__ = ["SentenceLengthScaler"]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceLengthScaler(Stateless):
    """Divides the sentence-level count features of the text by sqrt(number of tokens)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Which featurizers' features to scale (their component names; empty: all sparse)."""
        return {"origins": []}

    def __init__(self, origins: list[str]) -> None:
        self._origins = set(origins)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SentenceLengthScaler:
        """No state: the scaling is a fixed function of the message."""
        return cls(list(config.get("origins") or []))

    def change(self, message: Message) -> None:
        """Scale the message's sentence-level sparse features."""
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        if len(tokens) <= 1:
            return
        factor = 1.0 / math.sqrt(len(tokens))
        for feature in message.features:
            if (
                feature.attribute == TEXT
                and feature.type == FEATURE_TYPE_SENTENCE
                and feature.is_sparse()
                and (not self._origins or feature.origin in self._origins)
            ):
                feature.features = (feature.features.astype("float32") * factor).tocoo()
