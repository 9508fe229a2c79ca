"""Near-duplicate questions: the same question in other words or spellings, grouped once.

The method is chosen to be explainable to staff and cheap: every question is reduced to
one spelling with :func:`poradnyk.spelling.canonical` (Cyrillic, transliteration and
Czech without diacritics all become the same Latin letters, so "страховка",
"strakhovka" and "strahovka" are one word), then to its set of character trigrams of
each word. Two questions are near-duplicates when those sets overlap by at least
:data:`THRESHOLD` (Jaccard similarity); groups are built greedily, each question joining
the first group whose first question it resembles. Ukrainian and Russian variants group
together this way; a Czech and a Ukrainian question group only when they share words
(names of offices, "ZDP", "Úřad práce"), which is why the inbox is grouped by likely
topic first: the model's topic ranking is what carries meaning across languages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from poradnyk.spelling import canonical

__all__ = ["THRESHOLD", "Group", "group", "similarity", "trigrams"]

THRESHOLD = 0.5
_WORD = re.compile(r"[^\W\d_]{2,}")


def trigrams(text: str) -> frozenset[str]:
    """The character trigrams of each word of ``text`` in its canonical spelling."""
    grams: set[str] = set()
    for word in _WORD.findall(text):
        padded = f" {canonical(word)} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the trigram sets of ``a`` and ``b`` (0 to 1)."""
    left, right = trigrams(a), trigrams(b)
    if not left or not right:
        return 1.0 if a.strip().lower() == b.strip().lower() else 0.0
    return len(left & right) / len(left | right)


@dataclass
class Group:
    """Questions that say the same: the first one stands for the group."""

    members: list[int] = field(default_factory=list)
    grams: frozenset[str] = frozenset()

    @property
    def count(self) -> int:
        """How many questions the group holds."""
        return len(self.members)


def group(texts: Sequence[str], threshold: float = THRESHOLD) -> list[Group]:
    """Indexes of ``texts`` grouped by near-duplicates, in order of first appearance."""
    groups: list[Group] = []
    for i, text in enumerate(texts):
        grams = trigrams(text)
        for g in groups:
            union = len(grams | g.grams)
            if union and len(grams & g.grams) / union >= threshold:
                g.members.append(i)
                break
        else:
            groups.append(Group([i], grams))
    return groups
