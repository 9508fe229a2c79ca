"""The conversation pipeline, independent of Telegram: language -> Rasa -> replies.

Used by the Telegram handlers and by the console chat, so both behave the same.
When Rasa cannot answer, replies come straight from the content files, the message
is kept, and it is answered as soon as Rasa is back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from actions.compose import (
    CONTACTS_INTENT,
    LANGUAGE_PAYLOAD_PREFIX,
    Reply,
    contacts_reply,
    language_choice_reply,
    menu_reply,
    payload,
    region_choice_reply,
    service_down_reply,
    text_reply,
    topic_reply,
)
from actions.content import LANGUAGES, Content, ContentStore
from bot.language import detect, hint_language, load_profiles_now
from bot.rasa_client import RasaClient, RasaUnavailable, delete_tracker
from bot.settings import Settings
from bot.store import UserStore

__all__ = ["Conversation", "Deliver"]

logger = logging.getLogger(__name__)

Deliver = Callable[[int, list[Reply]], Awaitable[None]]

_PAYLOAD_RE = re.compile(r"^/(?P<intent>[a-z_]{2,40})(?P<entities>\{.{0,200}\})?$")
_RECOVERY_POLL_SECONDS = 2.0
_WARM_UP_SENDER = "warm-up"
_RECOVERY_MAX_SECONDS = 10.0


@dataclass
class _Pending:
    text: str
    telegram_language: str | None


class Conversation:
    """Turns what a user sends into the replies to show them."""

    def __init__(
        self,
        settings: Settings,
        rasa: RasaClient,
        users: UserStore,
        content: ContentStore,
        known_intents: frozenset[str],
    ) -> None:
        self._settings = settings
        self._rasa = rasa
        self._users = users
        self._content = content
        self._intents = known_intents
        self._rasa_down = False
        self._pending: dict[int, _Pending] = {}
        self._recovery: asyncio.Task[None] | None = None
        self._deliver: Deliver | None = None
        self._recent: dict[int, deque[float]] = {}

    # --- language -----------------------------------------------------------------

    def language(self, user_id: int, text: str | None, telegram_language: str | None) -> str:
        """The reply language: explicit choice, else detected, else last, else Telegram's."""
        prefs = self._users.get(user_id)
        if prefs.chosen_language:
            return prefs.chosen_language
        found = detect(text, telegram_language) if text else None
        if found is not None and found.reliable:
            return found.language
        if prefs.last_language:
            return prefs.last_language
        if found is not None:
            return found.language
        return hint_language(telegram_language) or self._settings.default_language

    def set_deliver(self, deliver: Deliver) -> None:
        """Where answers to messages kept while Rasa was down are sent later."""
        self._deliver = deliver

    @property
    def users(self) -> UserStore:
        """The per-user store."""
        return self._users

    async def warm_up(self, timeout: float = 90.0) -> bool:
        """Wait for Rasa and parse once, so the first user does not pay for lazy start-up."""
        # Language profiles and word lists load now, not on the first message.
        await asyncio.to_thread(load_profiles_now)
        deadline = time.monotonic() + timeout
        while not await self._rasa.is_ready():
            if time.monotonic() > deadline:
                self._mark_down()
                return False
            await asyncio.sleep(0.5)
        # The first message through Rasa pays for lazy start-up (model graph, tracker
        # store, action server connection): send one now, then delete its conversation.
        await self._rasa.parse("warm up")
        try:
            await self._rasa.send(_WARM_UP_SENDER, "/bot_capabilities", {"language": "uk"})
        except RasaUnavailable:
            logger.warning("Warm-up message got no answer (is the action server up?)")
        delete_tracker(self._settings.rasa_tracker_db, _WARM_UP_SENDER)
        return True

    @property
    def content(self) -> Content:
        """The current content (hot-reloaded)."""
        return self._content.get()

    # --- what users send ------------------------------------------------------------

    def flooding(self, user_id: int) -> bool:
        """Whether the user sent more than the per-user limit within the window."""
        now = time.monotonic()
        window = self._recent.setdefault(user_id, deque())
        while window and now - window[0] > self._settings.user_rate_window:
            window.popleft()
        window.append(now)
        if len(self._recent) > 10_000:  # keep memory bounded under many users
            for uid in [u for u, w in self._recent.items() if not w or now - w[-1] > 60]:
                del self._recent[uid]
        return len(window) > self._settings.user_rate_limit

    async def on_text(self, user_id: int, text: str, telegram_language: str | None) -> list[Reply]:
        """Replies to a typed message."""
        lang = self.language(user_id, text, telegram_language)
        self._users.update(user_id, last_language=lang)
        replies: list[Reply] = []
        limit = self._settings.max_message_chars
        if len(text) > limit:
            replies.append(text_reply(self.content, lang, "too_long"))
            text = text[:limit]
        if text.startswith("/"):
            # Typed commands we do not know must not become Rasa intent payloads.
            return [*replies, menu_reply(self.content, lang, "unknown_command")]
        replies += await self._ask_rasa(user_id, text, lang, telegram_language)
        return replies

    async def on_button(
        self, user_id: int, data: str, telegram_language: str | None
    ) -> list[Reply]:
        """Replies to a pressed button (callback data already decoded)."""
        lang = self.language(user_id, None, telegram_language)
        if data.startswith(LANGUAGE_PAYLOAD_PREFIX):
            return self.choose_language(user_id, data[len(LANGUAGE_PAYLOAD_PREFIX) :])
        match = _PAYLOAD_RE.match(data)
        if (
            not match
            or match.group("intent") not in self._intents
            or not _valid_json(match.group("entities"))
        ):
            logger.info("Unknown or stale button data")
            return [menu_reply(self.content, lang, "unknown_button")]
        return await self._ask_rasa(user_id, data, lang, telegram_language)

    async def command(self, user_id: int, name: str, telegram_language: str | None) -> list[Reply]:
        """A bot command such as "start" or "forget" (unknown ones get the help menu)."""
        simple = {
            "start": self.start,
            "menu": self.menu,
            "language": self.language_menu,
            "help": self.help,
            "privacy": self.privacy,
            "forget": self.forget,
        }
        if name in simple:
            return simple[name](user_id, telegram_language)
        if name == "contacts":
            return await self.contacts(user_id, telegram_language)
        return self.unknown_command(user_id, telegram_language)

    def start(self, user_id: int, telegram_language: str | None) -> list[Reply]:
        """/start: greeting and the language choice (the menu follows the choice)."""
        lang = self.language(user_id, None, telegram_language)
        self._users.update(user_id, last_language=lang)
        choice = language_choice_reply(self.content, lang)
        return [
            Reply(self.content.text("greeting", lang)),
            choice,
        ]

    def choose_language(self, user_id: int, lang: str) -> list[Reply]:
        """Remember an explicit language choice and show the menu in it."""
        if lang not in LANGUAGES:
            return [menu_reply(self.content, self._settings.default_language, "unknown_button")]
        self._users.update(user_id, chosen_language=lang, last_language=lang)
        return [text_reply(self.content, lang, "language_set"), menu_reply(self.content, lang)]

    def fixed(self, user_id: int, telegram_language: str | None, key: str) -> list[Reply]:
        """A conversation text (e.g. for stickers or voice) in the user's language."""
        lang = self.language(user_id, None, telegram_language)
        return [text_reply(self.content, lang, key, with_menu=True)]

    def menu(self, user_id: int, telegram_language: str | None) -> list[Reply]:
        """The topic menu, straight from content."""
        return [menu_reply(self.content, self.language(user_id, None, telegram_language))]

    def language_menu(self, user_id: int, telegram_language: str | None) -> list[Reply]:
        """The language buttons."""
        lang = self.language(user_id, None, telegram_language)
        return [language_choice_reply(self.content, lang)]

    def help(self, user_id: int, telegram_language: str | None) -> list[Reply]:
        """What the bot can do."""
        lang = self.language(user_id, None, telegram_language)
        return [menu_reply(self.content, lang, "help")]

    def unknown_command(self, user_id: int, telegram_language: str | None) -> list[Reply]:
        """A command the bot does not have: say so and show the topics."""
        lang = self.language(user_id, None, telegram_language)
        return [menu_reply(self.content, lang, "unknown_command")]

    def privacy(self, user_id: int, telegram_language: str | None) -> list[Reply]:
        """What is stored and for how long."""
        lang = self.language(user_id, None, telegram_language)
        days = str(self._settings.retention_days)
        return [text_reply(self.content, lang, "privacy", with_menu=True, days=days)]

    async def contacts(self, user_id: int, telegram_language: str | None) -> list[Reply]:
        """/contacts: through Rasa, which knows the user's region."""
        lang = self.language(user_id, None, telegram_language)
        return await self._ask_rasa(user_id, payload(CONTACTS_INTENT), lang, telegram_language)

    async def location(
        self, user_id: int, region: str | None, telegram_language: str | None
    ) -> list[Reply]:
        """A shared location: remember its region (through Rasa) and show contacts."""
        lang = self.language(user_id, None, telegram_language)
        if region is None:
            return [region_choice_reply(self.content, lang, "location_outside")]
        data = payload(CONTACTS_INTENT, region=region)
        return await self._ask_rasa(user_id, data, lang, telegram_language)

    def forget(self, user_id: int, telegram_language: str | None) -> list[Reply]:
        """/forget: delete the user's preferences and Rasa conversation."""
        lang = self.language(user_id, None, telegram_language)
        delete_tracker(self._settings.rasa_tracker_db, self._users.sender_id(user_id))
        self._users.forget(user_id)
        self._pending.pop(user_id, None)
        self._recent.pop(user_id, None)
        return [text_reply(self.content, lang, "forget_done")]

    # --- Rasa -------------------------------------------------------------------------

    async def _ask_rasa(
        self, user_id: int, text: str, lang: str, telegram_language: str | None
    ) -> list[Reply]:
        if not self._rasa_down:
            metadata = {"language": lang, "telegram_language": telegram_language}
            try:
                messages = await self._rasa.send(self._users.sender_id(user_id), text, metadata)
                return [Reply(m.text, m.buttons) for m in messages]
            except RasaUnavailable as exc:
                logger.warning("Rasa unavailable (%s); serving content directly", exc)
                self._mark_down()
        return self._offline_reply(user_id, text, lang, telegram_language)

    def _offline_reply(
        self, user_id: int, text: str, lang: str, telegram_language: str | None
    ) -> list[Reply]:
        content = self.content
        match = _PAYLOAD_RE.match(text)
        if match:
            intent = match.group("intent")
            entities = _json_entities(match.group("entities"))
            if intent in content.topics and intent != CONTACTS_INTENT:
                return [
                    _without_feedback(topic_reply(content, intent, lang, None, entities.get("sub")))
                ]
            if intent == CONTACTS_INTENT:
                region = entities.get("region")
                return [
                    contacts_reply(content, lang, region if region in content.regions else None)
                ]
            if intent == "bot_capabilities":
                return [menu_reply(content, lang)]
        else:
            # A typed question: answer it when Rasa is back (only the latest one).
            self._pending[user_id] = _Pending(text, telegram_language)
        return [service_down_reply(content, lang)]

    def _mark_down(self) -> None:
        self._rasa_down = True
        if self._recovery is None or self._recovery.done():
            self._recovery = asyncio.get_running_loop().create_task(self._recover())

    async def _recover(self) -> None:
        """Poll Rasa; once it answers again, answer the kept messages and resume."""
        delay = _RECOVERY_POLL_SECONDS
        while True:
            await asyncio.sleep(delay)
            if not await self._rasa.is_ready():
                continue
            try:
                await self._replay_pending()
            except RasaUnavailable:
                # Up but still not answering (e.g. the action server is down): back off.
                delay = min(delay * 2, _RECOVERY_MAX_SECONDS)
                continue
            break
        self._rasa_down = False
        logger.info("Rasa is back; normal answers resume")

    async def _replay_pending(self) -> None:
        while self._pending:
            user_id, item = next(iter(self._pending.items()))
            lang = self.language(user_id, item.text, item.telegram_language)
            metadata = {"language": lang, "telegram_language": item.telegram_language}
            sender = self._users.sender_id(user_id)
            messages = await self._rasa.send(sender, item.text, metadata)
            self._pending.pop(user_id, None)
            if self._deliver is not None:
                try:
                    await self._deliver(user_id, [Reply(m.text, m.buttons) for m in messages])
                except Exception:
                    logger.exception("Could not deliver the answer to a kept message")

    async def close(self) -> None:
        """Stop the background recovery task."""
        if self._recovery and not self._recovery.done():
            self._recovery.cancel()


def _valid_json(raw: str | None) -> bool:
    if raw is None:
        return True
    try:
        return isinstance(json.loads(raw), dict)
    except ValueError:
        return False


def _json_entities(raw: str | None) -> dict[str, str]:
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _without_feedback(reply: Reply) -> Reply:
    """Offline answers cannot record feedback: drop the yes/no buttons."""
    keep = tuple(b for b in reply.buttons if b.payload not in ("/affirm", "/deny"))
    return Reply(reply.text, keep)
