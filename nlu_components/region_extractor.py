"""Rasa component that adds ``region`` entities (a region code) found by the core matcher.

The matching itself is :mod:`poradnyk.regions` (a pure function of the text, shared with
the staff tools); this module only adapts it to Rasa's graph.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from poradnyk.regions import RegionMatcher

__all__ = ["RegionExtractor"]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class RegionExtractor(GraphComponent, EntityExtractorMixin):
    """Adds ``region`` entities whose value is the region code."""

    def __init__(self, matcher: RegionMatcher) -> None:
        self._matcher = matcher

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RegionExtractor:
        """Build the extractor from the patterns file."""
        return cls(RegionMatcher.from_file())

    def process(self, messages: list[Message]) -> list[Message]:
        """Add the regions named in each message to its entities."""
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            entities = [
                {
                    "entity": "region",
                    "start": start,
                    "end": end,
                    "value": code,
                    "confidence_entity": 1.0,
                    "extractor": self.__class__.__name__,
                }
                for start, end, code in self._matcher.find(text)
            ]
            if entities:
                message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages
