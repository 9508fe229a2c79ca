"""The inbox as staff see it: grouped by likely topic, then by near-duplicates.

The likely topic is the first of the model's ranking when the question came in (or the
answer that was rated "No"); it carries the meaning across languages. Within a topic,
:func:`poradnyk.similar.group` puts the same question in other words or spellings
together (one canonical spelling, then character trigrams), counted once with how often
it was asked.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from poradnyk.content import Content
from poradnyk.similar import group
from store.api import InboxRow

__all__ = ["Question", "TopicGroup", "grouped"]


@dataclass
class Question:
    """One question, as asked (maybe in other words) ``count`` times."""

    ids: list[int]
    text: str
    variants: list[str]
    languages: list[str]
    reasons: list[str]
    first_day: date
    last_day: date

    @property
    def count(self) -> int:
        """How often it was asked."""
        return len(self.ids)

    @property
    def id_list(self) -> str:
        """The ids for a form field."""
        return ",".join(str(i) for i in self.ids)


@dataclass
class TopicGroup:
    """Questions likely about one topic (``topic`` empty: the model had no idea)."""

    topic: str
    title: str
    questions: list[Question] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Questions in the group, duplicates included."""
        return sum(q.count for q in self.questions)


def grouped(rows: list[InboxRow], content: Content, lang: str) -> list[TopicGroup]:
    """``rows`` by likely topic (most asked first), near-duplicates counted once."""
    by_topic: dict[str, list[InboxRow]] = defaultdict(list)
    for row in rows:
        likely = next((t for t in row.topics if t in content.topics), "")
        by_topic[likely].append(row)
    groups: list[TopicGroup] = []
    for topic, items in by_topic.items():
        title = content.topics[topic].title.get(lang) if topic else ""
        found = TopicGroup(topic, title)
        for g in group([r.text for r in items]):
            members = [items[i] for i in g.members]
            texts = list(dict.fromkeys(m.text for m in members))
            found.questions.append(
                Question(
                    ids=[m.id for m in members],
                    text=texts[0],
                    variants=texts[1:6],
                    languages=sorted({m.language for m in members}),
                    reasons=sorted({m.reason for m in members}),
                    first_day=min(m.day for m in members),
                    last_day=max(m.day for m in members),
                )
            )
        found.questions.sort(key=lambda q: (-q.count, q.text))
        groups.append(found)
    groups.sort(key=lambda g: (-g.count, g.topic == "", g.title))
    return groups
