"""When the bot is unsure, and when the user wants a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import PoradnykAction, content_store
from poradnyk.compose import Button, Reply, consent_reply, handoff_reply, menu_reply
from poradnyk.content import Content, fallback_offer
from poradnyk.payload import build as build_payload

__all__ = ["ActionFallback", "ActionHandoff"]


class ActionFallback(PoradnykAction):
    """Offers the likely topics as buttons, the menu and how to reach a person."""

    def name(self) -> str:
        """The action name of domain.yml."""
        return "action_fallback"

    def respond(
        self, content: Content, lang: str, region: str | None, tracker: Tracker
    ) -> tuple[list[Reply], list[dict[str, Any]]]:
        """Likely topics first, then menu and handoff buttons; then the offer to keep the
        question for the team (the adapter holds it until the person's yes or no)."""
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        likely = fallback_offer((str(r.get("name")) for r in ranking), content.topics)
        buttons = [Button(content.topics[t].title.get(lang), build_payload(t)) for t in likely]
        buttons += [
            Button(content.text("btn_menu", lang), build_payload("bot_capabilities")),
            Button(content.text("btn_handoff", lang), build_payload("human_handoff")),
        ]
        keep = consent_reply(content, lang, "fallback", likely)
        if not likely:
            menu = menu_reply(content, lang, "fallback")
            return [menu, keep], []
        return [Reply(content.text("fallback", lang), tuple(buttons)), keep], []


class ActionHandoff(PoradnykAction):
    """Tells how to reach a person: organisations giving free personal advice, and tells
    the adapter (a custom message) that the person asked for one, with their region and
    the last topic, so it can offer the NGO staff group when one is set up."""

    def name(self) -> str:
        """The action name of domain.yml."""
        return "action_handoff"

    def respond(
        self, content: Content, lang: str, region: str | None, tracker: Tracker
    ) -> tuple[list[Reply], list[dict[str, Any]]]:
        """Handoff text with organisations near the user."""
        return [handoff_reply(content, lang, region)], []

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """The organisations, then the wish for a person for the adapter."""
        events = await super().run(dispatcher, tracker, domain)
        content = content_store().get()
        region = tracker.get_slot("region")
        topic = tracker.get_slot("feedback_topic")
        dispatcher.utter_message(
            json_message={
                "handoff": {
                    "region": region if region in content.regions else "",
                    "topic": topic if topic in content.topics else "",
                }
            }
        )
        return events
