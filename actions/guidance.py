"""The answering action for every topic intent."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.base import PoradnykAction, latest_entity
from poradnyk.compose import Reply, menu_reply, topic_reply
from poradnyk.content import Content

__all__ = ["ActionAnswer"]


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
        return [topic_reply(content, intent, lang, region, sub)], events
