"""The one codec of button data: built here, parsed here, checked here.

A button sends a Rasa payload, ``/intent`` or ``/intent{"entity":"value"}``, which Rasa
turns into that intent without NLU; the language buttons send ``lang:xx``, which the
adapter handles itself, and so are the subscription buttons (``sub:on:topic``,
``sub:off:topic``, ``sub:toggle:topic``, ``sub:menu``), the handoff buttons
(``hand:send``, ``hand:name``, ``hand:cancel``, ``hand:end``), the feedback buttons under
an answer (``fb:y|n|m:topic:sub:region:version``: helpful, not helpful, "tell us what was
missing") and the consent buttons of the unanswered inbox (``keep:y|n:reason:topics``).
Telegram lets any client send any callback data, so what comes back is parsed strictly
and accepted only if the bot could have sent it: a known intent, known entity names with
string values, a known region, a follow-up the topic has, a topic people can subscribe to.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from poradnyk.content.model import Content
from poradnyk.languages import LANGUAGES

__all__ = [
    "CONSENT_PREFIX",
    "CONSENT_REASONS",
    "CONTACTS_INTENT",
    "ENTITY_NAMES",
    "FEEDBACK_PREFIX",
    "HANDOFF_ACTIONS",
    "HANDOFF_INTENT",
    "HANDOFF_PREFIX",
    "LANGUAGE_PREFIX",
    "REGION_CHOICE",
    "SUBSCRIPTION_PREFIX",
    "Consent",
    "Feedback",
    "Payload",
    "Subscription",
    "build",
    "build_consent",
    "build_feedback",
    "build_handoff",
    "build_subscription",
    "consent_of",
    "feedback_of",
    "handoff_of",
    "is_sendable",
    "language_of",
    "parse",
    "subscription_of",
]

CONTACTS_INTENT = "ngo_contacts"
REGION_CHOICE = "region"
"""The ``sub`` value of ``ngo_contacts`` that asks for the region buttons."""
LANGUAGE_PREFIX = "lang:"
"""Language buttons: handled by the adapter itself, never sent to Rasa."""
ENTITY_NAMES = frozenset({"region", "sub"})
SUBSCRIPTION_PREFIX = "sub:"
"""Subscription buttons: handled by the adapter itself, never sent to Rasa."""
SUBSCRIPTION_ACTIONS = ("on", "off", "toggle", "menu")
HANDOFF_INTENT = "human_handoff"
HANDOFF_PREFIX = "hand:"
"""Handoff buttons (consent, sharing the name, back to the bot): handled by the adapter."""
HANDOFF_ACTIONS = ("send", "name", "cancel", "end")
FEEDBACK_PREFIX = "fb:"
"""Feedback buttons under a topic answer: handled by the adapter, never sent to Rasa."""
FEEDBACK_ACTIONS = {"y": "yes", "n": "no", "m": "missing"}
CONSENT_PREFIX = "keep:"
"""Consent buttons ("may we keep this question?"): handled by the adapter."""
CONSENT_REASONS = ("fallback", "out_of_scope", "missing")
"""Why a question is offered to the inbox: not understood, not our subject, a "No" vote."""
_VERSION = re.compile(r"[0-9a-z-]{0,24}")

_GRAMMAR = re.compile(r"/(?P<intent>[a-z_]{2,40})(?P<entities>\{.{0,200}\})?", re.DOTALL)


@dataclass(frozen=True)
class Payload:
    """A decoded button payload: an intent and string entities."""

    intent: str
    entities: Mapping[str, str] = field(default_factory=dict)

    def encoded(self) -> str:
        """The payload as Rasa reads it."""
        return build(self.intent, **self.entities)


def build(intent: str, **entities: str) -> str:
    """The payload that triggers ``intent`` with ``entities`` (no NLU involved)."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}{json.dumps(entities, separators=(',', ':'), ensure_ascii=False)}"


def parse(data: str) -> Payload | None:
    """The payload in ``data``, or None unless it is exactly of the form :func:`build` makes."""
    match = _GRAMMAR.fullmatch(data)
    if match is None:
        return None
    raw = match.group("entities")
    if raw is None:
        return Payload(match.group("intent"))
    try:
        entities = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(entities, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in entities.items()
    ):
        return None
    return Payload(match.group("intent"), entities)


def language_of(data: str) -> str | None:
    """The language a language button chooses, or None if ``data`` is not one we sent."""
    if not data.startswith(LANGUAGE_PREFIX):
        return None
    lang = data[len(LANGUAGE_PREFIX) :]
    return lang if lang in LANGUAGES else None


def is_sendable(payload: Payload, content: Content, intents: Collection[str]) -> bool:
    """Whether the bot could have sent ``payload`` with the current content."""
    if payload.intent not in intents or not set(payload.entities) <= ENTITY_NAMES:
        return False
    region = payload.entities.get("region")
    if region is not None and region not in content.regions:
        return False
    sub = payload.entities.get("sub")
    if sub is None:
        return True
    if payload.intent == CONTACTS_INTENT:
        return sub == REGION_CHOICE
    topic = content.topics.get(payload.intent)
    return topic is not None and topic.sub(sub) is not None


@dataclass(frozen=True)
class Subscription:
    """A pressed subscription button: what to do (on, off, toggle, menu) with which topic."""

    action: str
    topic: str | None = None


def build_subscription(action: str, topic: str | None = None) -> str:
    """The data of a subscription button (``menu`` takes no topic)."""
    if action not in SUBSCRIPTION_ACTIONS or (topic is None) != (action == "menu"):
        raise ValueError(f"not a subscription button: {action} {topic}")
    return f"{SUBSCRIPTION_PREFIX}{action}" + (f":{topic}" if topic else "")


def subscription_of(data: str, content: Content) -> Subscription | None:
    """The subscription button in ``data``, or None unless the bot could have sent it (a
    known action on a topic people can subscribe to)."""
    if not data.startswith(SUBSCRIPTION_PREFIX):
        return None
    action, _, topic = data[len(SUBSCRIPTION_PREFIX) :].partition(":")
    if action == "menu":
        return Subscription("menu") if not topic else None
    if action not in SUBSCRIPTION_ACTIONS or topic not in content.subscription_topics:
        return None
    return Subscription(action, topic)


def build_handoff(action: str) -> str:
    """The data of a handoff button: send (anonymous), name (with the name), cancel, end."""
    if action not in HANDOFF_ACTIONS:
        raise ValueError(f"not a handoff button: {action}")
    return f"{HANDOFF_PREFIX}{action}"


def handoff_of(data: str) -> str | None:
    """The action of a handoff button, or None unless ``data`` is exactly one we send."""
    if not data.startswith(HANDOFF_PREFIX):
        return None
    action = data[len(HANDOFF_PREFIX) :]
    return action if action in HANDOFF_ACTIONS else None


@dataclass(frozen=True)
class Feedback:
    """A pressed feedback button: ``action`` is yes, no or missing, on one shown answer."""

    action: str
    topic: str
    sub: str | None = None
    region: str | None = None
    version: str = ""


def build_feedback(
    action: str, topic: str, sub: str | None = None, region: str | None = None, version: str = ""
) -> str:
    """The data of a feedback button (often over 64 bytes: the sender stores it by key)."""
    code = next((k for k, v in FEEDBACK_ACTIONS.items() if v == action), None)
    if code is None or not _VERSION.fullmatch(version):
        raise ValueError(f"not a feedback button: {action} {version}")
    return f"{FEEDBACK_PREFIX}{code}:{topic}:{sub or ''}:{region or ''}:{version}"


def feedback_of(data: str, content: Content) -> Feedback | None:
    """The feedback button in ``data``, or None unless the bot could have sent it (a known
    topic, a follow-up it has, a known region)."""
    if not data.startswith(FEEDBACK_PREFIX):
        return None
    parts = data[len(FEEDBACK_PREFIX) :].split(":")
    if len(parts) != 5:
        return None
    code, topic_name, sub, region, version = parts
    topic = content.topics.get(topic_name)
    if code not in FEEDBACK_ACTIONS or topic is None or not _VERSION.fullmatch(version):
        return None
    if (sub and topic.sub(sub) is None) or (region and region not in content.regions):
        return None
    return Feedback(FEEDBACK_ACTIONS[code], topic_name, sub or None, region or None, version)


@dataclass(frozen=True)
class Consent:
    """A pressed consent button: keep the question (yes) or not, why it was offered and
    the topics it is likely about."""

    yes: bool
    reason: str
    topics: tuple[str, ...] = ()


def build_consent(yes: bool, reason: str, topics: Collection[str] = ()) -> str:
    """The data of a consent button."""
    if reason not in CONSENT_REASONS:
        raise ValueError(f"not a consent reason: {reason}")
    return f"{CONSENT_PREFIX}{'y' if yes else 'n'}:{reason}:{','.join(topics)}"


def consent_of(data: str, content: Content) -> Consent | None:
    """The consent button in ``data``, or None unless the bot could have sent it."""
    if not data.startswith(CONSENT_PREFIX):
        return None
    parts = data[len(CONSENT_PREFIX) :].split(":")
    if len(parts) != 3 or parts[0] not in ("y", "n") or parts[1] not in CONSENT_REASONS:
        return None
    topics = tuple(t for t in parts[2].split(",") if t)
    if not all(t in content.topics for t in topics):
        return None
    return Consent(parts[0] == "y", parts[1], topics)
