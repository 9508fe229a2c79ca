"""Yes/no answers, mostly to "Was this helpful?"."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.base import PoradnykAction
from poradnyk.compose import Reply, handoff_reply, text_reply
from poradnyk.content import Content

__all__ = ["ActionFeedback"]

logger = logging.getLogger(__name__)


class ActionFeedback(PoradnykAction):
    """Thanks for feedback on the last answer, or answers a plain yes/no."""

    def name(self) -> str:
        """The action name of domain.yml."""
        return "action_feedback"

    def respond(
        self, content: Content, lang: str, region: str | None, tracker: Tracker
    ) -> tuple[list[Reply], list[dict[str, Any]]]:
        """Feedback thanks, or a way to a person when the answer did not help."""
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        topic = tracker.get_slot("feedback_topic")
        if not isinstance(topic, str) or topic not in content.topics:
            topic = None
        positive = intent == "affirm"
        if topic is None:
            return [text_reply(content, lang, "affirm" if positive else "deny", with_menu=True)], []
        # Counted in the logs without any user data, so staff can see which answers fail.
        logger.info("feedback topic=%s helpful=%s", topic, positive)
        events: list[dict[str, Any]] = [SlotSet("feedback_topic", None)]
        if positive:
            return [text_reply(content, lang, "feedback_thanks", with_menu=True)], events
        return [handoff_reply(content, lang, region, intro_key="feedback_sorry")], events
