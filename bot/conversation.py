"""The conversation pipeline, independent of Telegram: language -> Rasa -> replies.

Used by the Telegram handlers and by the console chat, so both behave the same. Every
turn of one person runs under that person's lock, so their messages are handled in
order and /forget waits for whatever is still in flight. When Rasa cannot answer,
replies come from the content files (:mod:`bot.recovery` keeps the question).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.language import detect, hint_language, load_profiles_now
from bot.rasa_client import RasaClient, RasaDown, RasaUnavailable
from bot.recovery import Kept, Recovery
from bot.settings import Settings
from poradnyk.compose import (
    Reply,
    consent_reply,
    contacts_reply,
    feedback_no_reply,
    language_choice_reply,
    menu_reply,
    region_choice_reply,
    service_down_reply,
    subscription_reply,
    text_reply,
    topic_reply,
)
from poradnyk.content import Content, ContentStore
from poradnyk.payload import (
    CONTACTS_INTENT,
    HANDOFF_INTENT,
    Consent,
    Feedback,
    Payload,
    Subscription,
    consent_of,
    feedback_of,
    handoff_of,
    is_sendable,
    language_of,
    parse,
    subscription_of,
)
from poradnyk.payload import build as build_payload
from poradnyk.scrub import scrub
from poradnyk.text import clean_text
from store.api import AsyncStore, Prefs, Pseudonyms

if TYPE_CHECKING:  # bot.handoff uses the conversation
    from bot.handoff import Handoff

__all__ = ["Conversation", "Deliver"]

logger = logging.getLogger(__name__)

Deliver = Callable[[int, list[Reply], str], Awaitable[None]]
"""Sends replies to a person later (answers to kept questions), under an outbox key."""

_WARM_UP_SENDER = "warm-up"
_PREFS_FRESH_SECONDS = 60.0
_LAST_SEEN_EVERY_SECONDS = 3600.0
_PREFS_KEPT = 10_000
_PENDING_SECONDS = 1800.0
"""A question waits this long in memory for the person's yes or no (never on disk)."""
_MISSING_SECONDS = 600.0
"""After "tell us what was missing", the next message is taken as the answer this long."""


@dataclass(frozen=True)
class _Pending:
    """A question offered to the inbox, held in memory until the person's one-tap answer
    (``text`` None: waiting for the "what was missing" message itself)."""

    text: str | None
    lang: str
    topics: tuple[str, ...]
    reason: str
    at: float


class Conversation:
    """Turns what a person sends into the replies to show them."""

    def __init__(
        self,
        settings: Settings,
        rasa: RasaClient,
        store: AsyncStore,
        pseudonyms: Pseudonyms,
        content: ContentStore,
        known_intents: frozenset[str],
    ) -> None:
        self._settings = settings
        self._rasa = rasa
        self._store = store
        self._pseudonyms = pseudonyms
        self._content = content
        self._intents = known_intents
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}
        # person -> (preferences, read at, last written at). With one adapter it is their
        # only writer, so a minute-old read is good; replicas (PostgreSQL) read every turn,
        # since another replica may have changed them (the write stays at most hourly).
        self._prefs_fresh = 0.0 if store.sync.shared else _PREFS_FRESH_SECONDS
        self._known: OrderedDict[str, tuple[Prefs, float, float]] = OrderedDict()
        self._deliver: Deliver | None = None
        self._handoff: Handoff | None = None
        # person -> a question waiting for consent: memory only, so a "no" leaves no trace.
        self._pending: OrderedDict[str, _Pending] = OrderedDict()
        self.recovery = Recovery(rasa)
        self.recovery.set_handlers(self._answer_kept, self._park_kept)

    @property
    def content(self) -> Content:
        """The current content (hot-reloaded)."""
        return self._content.get()

    @property
    def store(self) -> AsyncStore:
        """The adapter's store."""
        return self._store

    @property
    def rasa(self) -> RasaClient:
        """The Rasa client."""
        return self._rasa

    def pseudonym(self, user_id: int) -> str:
        """The person's pseudonym (their key in every store, and Rasa's sender id)."""
        return self._pseudonyms.of(user_id)

    def set_handoff(self, handoff: Handoff) -> None:
        """Who takes over when a person asks for a person (bot/handoff.py)."""
        self._handoff = handoff

    def set_deliver(self, deliver: Deliver) -> None:
        """Where answers to questions kept while Rasa was down are sent later."""
        self._deliver = deliver

    @contextlib.asynccontextmanager
    async def turn(self, user_id: int) -> AsyncIterator[str]:
        """Hold the person's lock for one turn; yields their pseudonym."""
        lock, users = self._locks.get(user_id) or (asyncio.Lock(), 0)
        self._locks[user_id] = (lock, users + 1)
        try:
            async with lock:
                yield self.pseudonym(user_id)
        finally:
            lock, users = self._locks[user_id]
            if users <= 1:
                del self._locks[user_id]
            else:
                self._locks[user_id] = (lock, users - 1)

    # --- what is remembered about a person ---------------------------------------------

    async def _prefs(self, person: str) -> Prefs:
        """The person's preferences: from memory when read in the last minute."""
        now = time.monotonic()
        known = self._known.get(person)
        if known is not None and now - known[1] < self._prefs_fresh:
            return known[0]
        prefs = await self._store.prefs(person)
        self._keep_known(person, prefs, now, known[2] if known is not None else 0.0)
        return prefs

    async def seen(self, person: str) -> None:
        """Mark the person as seen now (written at most hourly): their messages to staff
        count for the retention period like those to the bot."""
        await self._remember(person)

    async def _remember(
        self, person: str, chosen_language: str | None = None, last_language: str | None = None
    ) -> None:
        """Store what changed; "last seen" (for the retention period) at most hourly."""
        now = time.monotonic()
        before = await self._prefs(person)
        after = Prefs(
            chosen_language or before.chosen_language, last_language or before.last_language
        )
        written = self._known[person][2] if person in self._known else 0.0
        if after == before and written and now - written < _LAST_SEEN_EVERY_SECONDS:
            return
        await self._store.update(
            person, chosen_language=chosen_language, last_language=last_language
        )
        self._keep_known(person, after, now, now)

    def _keep_known(self, person: str, prefs: Prefs, read_at: float, written_at: float) -> None:
        self._known[person] = (prefs, read_at, written_at)
        self._known.move_to_end(person)
        while len(self._known) > _PREFS_KEPT:
            self._known.popitem(last=False)

    # --- language -----------------------------------------------------------------

    async def language(self, person: str, text: str | None, telegram_language: str | None) -> str:
        """The reply language: explicit choice, else detected, else last, else Telegram's."""
        prefs = await self._prefs(person)
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

    async def warm_up(self, timeout: float = 90.0) -> bool:
        """Wait for Rasa and answer once, so the first person does not pay for lazy start-up."""
        # Language profiles and word lists load now, not on the first message.
        await asyncio.to_thread(load_profiles_now)
        deadline = time.monotonic() + timeout
        while not await self._rasa.is_ready():
            if time.monotonic() > deadline:
                self.recovery.open()
                return False
            await asyncio.sleep(0.5)
        # The first message through Rasa pays for lazy start-up (model graph, tracker
        # store, action server connection): send one now, then delete its conversation.
        await self._rasa.parse("warm up")
        try:
            await self._rasa.send(_WARM_UP_SENDER, "/bot_capabilities", {"language": "uk"})
            await self._rasa.forget(_WARM_UP_SENDER)
        except (RasaUnavailable, Exception) as exc:
            logger.warning("Warm-up message got no answer (%s)", type(exc).__name__)
        return True

    # --- what people send -----------------------------------------------------------

    async def on_text(
        self,
        user_id: int,
        text: str,
        telegram_language: str | None,
        update_id: int | None = None,
    ) -> list[Reply]:
        """Replies to a typed message (``update_id``: the stored update it came in)."""
        text = clean_text(text)
        # Only letters tell a language: a text of marks or emoji must not look Ukrainian.
        sample = text if any(ch.isalpha() for ch in text) else None
        async with self.turn(user_id) as person:
            lang = await self.language(person, sample, telegram_language)
            await self._remember(person, last_language=lang)
            replies: list[Reply] = []
            limit = self._settings.max_message_chars
            if len(text) > limit:
                replies.append(text_reply(self.content, lang, "too_long"))
                text = text[:limit]
            if text.startswith("/"):
                # Typed commands we do not know must not become Rasa intent payloads.
                return [*replies, menu_reply(self.content, lang, "unknown_command")]
            if not text.strip():
                return [*replies, menu_reply(self.content, lang, "non_text")]
            if self._handoff is not None:
                self._handoff.heard(person, text)
            waiting = self._take_pending(person)
            if waiting is not None and waiting.text is None:
                # The answer to "tell us what was missing": asked to keep, not sent to Rasa.
                self._hold(person, _Pending(text, lang, waiting.topics, waiting.reason, 0.0))
                return [*replies, consent_reply(self.content, lang, "missing", waiting.topics)]
            kept = Kept(user_id, text, telegram_language, update_id)
            return replies + await self._ask_rasa(person, text, lang, telegram_language, kept)

    async def on_button(
        self,
        user_id: int,
        data: str | None,
        telegram_language: str | None,
        user_name: str | None = None,
    ) -> list[Reply]:
        """Replies to a pressed button (``data`` decoded; None for a forgotten long payload;
        ``user_name`` reaches staff only if the person presses "send with my name")."""
        async with self.turn(user_id) as person:
            lang = await self.language(person, None, telegram_language)
            chosen = language_of(data or "")
            if chosen is not None:
                await self._remember(person, chosen_language=chosen, last_language=chosen)
                return [
                    text_reply(self.content, chosen, "language_set"),
                    menu_reply(self.content, chosen),
                ]
            subscription = subscription_of(data or "", self.content)
            if subscription is not None:
                return await self._subscription(user_id, person, lang, subscription)
            action = handoff_of(data or "")
            if action is not None and self._handoff is not None:
                return await self._handoff.press(user_id, person, lang, action, user_name)
            feedback = feedback_of(data or "", self.content)
            if feedback is not None:
                return await self._feedback(person, lang, feedback)
            consent = consent_of(data or "", self.content)
            if consent is not None:
                return await self._consent(person, lang, consent)
            waiting = self._pending.get(person)
            if waiting is not None and waiting.text is None:
                # They moved on instead of writing what was missing: their next message
                # is a question again.
                del self._pending[person]
            payload = parse(data or "")
            if payload is None or not is_sendable(payload, self.content, self._intents):
                logger.info("Unknown or stale button data")
                return [menu_reply(self.content, lang, "unknown_button")]
            return await self._ask_rasa(person, payload.encoded(), lang, telegram_language)

    async def _subscription(
        self, user_id: int, person: str, lang: str, pressed: Subscription
    ) -> list[Reply]:
        """A subscription button: change the choice, then show it (private chats only, so
        the person's chat is their user id)."""
        sync = self._store.sync
        topic = pressed.topic
        chosen = await self._store.run(lambda: sync.subscriptions(person))
        intro: str | None = None
        if topic is not None:
            on = pressed.action == "on" or (pressed.action == "toggle" and topic not in chosen)
            if on:
                await self._store.run(lambda: sync.subscribe(person, user_id, topic, lang))
            else:
                await self._store.run(lambda: sync.unsubscribe(person, topic))
            title = self.content.topics[topic].title.get(lang)
            intro = self.content.text("subscribed" if on else "unsubscribed", lang, topic=title)
            chosen = await self._store.run(lambda: sync.subscriptions(person))
        return [subscription_reply(self.content, lang, chosen, intro)]

    # --- feedback and the unanswered inbox -------------------------------------------

    def _hold(self, person: str, pending: _Pending) -> None:
        self._pending[person] = _Pending(
            pending.text, pending.lang, pending.topics, pending.reason, time.monotonic()
        )
        self._pending.move_to_end(person)
        while len(self._pending) > _PREFS_KEPT:
            self._pending.popitem(last=False)

    def _take_pending(self, person: str) -> _Pending | None:
        pending = self._pending.pop(person, None)
        if pending is None:
            return None
        limit = _MISSING_SECONDS if pending.text is None else _PENDING_SECONDS
        return pending if time.monotonic() - pending.at <= limit else None

    async def _feedback(self, person: str, lang: str, pressed: Feedback) -> list[Reply]:
        """Helpful / not helpful (counted once per answer and person), or "what was
        missing" (the next message is offered to the inbox)."""
        content = self.content
        if pressed.action == "missing":
            self._hold(person, _Pending(None, lang, (pressed.topic,), "missing", 0.0))
            return [text_reply(content, lang, "missing_prompt")]
        sync = self._store.sync
        helpful = pressed.action == "yes"
        counted = await self._store.run(
            lambda: sync.vote(
                person,
                topic=pressed.topic,
                sub=pressed.sub,
                language=lang,
                region=pressed.region,
                version=pressed.version,
                helpful=helpful,
            )
        )
        if helpful:
            key = "feedback_thanks" if counted else "feedback_already"
            return [text_reply(content, lang, key, with_menu=True)]
        return [feedback_no_reply(content, lang, pressed.topic, pressed.sub)]

    async def _consent(self, person: str, lang: str, pressed: Consent) -> list[Reply]:
        """The one-tap answer to "may we keep this question?": only a yes stores it,
        scrubbed; a no forgets it from memory."""
        pending = self._take_pending(person)
        if not pressed.yes:
            return [text_reply(self.content, lang, "inbox_not_kept", with_menu=True)]
        if pending is None or pending.text is None:
            return [text_reply(self.content, lang, "inbox_gone", with_menu=True)]
        # The question's own topics and reason (an older consent button may be pressed).
        sync, text = self._store.sync, scrub(pending.text)
        await self._store.run(
            lambda: sync.inbox_add(person, text, pending.lang, pending.topics, pending.reason)
        )
        days = str(self._settings.inbox_days)
        return [text_reply(self.content, lang, "inbox_kept", with_menu=True, days=days)]

    async def _after_answer(
        self, person: str, typed: str | None, lang: str, replies: Sequence[Reply]
    ) -> None:
        """Count the answer (topic and language, no text) and hold a typed question the
        answer offers to keep (the consent buttons) until the person says yes or no."""
        topic, consent = "", None
        for reply in replies:
            for button in reply.buttons:
                feedback = feedback_of(button.payload, self.content)
                if feedback is not None and not topic:
                    topic = feedback.topic
                consent = consent or consent_of(button.payload, self.content)
        counts = [("message", topic, lang)]
        if typed is not None:
            counts.append(("typed", "", lang))
            if consent is not None:
                counts.append((consent.reason, next(iter(consent.topics), ""), lang))
                self._hold(person, _Pending(typed, lang, consent.topics, consent.reason, 0.0))
        sync = self._store.sync
        try:
            await self._store.run(lambda: sync.count_all(counts))
        except Exception as exc:
            # Counting is for the reports: it must never cost the person their answer.
            logger.warning("Could not count an answer (%s)", type(exc).__name__)

    async def subscriptions(self, user_id: int, telegram_language: str | None) -> list[Reply]:
        """/subscribe: the subscription topics as toggles, the person's choice marked."""
        async with self.turn(user_id) as person:
            lang = await self.language(person, None, telegram_language)
            return await self._subscription(user_id, person, lang, Subscription("menu"))

    async def command(self, user_id: int, name: str, telegram_language: str | None) -> list[Reply]:
        """A bot command by name (the console's way in; Telegram has one handler each)."""
        commands: dict[str, Callable[[int, str | None], Awaitable[list[Reply]]]] = {
            "start": self.start,
            "menu": self.menu,
            "language": self.language_menu,
            "help": self.help,
            "privacy": self.privacy,
            "forget": self.forget,
            "contacts": self.contacts,
            "subscribe": self.subscriptions,
            "human": self.human,
        }
        return await commands.get(name, self.unknown_command)(user_id, telegram_language)

    async def _lang_of(self, user_id: int, telegram_language: str | None) -> str:
        async with self.turn(user_id) as person:
            return await self.language(person, None, telegram_language)

    async def start(self, user_id: int, telegram_language: str | None) -> list[Reply]:
        """/start: greeting and the language choice (the menu follows the choice)."""
        async with self.turn(user_id) as person:
            lang = await self.language(person, None, telegram_language)
            await self._remember(person, last_language=lang)
        return [
            Reply(self.content.text("greeting", lang)),
            language_choice_reply(self.content, lang),
        ]

    async def fixed(self, user_id: int, telegram_language: str | None, key: str) -> list[Reply]:
        """A conversation text (e.g. for stickers or voice) in the person's language."""
        lang = await self._lang_of(user_id, telegram_language)
        return [text_reply(self.content, lang, key, with_menu=True)]

    async def menu(self, user_id: int, telegram_language: str | None) -> list[Reply]:
        """The topic menu, straight from content."""
        return [menu_reply(self.content, await self._lang_of(user_id, telegram_language))]

    async def language_menu(self, user_id: int, telegram_language: str | None) -> list[Reply]:
        """The language buttons."""
        lang = await self._lang_of(user_id, telegram_language)
        return [language_choice_reply(self.content, lang)]

    async def help(self, user_id: int, telegram_language: str | None) -> list[Reply]:
        """What the bot can do."""
        lang = await self._lang_of(user_id, telegram_language)
        return [menu_reply(self.content, lang, "help")]

    async def unknown_command(self, user_id: int, telegram_language: str | None) -> list[Reply]:
        """A command the bot does not have: say so and show the topics."""
        lang = await self._lang_of(user_id, telegram_language)
        return [menu_reply(self.content, lang, "unknown_command")]

    async def privacy(self, user_id: int, telegram_language: str | None) -> list[Reply]:
        """What is stored and for how long."""
        lang = await self._lang_of(user_id, telegram_language)
        days, inbox_days = str(self._settings.retention_days), str(self._settings.inbox_days)
        return [
            text_reply(
                self.content, lang, "privacy", with_menu=True, days=days, inbox_days=inbox_days
            )
        ]

    async def contacts(self, user_id: int, telegram_language: str | None) -> list[Reply]:
        """/contacts: through Rasa, which knows the person's region."""
        async with self.turn(user_id) as person:
            lang = await self.language(person, None, telegram_language)
            return await self._ask_rasa(
                person, build_payload(CONTACTS_INTENT), lang, telegram_language
            )

    async def human(self, user_id: int, telegram_language: str | None) -> list[Reply]:
        """/human: through Rasa like the typed wish (it knows the region and last topic)."""
        async with self.turn(user_id) as person:
            lang = await self.language(person, None, telegram_language)
            return await self._ask_rasa(
                person, build_payload(HANDOFF_INTENT), lang, telegram_language
            )

    async def location(
        self, user_id: int, region: str | None, telegram_language: str | None
    ) -> list[Reply]:
        """A shared location: remember its region (through Rasa) and show contacts."""
        async with self.turn(user_id) as person:
            lang = await self.language(person, None, telegram_language)
            if region is None:
                return [region_choice_reply(self.content, lang, "location_outside")]
            data = build_payload(CONTACTS_INTENT, region=region)
            return await self._ask_rasa(person, data, lang, telegram_language)

    async def forget(self, user_id: int, telegram_language: str | None) -> list[Reply]:
        """/forget: delete the person's preferences, subscriptions, kept questions and Rasa
        conversation.

        Runs under the person's lock, so nothing of theirs is in flight in the adapter;
        Rasa deletes under its own lock of the conversation, so nothing is written back.
        """
        async with self.turn(user_id) as person:
            lang = await self.language(person, None, telegram_language)
            for kept in self.recovery.drop(user_id):
                await self._kept_done(kept)
            if self._handoff is not None:
                await self._handoff.forget(person)
            try:
                await self._rasa.forget(person)
            except Exception as exc:
                # Never tell someone their data is gone while it is not.
                logger.warning("Forget: Rasa could not delete the conversation (%s)", exc)
                return [text_reply(self.content, lang, "forget_failed", with_menu=True)]
            self._known.pop(person, None)
            self._pending.pop(person, None)
            await self._store.forget(person)
        return [text_reply(self.content, lang, "forget_done")]

    # --- Rasa -------------------------------------------------------------------------

    async def _ask_rasa(
        self,
        person: str,
        text: str,
        lang: str,
        telegram_language: str | None,
        kept: Kept | None = None,
    ) -> list[Reply]:
        if not self.recovery.is_open:
            metadata = {"language": lang, "telegram_language": telegram_language}
            for attempt in (1, 2):
                try:
                    messages = await self._rasa.send(person, text, metadata)
                except RasaDown as exc:
                    logger.warning("Rasa unreachable (%s); serving content directly", exc)
                    self.recovery.record_down()
                    break
                except RasaUnavailable as exc:
                    # This request's failure (Rasa is up): once more, then give up on it.
                    logger.warning("Rasa could not answer (%s), attempt %d", exc, attempt)
                    if attempt == 2:
                        return self._offline_reply(person, text, lang)
                    continue
                self.recovery.record_ok()
                wish = next((m.handoff for m in messages if m.handoff is not None), None)
                if wish is not None and self._handoff is not None:
                    region, topic = wish.get("region"), wish.get("topic")
                    offer = self._handoff.offer(person, lang, region, topic, kept is not None)
                    if offer is not None:
                        return offer
                answer = [Reply(m.text, m.buttons) for m in messages if m.text or m.buttons]
                await self._after_answer(person, text if kept is not None else None, lang, answer)
                return answer
        if kept is not None:
            self.recovery.keep(kept)
            if kept.update_id is not None:
                update_id = kept.update_id
                await self._store.run(lambda: self._store.sync.intake_keep(update_id))
        return self._offline_reply(person, text, lang)

    def _offline_reply(self, person: str, text: str, lang: str) -> list[Reply]:
        content = self.content
        payload = parse(text)
        if payload is not None and payload.intent == HANDOFF_INTENT and self._handoff:
            offer = self._handoff.offer(person, lang, None, None, typed=False)
            if offer is not None:
                return offer
        if payload is not None:
            reply = self._offline_payload_reply(content, payload, lang)
            if reply is not None:
                return [reply]
        return [service_down_reply(content, lang)]

    @staticmethod
    def _offline_payload_reply(content: Content, payload: Payload, lang: str) -> Reply | None:
        if payload.intent == CONTACTS_INTENT:
            region = payload.entities.get("region")
            return contacts_reply(content, lang, region if region in content.regions else None)
        if payload.intent in content.topics:
            # The adapter counts the feedback buttons itself: they work with Rasa down too.
            return topic_reply(content, payload.intent, lang, None, payload.entities.get("sub"))
        if payload.intent == "bot_capabilities":
            return menu_reply(content, lang)
        return None

    def restore_kept(self, update_id: int, raw: dict[str, object]) -> None:
        """A question kept before a restart: keep it again until Rasa answers."""
        message = raw.get("message")
        sender = message.get("from") if isinstance(message, dict) else None
        text = message.get("text") if isinstance(message, dict) else None
        if not isinstance(sender, dict) or not isinstance(text, str):
            return
        user_id, lang = sender.get("id"), sender.get("language_code")
        if isinstance(user_id, int):
            tg_lang = lang if isinstance(lang, str) else None
            self.recovery.keep(Kept(user_id, clean_text(text), tg_lang, update_id))
            self.recovery.open()

    async def _answer_kept(self, item: Kept) -> None:
        async with self.turn(item.user_id) as person:
            lang = await self.language(person, item.text, item.telegram_language)
            metadata = {"language": lang, "telegram_language": item.telegram_language}
            messages = await self._rasa.send(person, item.text, metadata)
            await self._send_later(item, [Reply(m.text, m.buttons) for m in messages])

    async def _park_kept(self, item: Kept) -> None:
        async with self.turn(item.user_id) as person:
            lang = await self.language(person, None, item.telegram_language)
            await self._send_later(item, [service_down_reply(self.content, lang)])

    async def _send_later(self, item: Kept, replies: list[Reply]) -> None:
        if self._deliver is not None:
            key = f"k{item.update_id}" if item.update_id is not None else f"k{id(item)}"
            await self._deliver(item.user_id, replies, key)
        await self._kept_done(item)

    async def _kept_done(self, item: Kept) -> None:
        if item.update_id is not None:
            update_id = item.update_id
            await self._store.run(lambda: self._store.sync.intake_done(update_id, kept_too=True))

    async def close(self) -> None:
        """Stop the background recovery task."""
        await self.recovery.close()
