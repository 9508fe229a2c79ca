"""The answering action for every topic intent."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.base import PoradnykAction, latest_entity
from poradnyk.compose import Button, Reply, menu_reply, topic_reply
from poradnyk.content import Content
from poradnyk.payload import HANDOFF_INTENT
from poradnyk.payload import build as build_payload

__all__ = ["SECOND_TOPIC_CONFIDENCE", "ActionAnswer", "second_topic"]

EMERGENCY = "emergency"
SECOND_TOPIC_CONFIDENCE = 0.2
"""A topic this likely beside the answered one gets its own button at the top."""


class ActionAnswer(PoradnykAction):
    """Answers the topic of the latest intent, in the reply language, for the user's region."""

    def name(self) -> str:
        """The action name of domain.yml."""
        return "action_answer"

    def respond(
        self, content: Content, lang: str, region: str | None, tracker: Tracker
    ) -> tuple[list[Reply], list[dict[str, Any]]]:
        """The topic answer (or the requested follow-up) and its buttons."""
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if not isinstance(intent, str) or intent not in content.topics:
            return [menu_reply(content, lang, "fallback")], []
        mentioned = latest_entity(tracker, "region")
        events: list[dict[str, Any]] = [SlotSet("feedback_topic", intent)]
        if mentioned in content.regions:
            region = mentioned
            events.append(SlotSet("region", region))
        sub = latest_entity(tracker, "sub")
        reply = topic_reply(content, intent, lang, region, sub)
        if intent == EMERGENCY:
            # The hotlines come first; a person from the NGO is offered after them.
            person = Button(content.text("btn_handoff", lang), build_payload(HANDOFF_INTENT))
            reply = Reply(reply.text, (*reply.buttons, person))
        second = second_topic(tracker, content, intent)
        if second is not None and sub is None:
            # Several questions in one message: the main one answered, the next one a tap.
            also = Button(content.topics[second].title.get(lang), build_payload(second))
            reply = Reply(reply.text, (also, *reply.buttons))
        return [reply], events


def second_topic(tracker: Tracker, content: Content, first: str) -> str | None:
    """Another topic the message was clearly also about (for a second question in it)."""
    ranking = (tracker.latest_message or {}).get("intent_ranking") or []
    for entry in ranking[:3]:
        name, confidence = entry.get("name"), entry.get("confidence") or 0.0
        if name != first and name in content.topics and confidence >= SECOND_TOPIC_CONFIDENCE:
            return str(name)
    return None
