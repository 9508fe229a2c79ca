"""The frame of our stateless NLU components: each changes a message the same way in
training and at run time, and keeps nothing in the model (no training, no files)."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from typing_extensions import Self

__all__ = ["Stateless"]


class Stateless(GraphComponent):
    """Subclasses say what :meth:`change` does to one message, and how :meth:`from_config`
    builds them from their part of ``config.yml``."""

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Self:
        """The component for its settings in ``config.yml`` (default: none)."""
        return cls()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Self:
        """Rasa's constructor: only the settings count (nothing is stored)."""
        return cls.from_config(config)

    def change(self, message: Message) -> None:
        """Change one message in place."""
        raise NotImplementedError

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Change every training example."""
        for message in training_data.training_examples:
            self.change(message)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Change every incoming message."""
        for message in messages:
            self.change(message)
        return messages
