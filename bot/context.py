"""Typed ``context`` for the handlers: what they share lives in :class:`BotData`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.conversation import Conversation
from bot.flood import FloodGuard
from bot.intake import Intake
from bot.sender import Sender
from bot.settings import Settings

if TYPE_CHECKING:  # bot.health uses Services from here
    from bot.broadcast import Broadcaster
    from bot.handoff import Handoff
    from bot.health import HealthServer

__all__ = ["CONTEXT_TYPES", "BotData", "Context", "Services"]


@dataclass
class Services:
    """Everything the handlers use, built once in ``post_init``."""

    settings: Settings
    conversation: Conversation
    sender: Sender
    flood: FloodGuard
    handoff: Handoff


class BotData:
    """``context.bot_data``: the services, once the application has started."""

    def __init__(self) -> None:
        self._services: Services | None = None
        self.http: httpx.AsyncClient | None = None
        self.tasks: list[asyncio.Task[None]] = []
        self.intake: Intake | None = None
        self.health: HealthServer | None = None
        self.broadcaster: Broadcaster | None = None

    @property
    def services(self) -> Services:
        """The services (set by ``post_init`` before any update is handled)."""
        if self._services is None:
            raise RuntimeError("the application has not been initialised")
        return self._services

    @services.setter
    def services(self, services: Services) -> None:
        self._services = services

    @property
    def ready(self) -> bool:
        """Whether the services are there."""
        return self._services is not None


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
CONTEXT_TYPES = ContextTypes(context=CallbackContext, bot_data=BotData)
