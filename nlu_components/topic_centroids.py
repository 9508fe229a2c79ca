"""A second, simpler opinion on which intents a message is about: one TF-IDF "centroid"
per intent (all its training examples as one document), compared by cosine similarity.

Words and character 3-5-grams of the canonical spelling (:func:`canonical`), so Cyrillic,
Latin-script Ukrainian and Czech without diacritics meet. Much weaker than DIET where DIET
is sure, but it ranks differently where DIET is unsure: a whole intent's vocabulary
against the message, not the few words DIET learned to lean on. Nothing here imports Rasa.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

from sklearn.feature_extraction.text import TfidfVectorizer

from poradnyk.spelling import canonical

__all__ = ["TopicCentroids", "blend"]

_WORD = re.compile(r"\w+")


def _canonical_text(text: str) -> str:
    return " ".join(canonical(word) for word in _WORD.findall(text.lower()))


class TopicCentroids:
    """Cosine similarity of a message to every intent's examples taken together."""

    def __init__(self, documents: Mapping[str, str]) -> None:
        """``documents``: intent -> all its examples joined (see :meth:`documents_of`)."""
        self.labels = sorted(documents)
        texts = [_canonical_text(documents[label]) for label in self.labels]
        self._parts = []
        for analyzer, ngrams in (("word", (1, 1)), ("char_wb", (3, 5))):
            vectorizer = TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams, sublinear_tf=True)
            matrix = vectorizer.fit_transform(texts)
            self._parts.append((vectorizer, matrix))

    @staticmethod
    def documents_of(examples: Mapping[str, Sequence[str]]) -> dict[str, str]:
        """Intent -> its examples as one document."""
        return {intent: "\n".join(texts) for intent, texts in examples.items() if texts}

    def similarities(self, text: str) -> dict[str, float]:
        """Intent -> cosine similarity (the mean over words and character n-grams)."""
        query = [_canonical_text(text)]
        total = [0.0] * len(self.labels)
        for vectorizer, matrix in self._parts:
            row = (vectorizer.transform(query) @ matrix.T).toarray()[0]
            total = [t + float(s) for t, s in zip(total, row, strict=True)]
        return {label: t / len(self._parts) for label, t in zip(self.labels, total, strict=True)}


def blend(
    confidences: Mapping[str, float],
    similarities: Mapping[str, float],
    weight: float,
    temperature: float,
) -> dict[str, float]:
    """``(1 - weight) * confidence + weight * softmax(similarity / temperature)``."""
    names = sorted(set(confidences) | set(similarities))
    if not names:
        return {}
    scaled = [similarities.get(n, 0.0) / temperature for n in names]
    top = max(scaled)
    exps = [math.exp(s - top) for s in scaled]
    norm = sum(exps)
    return {
        n: (1 - weight) * confidences.get(n, 0.0) + weight * e / norm
        for n, e in zip(names, exps, strict=True)
    }
