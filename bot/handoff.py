"""Handoff to NGO staff: one forum topic per case in the staff supergroup, relays both ways.

A person asks for a person (the ``human_handoff`` intent however it arrives: typed, a
button, ``/human``), sees exactly what staff will see and confirms. The case is stored
(:class:`store.models.Case`) and its summary queued for a topic that does not exist yet
(thread ``-case``): the sender asks :meth:`Handoff.thread_for` to create it, so creating
the topic is retried like any send, and a topic staff delete or close is recreated the
same way. While the case is open, what the person sends is copied into the topic (never
stored: only its place, until it is copied) and the bot does not answer it; what staff
write in the topic goes back to the person through the outbox, marked as from a person.
Every relay has the key of the update it came in, so a restart delivers it once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from telegram import Bot, Message, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.render import split_html
from bot.sender import Sender
from bot.settings import Settings
from poradnyk.compose import Button, Reply, text_reply
from poradnyk.content import Content
from poradnyk.content.model import Handoff as HandoffConfig
from poradnyk.handoff import Facts, consent_reply, format_when, summary_text, topic_title
from poradnyk.hours import is_open, next_opening
from poradnyk.payload import build_handoff
from store.api import AsyncStore, CaseRow

if TYPE_CHECKING:
    from bot.conversation import Conversation

__all__ = ["Handoff"]

logger = logging.getLogger(__name__)

_KEPT = 10_000
_MEMBER_FRESH_SECONDS = 300.0
_HEARD_SECONDS = 3600.0
_STAFF = frozenset(
    {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER}
)


def _command(text: str) -> tuple[str, str]:
    """(command without @bot, the rest) of a staff message; ("", text) for plain text."""
    if not text.startswith("/"):
        return "", text
    head, _, rest = text.partition(" ")
    return head[1:].split("@", 1)[0].lower(), rest.strip()


class Handoff:
    """Cases between people and the staff group: offering, opening, relaying, closing."""

    def __init__(
        self, settings: Settings, conversation: Conversation, sender: Sender, bot: Bot
    ) -> None:
        self._settings = settings
        self._conversation = conversation
        self._sender = sender
        self._bot = bot
        # person -> (the message before, the latest message, when): only in memory and
        # only for an hour, to show the question on the consent screen; gone on restart
        # and on /forget, and never kept while no staff group is set up.
        self._heard: OrderedDict[str, tuple[str | None, str, float]] = OrderedDict()
        self._offers: OrderedDict[str, Facts] = OrderedDict()
        # person -> case number. With replicas (PostgreSQL) a case opened or closed on
        # another replica is not in here, so relaying reads the store instead.
        self._open: dict[str, int] = {}
        self._shared = conversation.store.sync.shared
        self._members: dict[int, tuple[bool, float]] = {}

    @property
    def _store(self) -> AsyncStore:
        return self._conversation.store

    @property
    def _content(self) -> Content:
        return self._conversation.content

    @property
    def config(self) -> HandoffConfig | None:
        """The handoff settings of the current content (None: no staff group set up)."""
        return self._content.handoff

    def now(self) -> datetime:
        """The time office hours are judged at (a fixed one in tests)."""
        return self._settings.handoff_clock or datetime.now(timezone.utc)

    async def start(self) -> None:
        """Know the open cases, and make the sender ask here for topics that are gone."""
        cases = await self._store.run(self._store.sync.cases_open)
        self._open = {c.pseudonym: c.number for c in cases}
        self._sender.set_threads(self.thread_for)

    # --- the person's side ------------------------------------------------------------

    def heard(self, person: str, text: str) -> None:
        """Remember (in memory) what the person last typed, for the consent screen."""
        if self.config is None:
            return
        before = self._heard.pop(person, None)
        self._heard[person] = (before[1] if before else None, text, time.monotonic())
        while len(self._heard) > _KEPT:
            self._heard.popitem(last=False)

    def in_case(self, person: str) -> bool:
        """Whether staff handle the person now (their messages go to the topic)."""
        return person in self._open

    def offer(
        self, person: str, lang: str, region: str | None, topic: str | None, typed: bool
    ) -> list[Reply] | None:
        """The consent screen (None when no staff group is set up)."""
        config = self.config
        if config is None:
            return None
        content = self._content
        if person in self._open:
            return [text_reply(content, lang, "handoff_already_open", case=str(self._open[person]))]
        before, latest, heard_at = self._heard.get(person, (None, None, 0.0))
        if time.monotonic() - heard_at > _HEARD_SECONDS:
            before = latest = None
        # Typed "I want a person" is not the question; the message before it is.
        question = (before or latest) if typed else latest
        facts = Facts(question, lang, region or None, topic or None)
        self._offers[person] = facts
        while len(self._offers) > _KEPT:
            self._offers.popitem(last=False)
        now = self.now()
        open_now = is_open(config, now)
        back = None if open_now else next_opening(config, now)
        return [consent_reply(content, config, facts, lang, back, open_now)]

    async def press(
        self, user_id: int, person: str, lang: str, action: str, name: str | None
    ) -> list[Reply]:
        """A handoff button: send (anonymously or with the name), cancel, or end the case."""
        content = self._content
        config = self.config
        if action == "end":
            return await self._end_by_person(person, lang)
        facts = self._offers.pop(person, None)
        if action == "cancel" or config is None:
            return [text_reply(content, lang, "handoff_cancelled", with_menu=True)]
        if facts is None:  # an old screen (before a restart): show what would be sent now
            return self.offer(person, lang, None, None, typed=False) or []
        if action == "name":
            facts = Facts(facts.question, facts.language, facts.region, facts.topic, name)
        now = self.now()
        open_now = is_open(config, now)
        sync = self._store.sync
        chosen = facts

        def summary(number: int) -> list[tuple[str, str, str]]:
            text = summary_text(content, config, number, chosen, waiting=not open_now)
            return [(f"case{number}:{i}", chunk, "") for i, chunk in enumerate(split_html(text))]

        case, created = await self._store.run(
            lambda: sync.case_open(
                person,
                user_id,
                lang,
                chosen.region or "",
                chosen.topic or "",
                config.staff_chat_id,
                not open_now,
                summary,
            )
        )
        self._open[person] = case.number
        if not created:
            return [text_reply(content, lang, "handoff_already_open", case=str(case.number))]
        self._sender.wake(case.staff_chat_id)
        logger.info("Case %d opened (%s)", case.number, "in hours" if open_now else "waiting")
        end = Button(content.text("btn_handoff_end", lang), build_handoff("end"))
        if open_now:
            text = content.text("handoff_opened", lang, case=case.number)
        else:
            when = format_when(content, config, lang, next_opening(config, now))
            text = content.text("handoff_left", lang, case=case.number, when=when)
        return [Reply(text, (end,))]

    async def _end_by_person(self, person: str, lang: str) -> list[Reply]:
        content = self._content
        sync = self._store.sync
        case = await self._store.run(lambda: sync.case_of(person))
        if case is not None and await self._close(case):
            note = content.text("staff_user_ended", self._staff_language, case=case.number)
            await self._to_topic(case, note, f"end{case.number}")
        return [text_reply(content, lang, "handoff_ended", with_menu=True)]

    async def relay(self, update: Update) -> bool:
        """Copy a person's message into their case's topic; False if they have no case."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or not (self._open or self._shared):
            return False
        conversation = self._conversation
        sync = self._store.sync
        if self._shared:
            # One cheap query per message: another replica may have opened the case.
            pseudonym = conversation.pseudonym(user.id)
            if not await self._store.run(lambda: sync.has_open_case(pseudonym)):
                self._open.pop(pseudonym, None)
                return False
        elif conversation.pseudonym(user.id) not in self._open:
            return False
        async with conversation.turn(user.id) as person:
            if not self._shared and person not in self._open:
                return False
            case = await self._store.run(lambda: sync.case_of(person))
            if case is None:
                self._open.pop(person, None)
                return False
            self._open[person] = case.number
            await self._sender.copy(
                case.staff_chat_id,
                message.chat_id,
                message.message_id,
                f"r{update.update_id}",
                case.thread_id or -case.number,
            )
            await conversation.seen(person)
        return True

    async def forget(self, person: str) -> None:
        """/forget: close the person's case (staff are told); the store deletes it."""
        self._heard.pop(person, None)
        self._offers.pop(person, None)
        sync = self._store.sync
        case = await self._store.run(lambda: sync.case_of(person))
        if case is not None and await self._close(case):
            note = self._content.text("staff_user_forgot", self._staff_language, case=case.number)
            await self._to_topic(case, note, f"forgot{case.number}")

    # --- the staff group ----------------------------------------------------------------

    @property
    def _staff_language(self) -> str:
        config = self.config
        return config.staff_language if config else self._settings.default_language

    async def _to_topic(self, case: CaseRow, text: str, key: str) -> None:
        await self._sender.send(
            case.staff_chat_id, [Reply(text)], key, case.thread_id or -case.number
        )

    async def _close(self, case: CaseRow) -> bool:
        sync = self._store.sync
        closed = await self._store.run(lambda: sync.case_close(case.number))
        self._open.pop(case.pseudonym, None)
        return closed is not None

    def is_staff_chat(self, chat_id: int) -> bool:
        """Whether ``chat_id`` is the staff group of the current content."""
        config = self.config
        return config is not None and chat_id == config.staff_chat_id

    async def _is_member(self, chat_id: int, user_id: int) -> bool:
        known = self._members.get(user_id)
        if known is not None and time.monotonic() - known[1] < _MEMBER_FRESH_SECONDS:
            return known[0]
        try:
            member = await self._bot.get_chat_member(chat_id, user_id)
        except TelegramError as exc:
            logger.warning("Could not check a staff member (%s)", type(exc).__name__)
            return False
        staff = member.status in _STAFF
        self._members[user_id] = (staff, time.monotonic())
        return staff

    async def on_staff(self, update: Update) -> None:
        """An update from the staff group: a reply or a command in a case's topic."""
        message = update.message
        chat = update.effective_chat
        if update.callback_query is not None:
            await update.callback_query.answer()
            return
        if message is None or chat is None or message.from_user is None:
            return
        if message.from_user.is_bot or message.message_thread_id is None:
            return
        if not message.is_topic_message:
            return
        if not await self._is_member(chat.id, message.from_user.id):
            logger.info("A message in the staff group from a non-member: ignored")
            return
        thread = message.message_thread_id
        sync = self._store.sync
        case = await self._store.run(lambda: sync.case_in_thread(chat.id, thread))
        if case is None or case.thread_id != thread:
            return  # a topic that is not (or no longer) a case's
        key = f"s{update.update_id}"
        content = self._content
        staff_lang = self._staff_language
        command, rest = _command(message.text or "")
        if not case.is_open:
            if message.text is not None or message.effective_attachment is not None:
                note = content.text("staff_case_not_open", staff_lang)
                await self._sender.send(chat.id, [Reply(note)], key, thread)
            return
        if command == "close":
            await self._close(case)
            reply = text_reply(content, case.language, "handoff_closed_by_staff", with_menu=True)
            await self._sender.send(case.chat_id, [reply], key)
            # The note straight away, not queued: the topic is closed right after it.
            note = content.text("staff_case_closed", staff_lang, case=case.number)
            with contextlib.suppress(TelegramError):
                await self._bot.send_message(chat.id, note, message_thread_id=thread)
                await self._bot.close_forum_topic(chat.id, thread)
            logger.info("Case %d closed by staff", case.number)
            return
        if command == "region":
            await self._reassign(case, rest, key)
            return
        signed = command == "signed"
        if command and not signed:
            return  # another command (for another bot, or a typo): not for the person
        await self._relay_to_person(case, message, rest if signed else None, signed, key)

    async def _relay_to_person(
        self, case: CaseRow, message: Message, text: str | None, signed: bool, key: str
    ) -> None:
        content = self._content
        lang = case.language
        if signed and message.from_user is not None:
            header = content.text("handoff_from_person", lang, name=message.from_user.first_name)
        else:
            header = content.text("handoff_from_person_anonymous", lang)
        body = text if text is not None else message.text
        # Every answer from staff carries the way back to the bot.
        end = (Button(content.text("btn_handoff_end", lang), build_handoff("end")),)
        if body is not None:
            if not body.strip():
                return
            await self._sender.send(case.chat_id, [Reply(f"{header}\n{body}", end)], key)
        else:
            await self._sender.send(case.chat_id, [Reply(header, end)], key)
            await self._sender.copy(
                case.chat_id, message.chat_id, message.message_id, f"{key}:c", None
            )
        now = self.now()
        sync = self._store.sync
        await self._store.run(lambda: sync.case_update(case.number, last_staff=now))

    async def _reassign(self, case: CaseRow, code: str, key: str) -> None:
        content = self._content
        config = self.config
        staff_lang = self._staff_language
        code = code.strip().lower()
        if code not in content.regions or config is None:
            note = content.text(
                "staff_region_unknown", staff_lang, codes=", ".join(content.regions)
            )
            await self._to_topic(case, note, key)
            return
        sync = self._store.sync
        await self._store.run(lambda: sync.case_update(case.number, region=code))
        if case.thread_id is not None:
            title = topic_title(content, config, case.number, case.language, code)
            with contextlib.suppress(TelegramError):
                await self._bot.edit_forum_topic(case.staff_chat_id, case.thread_id, name=title)
        region = content.regions[code].get(staff_lang)
        note = content.text("staff_region_set", staff_lang, case=case.number, region=region)
        await self._to_topic(case, note, key)

    async def thread_for(self, chat_id: int, thread: int) -> int | None:
        """The topic to send into instead of ``thread`` (gone, or ``-case`` not made yet):
        created now if need be; None if no case needs it any more."""
        sync = self._store.sync
        if thread < 0:
            case = await self._store.run(lambda: sync.case_get(-thread))
            if case is None or (case.thread_id is None and not case.is_open):
                return None
            if case.thread_id is not None:
                return case.thread_id
            return await self._new_topic(case, recreated=False)
        case = await self._store.run(lambda: sync.case_in_thread(chat_id, thread))
        if case is None or not case.is_open:
            return None  # a closed case's topic is not brought back (nobody waits there)
        return await self._new_topic(case, recreated=True)

    async def _new_topic(self, case: CaseRow, recreated: bool) -> int:
        content = self._content
        config = self.config
        title = (
            topic_title(content, config, case.number, case.language, case.region)
            if config
            else f"#{case.number}"
        )
        topic = await self._bot.create_forum_topic(case.staff_chat_id, title)
        thread = topic.message_thread_id
        sync = self._store.sync
        await self._store.run(lambda: sync.case_update(case.number, thread_id=thread))
        logger.info("Case %d has a forum topic now", case.number)
        if recreated:
            note = content.text("staff_case_recreated", self._staff_language, case=case.number)
            with contextlib.suppress(TelegramError):
                await self._bot.send_message(case.staff_chat_id, note, message_thread_id=thread)
        return thread

    # --- re-announcing cases nobody answered ---------------------------------------------

    async def reannounce_once(self) -> int:
        """Announce again, in office hours, each open case without a staff reply for the
        configured hours; returns how many."""
        config = self.config
        now = self.now()
        if config is None or not is_open(config, now):
            return 0
        after = timedelta(hours=config.reannounce_after_hours)
        sync = self._store.sync
        announced = 0
        for case in await self._store.run(sync.cases_open):
            waiting_since = case.last_staff or case.created
            last = max(waiting_since, case.announced or waiting_since)
            if now - last < after:
                continue
            hours = int((now - waiting_since).total_seconds() // 3600)
            note = self._content.text(
                "staff_reannounce", self._staff_language, case=case.number, hours=hours
            )
            await self._to_topic(case, note, f"again{case.number}:{int(now.timestamp())}")
            await self._mark_announced(case.number, now)
            announced += 1
        return announced

    async def _mark_announced(self, number: int, now: datetime) -> None:
        sync = self._store.sync
        await self._store.run(lambda: sync.case_update(number, announced=now))

    async def loop(self) -> None:
        """Re-announce waiting cases every ``handoff_poll`` seconds."""
        while True:
            try:
                if await self.reannounce_once():
                    logger.info("Waiting cases announced again")
            except Exception as exc:
                logger.error("Re-announcing cases failed (%s)", type(exc).__name__)
            await asyncio.sleep(self._settings.handoff_poll)
