"""The content that NGO staff edit: its typed model, validation, loading and hot reload.

``load_content`` reads and checks every file (:class:`ContentError` lists what is wrong,
with file and line, in plain words); :class:`ContentStore` serves the newest good version
and keeps the last good one while a file is broken.
"""

from __future__ import annotations

from poradnyk.content.domain import (
    FALLBACK_BUTTONS,
    META_INTENTS,
    domain_intents,
    fallback_offer,
    known_topics,
)
from poradnyk.content.fields import ANSWER_MAX_CHARS, BUTTON_MAX_CHARS, TELEGRAM_MAX_CHARS
from poradnyk.content.load import load_content
from poradnyk.content.model import (
    NATIONAL,
    Content,
    ContentError,
    Event,
    Issue,
    Localized,
    Organisation,
    SubAnswer,
    Topic,
)
from poradnyk.content.parse import REQUIRED_MESSAGES
from poradnyk.content.store import ContentStore

__all__ = [
    "ANSWER_MAX_CHARS",
    "BUTTON_MAX_CHARS",
    "FALLBACK_BUTTONS",
    "META_INTENTS",
    "NATIONAL",
    "REQUIRED_MESSAGES",
    "TELEGRAM_MAX_CHARS",
    "Content",
    "ContentError",
    "ContentStore",
    "Event",
    "Issue",
    "Localized",
    "Organisation",
    "SubAnswer",
    "Topic",
    "domain_intents",
    "fallback_offer",
    "known_topics",
    "load_content",
]
