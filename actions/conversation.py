"""Conversation management: greeting, menu, language, goodbye, thanks, out of scope."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.base import PoradnykAction
from poradnyk.compose import (
    Reply,
    consent_reply,
    language_choice_reply,
    menu_reply,
    text_reply,
)
from poradnyk.content import Content

__all__ = [
    "ActionGoodbye",
    "ActionGreet",
    "ActionLanguage",
    "ActionMenu",
    "ActionOutOfScope",
    "ActionThank",
]


class ActionGreet(PoradnykAction):
    """Greets and shows the topics."""

    def name(self) -> str:
        """The action name of domain.yml."""
        return "action_greet"

    def respond(
        self, content: Content, lang: str, region: str | None, tracker: Tracker
    ) -> tuple[list[Reply], list[dict[str, Any]]]:
        """Greeting text with the topic menu."""
        menu = menu_reply(content, lang)
        return [Reply(content.text("greeting", lang), menu.buttons)], []


class ActionMenu(PoradnykAction):
    """Shows what the bot can do and the topics."""

    def name(self) -> str:
        """The action name of domain.yml."""
        return "action_menu"

    def respond(
        self, content: Content, lang: str, region: str | None, tracker: Tracker
    ) -> tuple[list[Reply], list[dict[str, Any]]]:
        """The topic menu."""
        return [menu_reply(content, lang)], []


class ActionLanguage(PoradnykAction):
    """Offers the answer languages (the adapter remembers the choice)."""

    def name(self) -> str:
        """The action name of domain.yml."""
        return "action_language"

    def respond(
        self, content: Content, lang: str, region: str | None, tracker: Tracker
    ) -> tuple[list[Reply], list[dict[str, Any]]]:
        """Language buttons."""
        return [language_choice_reply(content, lang)], []


class ActionGoodbye(PoradnykAction):
    """Says goodbye."""

    def name(self) -> str:
        """The action name of domain.yml."""
        return "action_goodbye"

    def respond(
        self, content: Content, lang: str, region: str | None, tracker: Tracker
    ) -> tuple[list[Reply], list[dict[str, Any]]]:
        """Goodbye text."""
        return [text_reply(content, lang, "goodbye")], []


class ActionThank(PoradnykAction):
    """Answers thanks."""

    def name(self) -> str:
        """The action name of domain.yml."""
        return "action_thank"

    def respond(
        self, content: Content, lang: str, region: str | None, tracker: Tracker
    ) -> tuple[list[Reply], list[dict[str, Any]]]:
        """You-are-welcome text with the menu button."""
        return [text_reply(content, lang, "thank", with_menu=True)], []


class ActionOutOfScope(PoradnykAction):
    """Explains what the bot is for and shows the topics."""

    def name(self) -> str:
        """The action name of domain.yml."""
        return "action_out_of_scope"

    def respond(
        self, content: Content, lang: str, region: str | None, tracker: Tracker
    ) -> tuple[list[Reply], list[dict[str, Any]]]:
        """Out-of-scope text with the topic menu, then the offer to keep the question."""
        keep = consent_reply(content, lang, "out_of_scope")
        return [menu_reply(content, lang, "out_of_scope"), keep], []
