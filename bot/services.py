"""Builds the conversation pipeline with its store, content and Rasa client (no Telegram)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from bot.conversation import Conversation
from bot.rasa_client import RasaClient
from bot.settings import Settings
from poradnyk.content import ContentStore, domain_intents, known_topics
from store.api import AsyncStore, Pseudonyms, setup_django

__all__ = ["REPO_ROOT", "build_conversation"]

REPO_ROOT = Path(__file__).resolve().parent.parent


async def build_conversation(settings: Settings, http: httpx.AsyncClient) -> Conversation:
    """The conversation pipeline for ``settings``, on the shared HTTP client ``http``."""
    await asyncio.to_thread(setup_django)  # the database is never touched from the loop
    content = ContentStore(
        settings.content_dir,
        known_topics(REPO_ROOT),
        review_age_days=settings.review_age_days,
        last_good=settings.data_dir / "last-good-content" / "adapter",
    )
    rasa = RasaClient(http, settings.rasa_urls or settings.rasa_url, settings.rasa_api_token)
    return Conversation(
        settings,
        rasa,
        AsyncStore(),
        Pseudonyms(settings.data_dir),
        content,
        frozenset(domain_intents(REPO_ROOT)),
    )
