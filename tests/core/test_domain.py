"""Which intents are topics, and which of them the fallback offers as buttons."""

from __future__ import annotations

from pathlib import Path

from poradnyk.content import FALLBACK_BUTTONS, META_INTENTS, fallback_offer, known_topics

REPO = Path(__file__).resolve().parents[2]
TOPICS = known_topics(REPO)


def test_topics_are_the_domain_intents_that_are_not_conversation_management() -> None:
    assert "housing" in TOPICS
    assert not META_INTENTS & set(TOPICS)


def test_the_fallback_offers_the_first_topics_of_the_ranking_in_order() -> None:
    ranking = ["greet", "travel", "nlu_fallback", "out_of_scope", "housing", "work", "documents"]
    assert fallback_offer(ranking, TOPICS) == ["travel", "housing", "work"]
    assert len(fallback_offer(TOPICS, TOPICS)) == FALLBACK_BUTTONS


def test_no_topic_in_the_ranking_means_no_button() -> None:
    assert fallback_offer(["greet", "out_of_scope", "nlu_fallback"], TOPICS) == []
    assert fallback_offer([], TOPICS) == []
