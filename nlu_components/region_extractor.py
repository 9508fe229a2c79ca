"""Finds the user's region (one of the 14 kraj codes) from city and region names.

Names are matched as whole words in lower case with accents removed, so "v Brně",
"у Брно", "Brne" and "in Brno" all give ``jihomoravsky``. The patterns live in
``regions.yml`` beside this file, which staff can extend without retraining.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

__all__ = ["RegionExtractor", "RegionMatcher", "normalize"]

_PATTERNS_FILE = Path(__file__).with_name("regions.yml")


def normalize(text: str) -> str:
    """Lower case without combining accents; keeps string length for offsets."""
    out = []
    for ch in text.lower():
        base = unicodedata.normalize("NFD", ch)[0]
        out.append(base)
    return "".join(out)


class RegionMatcher:
    """Matches region name patterns; the longest overlapping match wins."""

    def __init__(self, patterns: dict[str, list[str]]) -> None:
        self._patterns = [
            (code, re.compile(rf"(?<!\w){normalize(p)}(?!\w)"))
            for code, plist in patterns.items()
            for p in plist
        ]

    @classmethod
    def from_file(cls, path: Path = _PATTERNS_FILE) -> RegionMatcher:
        """Load the patterns from a YAML file (region code -> list of regexes)."""
        with path.open(encoding="utf-8") as fh:
            return cls(yaml.safe_load(fh))

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, region code) of each place named in ``text``."""
        norm = normalize(text)
        found = [
            (m.start(), m.end(), code) for code, rx in self._patterns for m in rx.finditer(norm)
        ]
        found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
        chosen: list[tuple[int, int, str]] = []
        for start, end, code in found:
            if all(end <= s or start >= e for s, e, _ in chosen):
                chosen.append((start, end, code))
        return sorted(chosen)


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
