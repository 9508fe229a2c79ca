"""Gives every token a canonical Latin spelling, used by the featurizers as its "lemma".

People write the same Ukrainian word as "страховка", "strakhovka" or "strahovka", Russian
as "как"/"kak", and Czech with or without diacritics ("pojištění"/"pojisteni"). Mapping
all of them to one spelling lets an example in one script teach the others. The message
text and token offsets are untouched, so entities and logs see what the user wrote.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_components.stateless import Stateless
from poradnyk.spelling import canonical

__all__ = ["TokenNormalizer"]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class TokenNormalizer(Stateless):
    """Sets each token's lemma to its canonical spelling (see :func:`canonical`)."""

    def change(self, message: Message) -> None:
        """Normalize the message's tokens."""
        for token in message.get(TOKENS_NAMES[TEXT]) or []:
            token.lemma = canonical(token.text)
