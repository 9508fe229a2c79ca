"""What every Poradnyk action shares: the content store, the reply language, the region."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from functools import lru_cache
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from poradnyk.compose import Reply
from poradnyk.content import Content, ContentStore, known_topics
from poradnyk.content.load import DEFAULT_REVIEW_AGE_DAYS
from poradnyk.languages import DEFAULT_LANGUAGE, LANGUAGES

__all__ = [
    "PoradnykAction",
    "content_store",
    "latest_entity",
    "reply_language",
    "reset_bad_slots",
    "send",
]

REPO_ROOT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def content_store() -> ContentStore:
    """The process-wide content store, created on first use (not at import)."""
    content_dir = Path(os.environ.get("PORADNYK_CONTENT_DIR") or REPO_ROOT / "content")
    age = int(os.environ.get("PORADNYK_REVIEW_AGE_DAYS") or DEFAULT_REVIEW_AGE_DAYS)
    data_dir = Path(os.environ.get("PORADNYK_DATA_DIR") or REPO_ROOT / "var")
    return ContentStore(
        content_dir,
        known_topics(REPO_ROOT),
        review_age_days=age,
        last_good=data_dir / "last-good-content" / "actions",
    )


def reply_language(tracker: Tracker) -> str:
    """The language the adapter chose for this message, else the last one, else Ukrainian."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    lang = metadata.get("language")
    if lang in LANGUAGES:
        return str(lang)
    slot = tracker.get_slot("language")
    return str(slot) if slot in LANGUAGES else DEFAULT_LANGUAGE


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Hand a composed reply to Rasa."""
    buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    dispatcher.utter_message(text=reply.text, buttons=buttons)


class PoradnykAction(Action, ABC):
    """Base of all actions: resolves language, region and content, then calls ``respond``."""

    def name(self) -> str:
        """The action name of domain.yml."""
        raise NotImplementedError

    @abstractmethod
    def respond(
        self, content: Content, lang: str, region: str | None, tracker: Tracker
    ) -> tuple[list[Reply], list[dict[str, Any]]]:
        """The replies and the events of this action."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Answer in the reply language, remembering language (and region, if valid)."""
        content = content_store().get()
        lang = reply_language(tracker)
        events = reset_bad_slots(tracker, content)
        region = (
            None if any(e.get("name") == "region" for e in events) else tracker.get_slot("region")
        )
        replies, more_events = self.respond(content, lang, region, tracker)
        for reply in replies:
            send(dispatcher, reply)
        if tracker.get_slot("language") != lang:
            events.append(SlotSet("language", lang))
        return events + more_events


def reset_bad_slots(tracker: Tracker, content: Content) -> list[dict[str, Any]]:
    """Events that clear slots holding what the bot can never have set.

    Any client can send crafted button data (``/ngo_contacts{"region":{"a":1}}``); such a
    value must cost that one answer its region, not break every later action of the user.
    """
    allowed = {"region": content.regions, "language": LANGUAGES, "feedback_topic": content.topics}
    return [
        SlotSet(name, None)
        for name, known in allowed.items()
        if (value := tracker.get_slot(name)) is not None
        and not (isinstance(value, str) and value in known)
    ]


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    """The value of ``entity`` in the latest message (the last one if several)."""
    values = [
        e.get("value")
        for e in (tracker.latest_message or {}).get("entities", [])
        if e.get("entity") == entity
    ]
    value = values[-1] if values else None
    return value if isinstance(value, str) else None
