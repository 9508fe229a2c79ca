"""Contacts of organisations by region, and choosing the region."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.base import PoradnykAction, latest_entity
from poradnyk.compose import Reply, contacts_reply, region_choice_reply, text_reply
from poradnyk.content import Content
from poradnyk.payload import REGION_CHOICE

__all__ = ["ActionContacts"]


class ActionContacts(PoradnykAction):
    """Who can help near the user; asks for the region when it is unknown or to be changed."""

    def name(self) -> str:
        """The action name of domain.yml."""
        return "action_contacts"

    def respond(
        self, content: Content, lang: str, region: str | None, tracker: Tracker
    ) -> tuple[list[Reply], list[dict[str, Any]]]:
        """Local and national contacts; region buttons when asked for or unknown."""
        if latest_entity(tracker, "sub") == REGION_CHOICE:
            return [region_choice_reply(content, lang)], []
        mentioned = latest_entity(tracker, "region")
        events: list[dict[str, Any]] = []
        replies: list[Reply] = []
        if mentioned is not None and mentioned in content.regions:
            if mentioned != region:
                events.append(SlotSet("region", mentioned))
                name = content.regions[mentioned].get(lang)
                replies.append(text_reply(content, lang, "region_set", region=name))
            region = mentioned
        replies.append(contacts_reply(content, lang, region))
        return replies, events
