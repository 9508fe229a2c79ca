"""The adapter's one way to its tables: typed calls, run off the event loop in one thread.

Django's ORM is synchronous; SQLite has one writer anyway. :class:`AsyncStore` runs every
call of :class:`Store` on a single worker thread, so the event loop never waits on disk
and the calls of one process never contend with each other.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import secrets
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from store.backend import reconnecting, wipe_log

__all__ = [
    "AsyncStore",
    "CaseRow",
    "DeliveryRow",
    "InboxRow",
    "OutboxMessage",
    "Prefs",
    "Progress",
    "Pseudonyms",
    "Store",
    "setup_django",
]

T = TypeVar("T")


def setup_django() -> None:
    """Configure Django with the console's settings and bring the schema up to date."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    import django  # noqa: PLC0415 - nothing heavy at import time
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.db.migrations.executor import MigrationExecutor  # noqa: PLC0415

    django.setup()
    if MigrationExecutor(connection).migration_plan(
        MigrationExecutor(connection).loader.graph.leaf_nodes()
    ):
        call_command("migrate", verbosity=0, interactive=False)
    connection.close()  # each worker thread opens its own


class Pseudonyms:
    """Telegram id -> pseudonym, an HMAC with a secret salt kept in the data folder."""

    def __init__(self, data_dir: Path) -> None:
        path = data_dir / "sender_salt"
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(32))
        self._salt = path.read_bytes()

    def of(self, user_id: int) -> str:
        """The pseudonym of a Telegram user (also Rasa's sender id)."""
        digest = hmac.new(self._salt, str(user_id).encode(), hashlib.sha256).hexdigest()
        return f"u{digest[:32]}"


@dataclass(frozen=True)
class Prefs:
    """What the adapter remembers about one person."""

    chosen_language: str | None = None
    last_language: str | None = None


def _now() -> datetime:
    from django.utils import timezone  # noqa: PLC0415

    return timezone.now()


class Store:
    """Synchronous calls on the adapter's tables (run them through :class:`AsyncStore`).

    Create it after :func:`setup_django` (Django models cannot be imported before).
    """

    def __init__(self) -> None:
        from store.models import (  # noqa: PLC0415
            AnswerVote,
            Broadcast,
            CallbackKey,
            Case,
            DailyCount,
            Delivery,
            FeedbackCount,
            InboxItem,
            Intake,
            Lease,
            Outbox,
            Person,
            Subscription,
        )

        self._person = Person
        self._callback = CallbackKey
        self._intake = Intake
        self._outbox = Outbox
        self._subscription = Subscription
        self._broadcast = Broadcast
        self._delivery = Delivery
        self._lease = Lease
        self._case = Case
        self._vote = AnswerVote
        self._feedback = FeedbackCount
        self._daily = DailyCount
        self._inbox = InboxItem
        from store.hotpath import HotPath  # noqa: PLC0415

        self._hot = HotPath()

    def prefs(self, pseudonym: str) -> Prefs:
        """The person's preferences (defaults for someone new)."""
        row = self._hot.prefs(pseudonym)
        return Prefs(*row) if row else Prefs()

    def update(
        self,
        pseudonym: str,
        *,
        chosen_language: str | None = None,
        last_language: str | None = None,
    ) -> None:
        """Set the given fields (others unchanged) and mark the person as seen now."""
        fields = {"chosen_language": chosen_language, "last_language": last_language}
        given = {name: value for name, value in fields.items() if value is not None}
        self._hot.person_update(pseudonym, given, _now())

    def forget(self, pseudonym: str) -> int:
        """Delete everything kept about the person (their subscriptions and what is still
        to be sent to them too); returns the rows deleted."""
        deleted, _ = self._person.objects.filter(pk=pseudonym).delete()
        deleted += self._forget_subscriptions(pseudonym)
        deleted += self._forget_cases(pseudonym)
        deleted += self._vote.objects.filter(pseudonym=pseudonym).delete()[0]
        deleted += self._inbox.objects.filter(pseudonym=pseudonym).delete()[0]
        self.wipe_log()
        return deleted

    def expire(self, pseudonym: str) -> int:
        """The retention purge of a silent person: their conversation data goes, but not
        a subscription they chose (it lasts until they unsubscribe or /forget), nor a case
        still open."""
        deleted, _ = self._person.objects.filter(pk=pseudonym).delete()
        closed, _ = self._case.objects.filter(pseudonym=pseudonym, state=self._case.CLOSED).delete()
        return deleted + closed

    def _forget_subscriptions(self, pseudonym: str) -> int:
        deleted, _ = self._subscription.objects.filter(pseudonym=pseudonym).delete()
        # Sent or not: nothing with their pseudonym stays (a broadcast is fanned out once,
        # so they are not written to again).
        rows, _ = self._delivery.objects.filter(pseudonym=pseudonym).delete()
        return deleted + rows

    def purge_broadcasts(self, older_than_days: float) -> int:
        """Drop broadcasts (and their deliveries) finished longer ago than that."""
        cutoff = _now() - timedelta(days=older_than_days)
        deleted, _ = self._broadcast.objects.filter(finished__lt=cutoff).delete()
        return deleted

    def wipe_log(self) -> None:
        """Empty SQLite's write-ahead log: old page images would still hold deleted rows."""
        wipe_log()

    def expired(self, older_than_days: float) -> list[str]:
        """Pseudonyms of people silent for longer than the retention period."""
        cutoff = _now() - timedelta(days=older_than_days)
        return list(self._person.objects.filter(last_seen__lt=cutoff).values_list("pk", flat=True))

    def remember_callback(self, payload: str) -> str:
        """A short key for a payload too long for Telegram's 64-byte callback data."""
        key = hashlib.sha256(payload.encode()).hexdigest()[:20]
        self._callback.objects.bulk_create(
            [self._callback(key=key, payload=payload, created=_now())],
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=["created"],
        )
        return key

    def callback_payload(self, key: str) -> str | None:
        """The payload behind a short callback key, if still known."""
        return self._callback.objects.filter(pk=key).values_list("payload", flat=True).first()

    def purge_callbacks(self, older_than_days: float) -> int:
        """Drop old callback keys (such old buttons answer with the menu)."""
        cutoff = _now() - timedelta(days=older_than_days)
        deleted, _ = self._callback.objects.filter(created__lt=cutoff).delete()
        return deleted

    # --- intake: updates from Telegram, stored before they are acknowledged ------------

    def intake_add(
        self, updates: list[tuple[int, str]], persons: dict[int, int] | None = None
    ) -> list[int]:
        """Store new updates (id, raw JSON), each with its person's key from ``persons``
        (see :meth:`intake_of_person`); returns the ids not seen before, in order."""
        keys = persons or {}
        rows = [(update_id, raw, keys.get(update_id)) for update_id, raw in updates]
        new = self._hot.intake_add(rows, _now())
        return [update_id for update_id, _ in updates if update_id in new]

    def intake_of_person(self, person: int, up_to: int) -> list[tuple[int, str]]:
        """(id, raw) of the person's updates not yet handled, up to ``up_to``, oldest first
        (updates kept for when Rasa is back are the recovery's, not listed)."""
        return self._hot.intake_of_person(person, up_to)

    @property
    def shared(self) -> bool:
        """Whether several adapter replicas may use this database (PostgreSQL, not SQLite):
        then per-person order and caches must hold across processes."""
        from django.db import connections  # noqa: PLC0415

        return bool(connections["default"].vendor == "postgresql")

    def intake_pending(self) -> list[tuple[int, str, str]]:
        """(id, raw, state) of updates not yet handled (new, or kept for when Rasa is
        back), oldest first."""
        states = (self._intake.NEW, self._intake.KEPT)
        rows = self._intake.objects.filter(state__in=states).order_by("update_id")
        return list(rows.values_list("update_id", "raw", "state"))

    def intake_start(self, update_id: int) -> int:
        """Count one more attempt at an update; returns the attempts so far."""
        return self._hot.intake_start(update_id)

    def intake_keep(self, update_id: int) -> None:
        """Keep an update's words until Rasa is back."""
        self._intake.objects.filter(pk=update_id).update(state=self._intake.KEPT)

    def intake_done(self, update_id: int, kept_too: bool = False) -> None:
        """Mark an update handled and forget its content (a kept one only if ``kept_too``)."""
        states = [self._intake.NEW, self._intake.KEPT] if kept_too else [self._intake.NEW]
        self._hot.intake_done(update_id, states)

    def last_update_id(self) -> int | None:
        """The newest update ever stored (polling continues after it)."""
        row = self._intake.objects.order_by("-update_id").values_list("update_id", flat=True)
        return row.first()

    # --- outbox: answers kept until Telegram has them ---------------------------------

    def outbox_add(
        self, chat_id: int, messages: list[tuple[str, str, str]], thread_id: int | None = None
    ) -> None:
        """Queue messages (key, HTML text, markup JSON) for a chat (and forum topic);
        known keys are skipped."""
        self._hot.outbox_add(chat_id, messages, _now(), thread_id)

    def outbox_add_copy(
        self, key: str, chat_id: int, from_chat: int, message_id: int, thread_id: int | None
    ) -> None:
        """Queue a copy of message ``message_id`` of ``from_chat`` (a known key is skipped)."""
        now = _now()
        row = self._outbox(
            key=key,
            chat_id=chat_id,
            created=now,
            not_before=now,
            thread_id=thread_id,
            copy_from=from_chat,
            copy_id=message_id,
        )
        self._outbox.objects.bulk_create([row], ignore_conflicts=True)

    def outbox_retarget(self, chat_id: int, old_thread: int, new_thread: int) -> int:
        """Send what waits for a forum topic that is gone into its replacement."""
        rows = self._outbox.objects.filter(
            chat_id=chat_id, thread_id=old_thread, state=self._outbox.PENDING
        )
        return rows.update(thread_id=new_thread)

    def outbox_next(self, chat_id: int) -> OutboxMessage | None:
        """The oldest message still to send to a chat."""
        row = self._hot.outbox_next(chat_id)
        return OutboxMessage(chat_id, *row) if row else None

    def outbox_sent_then_next(self, message_id: int, chat_id: int) -> OutboxMessage | None:
        """:meth:`outbox_sent`, then :meth:`outbox_next` (one trip to the store thread)."""
        self.outbox_sent(message_id)
        return self.outbox_next(chat_id)

    def outbox_chats(self) -> list[int]:
        """Chats with messages still to send."""
        rows = self._outbox.objects.filter(state=self._outbox.PENDING)
        return list(rows.values_list("chat_id", flat=True).distinct())

    def outbox_sent(self, message_id: int) -> None:
        """Delivered: keep only the key (so the answer is never queued again)."""
        self._hot.outbox_sent(message_id)

    def outbox_later(self, message_id: int, not_before: datetime) -> None:
        """Try again at ``not_before``."""
        from django.db.models import F  # noqa: PLC0415

        self._outbox.objects.filter(pk=message_id).update(
            not_before=not_before, attempts=F("attempts") + 1
        )

    def outbox_give_up(self, chat_id: int, message_id: int | None = None) -> int:
        """Stop trying one message (or every message to a chat that blocked the bot)."""
        rows = self._outbox.objects.filter(chat_id=chat_id, state=self._outbox.PENDING)
        if message_id is not None:
            rows = rows.filter(pk=message_id)
        return rows.update(state=self._outbox.FAILED, chat_id=0, text="", markup="", copy_from=None)

    def purge_done(self, older_than: timedelta) -> int:
        """Drop handled updates and sent messages older than ``older_than``."""
        cutoff = _now() - older_than
        updates, _ = self._intake.objects.filter(
            state=self._intake.DONE, received__lt=cutoff
        ).delete()
        messages, _ = (
            self._outbox.objects.exclude(state=self._outbox.PENDING)
            .filter(created__lt=cutoff)
            .delete()
        )
        return updates + messages

    # --- subscriptions -------------------------------------------------------------

    def subscriptions(self, pseudonym: str) -> list[str]:
        """The topics the person subscribed to."""
        rows = self._subscription.objects.filter(pseudonym=pseudonym)
        return sorted(rows.values_list("topic", flat=True))

    def subscribe(self, pseudonym: str, chat_id: int, topic: str, language: str) -> None:
        """Subscribe the person to ``topic`` (again: nothing changes)."""
        self._subscription.objects.bulk_create(
            [
                self._subscription(
                    pseudonym=pseudonym,
                    topic=topic,
                    chat_id=chat_id,
                    language=language,
                    created=_now(),
                )
            ],
            ignore_conflicts=True,
        )

    def unsubscribe(self, pseudonym: str, topic: str | None = None) -> int:
        """End one subscription (every one without ``topic``); returns how many ended."""
        rows = self._subscription.objects.filter(pseudonym=pseudonym)
        if topic is not None:
            rows = rows.filter(topic=topic)
        deleted, _ = rows.delete()
        return deleted

    def subscriber_count(self) -> dict[str, int]:
        """Subscribers per topic (for the console)."""
        from django.db.models import Count  # noqa: PLC0415

        rows = self._subscription.objects.values("topic").annotate(n=Count("id"))
        return {row["topic"]: row["n"] for row in rows}

    # --- cases: people handed to NGO staff --------------------------------------------

    def _case_row(self, case: object) -> CaseRow:
        return CaseRow(
            number=case.pk,  # type: ignore[attr-defined]
            **{f: getattr(case, f) for f in CaseRow.__dataclass_fields__ if f != "number"},
        )

    def case_open(
        self,
        pseudonym: str,
        chat_id: int,
        language: str,
        region: str,
        topic: str,
        staff_chat_id: int,
        left_outside_hours: bool,
        summary: Callable[[int], list[tuple[str, str, str]]] | None = None,
    ) -> tuple[CaseRow, bool]:
        """The person's open case, created now if they have none; (case, created).

        ``summary`` gives the messages (key, HTML, markup) that open the case's topic for
        its number; they are queued in the same transaction (thread ``-number``: the topic
        is made when they are sent), so no case is ever stored without them.
        """
        from django.db import IntegrityError, transaction  # noqa: PLC0415

        found = self.case_of(pseudonym)
        if found is not None:
            return found, False
        try:
            with transaction.atomic():
                case = self._case.objects.create(
                    pseudonym=pseudonym,
                    chat_id=chat_id,
                    language=language,
                    region=region,
                    topic=topic,
                    staff_chat_id=staff_chat_id,
                    left_outside_hours=left_outside_hours,
                    created=_now(),
                )
                if summary is not None:
                    self.outbox_add(staff_chat_id, summary(case.pk), thread_id=-case.pk)
        except IntegrityError:  # opened at the same moment elsewhere: that one stands
            again = self.case_of(pseudonym)
            if again is None:
                raise
            return again, False
        return self._case_row(case), True

    def case_of(self, pseudonym: str) -> CaseRow | None:
        """The person's open case, if any."""
        case = self._case.objects.filter(pseudonym=pseudonym, state=self._case.OPEN).first()
        return self._case_row(case) if case else None

    def has_open_case(self, pseudonym: str) -> bool:
        """Whether the person has an open case (cheaper than :meth:`case_of`)."""
        return self._hot.has_open_case(pseudonym)

    def case_get(self, number: int) -> CaseRow | None:
        """The case ``number`` (open or closed)."""
        case = self._case.objects.filter(pk=number).first()
        return self._case_row(case) if case else None

    def case_in_thread(self, staff_chat_id: int, thread_id: int) -> CaseRow | None:
        """The case whose forum topic is ``thread_id`` (the newest, if a topic was reused)."""
        case = (
            self._case.objects.filter(staff_chat_id=staff_chat_id, thread_id=thread_id)
            .order_by("-pk")
            .first()
        )
        return self._case_row(case) if case else None

    def cases_open(self) -> list[CaseRow]:
        """Every open case, oldest first."""
        rows = self._case.objects.filter(state=self._case.OPEN).order_by("pk")
        return [self._case_row(c) for c in rows]

    def case_update(self, number: int, **fields: object) -> None:
        """Set ``fields`` (thread_id, region, last_staff, announced) of a case."""
        allowed = {"thread_id", "region", "last_staff", "announced"}
        if not set(fields) <= allowed:
            raise ValueError(f"cannot set {sorted(set(fields) - allowed)} of a case")
        self._case.objects.filter(pk=number).update(**fields)

    def case_close(self, number: int) -> CaseRow | None:
        """Close an open case (its chat id is cleared); the case as it was, or None if it
        was not open."""
        case = self.case_get(number)
        if case is None or case.state != self._case.OPEN:
            return None
        closed = self._case.objects.filter(pk=number, state=self._case.OPEN).update(
            state=self._case.CLOSED, chat_id=0
        )
        return case if closed else None

    def _forget_cases(self, pseudonym: str) -> int:
        chats = list(
            self._case.objects.filter(pseudonym=pseudonym).values_list("chat_id", flat=True)
        )
        deleted, _ = self._case.objects.filter(pseudonym=pseudonym).delete()
        # Their messages still waiting to be copied to staff go too.
        copies, _ = self._outbox.objects.filter(
            copy_from__in=[c for c in chats if c], state=self._outbox.PENDING
        ).delete()
        return deleted + copies

    # --- the lease: one sender among all adapter replicas ------------------------------

    def acquire_lease(self, name: str, holder: str, seconds: float) -> bool:
        """Take or renew the lease ``name`` for ``seconds``; False while another holds it.

        One conditional UPDATE decides, so two replicas can never both win.
        """
        from django.db.models import Q  # noqa: PLC0415

        now = _now()
        self._lease.objects.bulk_create(
            [self._lease(name=name, holder="", expires=now - timedelta(seconds=1))],
            ignore_conflicts=True,
        )
        won = (
            self._lease.objects.filter(name=name)
            .filter(Q(holder=holder) | Q(expires__lt=now))
            .update(holder=holder, expires=now + timedelta(seconds=seconds))
        )
        return won == 1

    def release_lease(self, name: str, holder: str) -> None:
        """Give the lease up (on a clean stop), so another replica takes over at once."""
        self._lease.objects.filter(name=name, holder=holder).update(
            expires=_now() - timedelta(seconds=1)
        )

    # --- broadcasts: reminders and announcements ---------------------------------------

    def add_broadcast(
        self, key: str, topics: list[str], texts: dict[str, str], not_before: datetime
    ) -> bool:
        """Create the broadcast ``key`` unless it exists; True if it is new."""
        if self._broadcast.objects.filter(key=key).exists():
            return False
        self._broadcast.objects.bulk_create(
            [
                self._broadcast(
                    key=key, topics=topics, texts=texts, not_before=not_before, created=_now()
                )
            ],
            ignore_conflicts=True,
        )
        return True

    def has_broadcast(self, key: str) -> bool:
        """Whether the broadcast ``key`` was ever created."""
        return self._broadcast.objects.filter(key=key).exists()

    def fan_out_due(self, now: datetime) -> list[tuple[str, int]]:
        """One delivery per subscriber for every broadcast whose time has come; returns
        (key, deliveries) of each. Runs in one transaction per broadcast, and the unique
        (broadcast, person) pair makes a repeated fan-out add nobody twice."""
        from django.db import transaction  # noqa: PLC0415

        done: list[tuple[str, int]] = []
        due = self._broadcast.objects.filter(fanned_out=False, not_before__lte=now)
        for broadcast in due.order_by("not_before", "id"):
            with transaction.atomic():
                subs = self._subscription.objects.filter(topic__in=broadcast.topics).order_by("id")
                people: dict[str, tuple[int, str, str]] = {}
                order = {topic: i for i, topic in enumerate(broadcast.topics)}
                for pseudonym, chat_id, language, topic in subs.values_list(
                    "pseudonym", "chat_id", "language", "topic"
                ):
                    known = people.get(pseudonym)
                    if known is None or order[topic] < order[known[2]]:
                        people[pseudonym] = (chat_id, language, topic)
                chosen = dict(
                    self._person.objects.filter(pk__in=list(people)).values_list(
                        "pk", "chosen_language"
                    )
                )
                rows = [
                    self._delivery(
                        broadcast=broadcast,
                        pseudonym=pseudonym,
                        chat_id=chat_id,
                        language=chosen.get(pseudonym) or language,
                        topic=topic,
                        not_before=now,
                    )
                    for pseudonym, (chat_id, language, topic) in people.items()
                ]
                self._delivery.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
                self._broadcast.objects.filter(pk=broadcast.pk).update(fanned_out=True)
            done.append((broadcast.key, len(rows)))
        return done

    def recover_sending(self) -> int:
        """Deliveries cut off mid-call by a crash: marked ``unsure``, never sent twice."""
        return self._delivery.objects.filter(state=self._delivery.SENDING).update(
            state=self._delivery.UNSURE, chat_id=0
        )

    def next_deliveries(self, now: datetime, limit: int) -> list[DeliveryRow]:
        """Up to ``limit`` deliveries due at ``now``, oldest broadcast first."""
        rows = (
            self._delivery.objects.filter(state=self._delivery.PENDING, not_before__lte=now)
            .order_by("broadcast__not_before", "broadcast_id", "id")
            .values_list(
                "id", "chat_id", "pseudonym", "language", "topic", "attempts", "broadcast__texts"
            )[:limit]
        )
        return [
            DeliveryRow(i, chat, person, lang, topic, attempts, str(texts.get(lang) or ""))
            for i, chat, person, lang, topic, attempts, texts in rows
        ]

    def delivery_sending(self, delivery_id: int) -> bool:
        """Mark a delivery as being sent now (before the call); False if it is no longer
        pending (the person unsubscribed or /forget meanwhile)."""
        return (
            self._delivery.objects.filter(pk=delivery_id, state=self._delivery.PENDING).update(
                state=self._delivery.SENDING
            )
            == 1
        )

    def delivery_done(self, delivery_id: int, state: str) -> None:
        """Sent, failed or blocked: the chat id is cleared, the person's pseudonym stays
        (it keeps the delivery unique)."""
        self._delivery.objects.filter(pk=delivery_id).update(state=state, chat_id=0)

    def delivery_later(self, delivery_id: int, not_before: datetime) -> None:
        """Back to pending, to be tried again at ``not_before``."""
        from django.db.models import F  # noqa: PLC0415

        self._delivery.objects.filter(pk=delivery_id).update(
            state=self._delivery.PENDING, not_before=not_before, attempts=F("attempts") + 1
        )

    def blocked(self, pseudonym: str) -> int:
        """The person blocked the bot: every subscription ends, nothing more is sent."""
        self._delivery.objects.filter(pseudonym=pseudonym, state=self._delivery.PENDING).update(
            state=self._delivery.BLOCKED, chat_id=0
        )
        return self.unsubscribe(pseudonym)

    def finish_broadcasts(self, now: datetime) -> list[str]:
        """Mark fanned-out broadcasts with nothing left to send as finished; their keys."""
        open_states = (self._delivery.PENDING, self._delivery.SENDING)
        candidates = self._broadcast.objects.filter(fanned_out=True, finished__isnull=True)
        done = [b.key for b in candidates.exclude(deliveries__state__in=open_states).only("key")]
        self._broadcast.objects.filter(key__in=done).update(finished=now)
        return done

    def open_progress(self) -> list[Progress]:
        """Progress of every broadcast being sent now."""
        keys = self._broadcast.objects.filter(fanned_out=True, finished__isnull=True)
        found = [self.progress(key) for key in keys.values_list("key", flat=True)]
        return [p for p in found if p is not None]

    def progress(self, key: str) -> Progress | None:
        """How far the broadcast ``key`` is (None before it exists)."""
        from django.db.models import Count  # noqa: PLC0415

        broadcast = self._broadcast.objects.filter(key=key).first()
        if broadcast is None:
            return None
        counts = dict(
            self._delivery.objects.filter(broadcast=broadcast)
            .values("state")
            .annotate(n=Count("id"))
            .values_list("state", "n")
        )
        return Progress(
            key=key,
            not_before=broadcast.not_before,
            fanned_out=broadcast.fanned_out,
            finished=broadcast.finished,
            pending=counts.get("pending", 0) + counts.get("sending", 0),
            sent=counts.get("sent", 0),
            failed=counts.get("failed", 0) + counts.get("unsure", 0),
            blocked=counts.get("blocked", 0),
            dropped=counts.get("dropped", 0),
        )

    # --- feedback, counters and the unanswered inbox -----------------------------------

    def vote(
        self,
        pseudonym: str,
        *,
        topic: str,
        sub: str | None,
        language: str,
        region: str | None,
        version: str,
        helpful: bool,
    ) -> bool:
        """Count one rating of an answer; False (not counted) if the person rated this
        answer before. The count keeps no trace of who voted."""
        from django.db import IntegrityError, transaction  # noqa: PLC0415
        from django.db.models import F  # noqa: PLC0415

        today = _now().date()
        try:
            with transaction.atomic():
                self._vote.objects.create(
                    pseudonym=pseudonym, answer=f"{topic}:{sub or ''}", day=today
                )
                row, _ = self._feedback.objects.get_or_create(
                    day=today,
                    topic=topic,
                    sub=sub or "",
                    language=language,
                    region=region or "",
                    version=version,
                    helpful=helpful,
                )
                self._feedback.objects.filter(pk=row.pk).update(count=F("count") + 1)
        except IntegrityError:
            return False
        return True

    def count(self, kind: str, topic: str = "", language: str = "", n: int = 1) -> None:
        """Add ``n`` to today's counter of ``kind`` (see :class:`store.models.DailyCount`)."""
        from django.db.models import F  # noqa: PLC0415

        today = _now().date()
        key = {"day": today, "kind": kind, "topic": topic, "language": language}
        if not self._daily.objects.filter(**key).update(count=F("count") + n):
            self._daily.objects.bulk_create([self._daily(**key, count=0)], ignore_conflicts=True)
            self._daily.objects.filter(**key).update(count=F("count") + n)

    def count_all(self, counts: Collection[tuple[str, str, str]]) -> None:
        """:meth:`count` one for each (kind, topic, language), in one statement (this runs
        for every answer)."""
        self._hot.count(list(counts), _now())

    def inbox_add(
        self, pseudonym: str, text: str, language: str, topics: Collection[str], reason: str
    ) -> int:
        """Keep a question the person agreed to share (``text`` already scrubbed)."""
        row = self._inbox.objects.create(
            pseudonym=pseudonym,
            text=text,
            language=language,
            topics=list(topics),
            reason=reason,
            day=_now().date(),
        )
        self.count(self._daily.INBOX, next(iter(topics), ""), language)
        return int(row.pk)

    def inbox(self, states: Collection[str] = ("new",)) -> list[InboxRow]:
        """Inbox questions in ``states``, newest first (no pseudonym: staff never see it)."""
        rows = self._inbox.objects.filter(state__in=list(states)).order_by("-day", "-id")
        return [
            InboxRow(i, text, lang, tuple(topics), reason, day, state, trained)
            for i, text, lang, topics, reason, day, state, trained in rows.values_list(
                "id", "text", "language", "topics", "reason", "day", "state", "trained_topic"
            )
        ]

    def inbox_mark(self, ids: Collection[int], state: str, trained_topic: str = "") -> int:
        """Mark inbox questions handled (trained, needs an answer, dismissed)."""
        rows = self._inbox.objects.filter(pk__in=list(ids), state=self._inbox.NEW)
        changed = rows.update(state=state, trained_topic=trained_topic, handled=_now())
        if state == self._inbox.TRAINED and changed:
            self.count(self._daily.TRAINED, trained_topic, n=changed)
        return changed

    def inbox_put_back(self, ids: Collection[int]) -> int:
        """Undo "needs an answer" or "dismiss": the questions are new again (a training
        example, once written, stays: it is undone in the training data)."""
        states = (self._inbox.NEEDS_ANSWER, self._inbox.DISMISSED)
        rows = self._inbox.objects.filter(pk__in=list(ids), state__in=states)
        return rows.update(state=self._inbox.NEW, trained_topic="", handled=None)

    def inbox_handled(self, limit: int = 20) -> list[InboxRow]:
        """The questions handled last (for undo), newest first."""
        rows = self._inbox.objects.exclude(state=self._inbox.NEW).order_by("-handled", "-id")
        return [
            InboxRow(i, text, lang, tuple(topics), reason, day, state, trained)
            for i, text, lang, topics, reason, day, state, trained in rows.values_list(
                "id", "text", "language", "topics", "reason", "day", "state", "trained_topic"
            )[:limit]
        ]

    def trained_since(self, since: datetime) -> int:
        """Inbox questions made training examples after ``since`` (the last training)."""
        rows = self._inbox.objects.filter(state=self._inbox.TRAINED, handled__gt=since)
        return rows.count()

    def purge_feedback(self, inbox_days: float, vote_days: float) -> int:
        """Delete inbox questions older than ``inbox_days`` and the "already rated" marks
        older than ``vote_days`` (the counts stay: they hold nobody)."""
        today = _now().date()
        inbox, _ = self._inbox.objects.filter(day__lt=today - timedelta(days=inbox_days)).delete()
        votes, _ = self._vote.objects.filter(day__lt=today - timedelta(days=vote_days)).delete()
        return inbox + votes

    def daily_counts(self, since: date, until: date) -> list[tuple[date, str, str, str, int]]:
        """(day, kind, topic, language, count) from ``since`` to ``until``."""
        rows = self._daily.objects.filter(day__gte=since, day__lte=until)
        rows = rows.order_by("day", "kind", "topic")
        return list(rows.values_list("day", "kind", "topic", "language", "count"))

    def feedback_counts(self, since: date, until: date) -> list[tuple[str, str, str, bool, int]]:
        """(topic, sub, version, helpful, votes) from ``since`` to ``until``."""
        from django.db.models import Sum  # noqa: PLC0415

        rows = (
            self._feedback.objects.filter(day__gte=since, day__lte=until)
            .values("topic", "sub", "version", "helpful")
            .annotate(n=Sum("count"))
            .order_by("topic", "sub", "version", "helpful")
        )
        return [(r["topic"], r["sub"], r["version"], r["helpful"], int(r["n"])) for r in rows]


@dataclass(frozen=True)
class InboxRow:
    """An inbox question as staff see it."""

    id: int
    text: str
    language: str
    topics: tuple[str, ...]
    reason: str
    day: date
    state: str
    trained_topic: str


@dataclass(frozen=True)
class DeliveryRow:
    """A broadcast to send to one subscriber, with its text in their language."""

    id: int
    chat_id: int
    pseudonym: str
    language: str
    topic: str
    attempts: int
    text: str


@dataclass(frozen=True)
class Progress:
    """Where a broadcast stands: sent, pending, failed (incl. unsure), blocked, dropped."""

    key: str
    not_before: datetime
    fanned_out: bool
    finished: datetime | None
    pending: int
    sent: int
    failed: int
    blocked: int
    dropped: int

    @property
    def total(self) -> int:
        """Every delivery of it."""
        return self.pending + self.sent + self.failed + self.blocked + self.dropped

    @property
    def percent(self) -> int:
        """Done (not pending) in percent."""
        return 100 if not self.total else round(100 * (self.total - self.pending) / self.total)


@dataclass(frozen=True)
class OutboxMessage:
    """A message waiting to be sent (a text, or a copy of ``copy_from``'s ``copy_id``)."""

    chat_id: int
    id: int
    text: str
    markup: str
    created: datetime
    not_before: datetime
    attempts: int
    thread_id: int | None = None
    copy_from: int | None = None
    copy_id: int | None = None


@dataclass(frozen=True)
class CaseRow:
    """A person handed to staff, and where staff talk about them."""

    number: int
    pseudonym: str
    chat_id: int
    language: str
    region: str
    topic: str
    staff_chat_id: int
    thread_id: int | None
    state: str
    left_outside_hours: bool
    created: datetime
    last_staff: datetime | None
    announced: datetime | None

    @property
    def is_open(self) -> bool:
        """Whether staff still talk with the person."""
        return self.state == "open"


class AsyncStore:
    """:class:`Store` for asyncio code: every call runs on one worker thread."""

    def __init__(self, store: Store | None = None) -> None:
        self.sync = store or Store()
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")

    async def run(self, call: Callable[[], T]) -> T:
        """Run ``call`` on the store's thread (again, if the database connection was lost)."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, reconnecting(call))

    async def prefs(self, pseudonym: str) -> Prefs:
        """See :meth:`Store.prefs`."""
        return await self.run(lambda: self.sync.prefs(pseudonym))

    async def update(
        self,
        pseudonym: str,
        *,
        chosen_language: str | None = None,
        last_language: str | None = None,
    ) -> None:
        """See :meth:`Store.update`."""
        await self.run(
            lambda: self.sync.update(
                pseudonym, chosen_language=chosen_language, last_language=last_language
            )
        )

    async def forget(self, pseudonym: str) -> int:
        """See :meth:`Store.forget`."""
        return await self.run(lambda: self.sync.forget(pseudonym))

    async def remember_callback(self, payload: str) -> str:
        """See :meth:`Store.remember_callback`."""
        return await self.run(lambda: self.sync.remember_callback(payload))

    async def callback_payload(self, key: str) -> str | None:
        """See :meth:`Store.callback_payload`."""
        return await self.run(lambda: self.sync.callback_payload(key))

    def close(self) -> None:
        """Close the worker thread's database connection and stop the thread."""

        def close_connections() -> None:
            from django.db import connections  # noqa: PLC0415

            connections.close_all()

        self._thread.submit(close_connections).result()
        self._thread.shutdown(wait=True)
