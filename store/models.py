"""The adapter's tables: what is kept about a person, under their pseudonym only."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

__all__ = [
    "AnswerVote",
    "Broadcast",
    "CallbackKey",
    "Case",
    "DailyCount",
    "Delivery",
    "FeedbackCount",
    "InboxItem",
    "Intake",
    "Lease",
    "Outbox",
    "Person",
    "Subscription",
]


class Person(models.Model):
    """The choices of one person: reply language and when they last wrote."""

    pseudonym = models.CharField(max_length=40, primary_key=True)
    chosen_language = models.CharField(max_length=2, null=True, blank=True)
    last_language = models.CharField(max_length=2, null=True, blank=True)
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "person (pseudonymous)"


class CallbackKey(models.Model):
    """A short key for button data longer than Telegram's 64 bytes (no personal data)."""

    key = models.CharField(max_length=20, primary_key=True)
    payload = models.TextField()
    created = models.DateTimeField(db_index=True)


class Intake(models.Model):
    """An update from Telegram, written before Telegram is told it arrived.

    ``raw`` (the update as sent, with the person's words and id) is kept only while the
    update is handled, or kept for when Rasa is back; it is cleared as soon as the
    update is done. The bare ``update_id`` stays a day longer, so a re-delivered update
    is recognised and not answered twice.
    """

    NEW, KEPT, DONE = "new", "kept", "done"

    update_id = models.BigIntegerField(primary_key=True)
    raw = models.TextField(blank=True)
    state = models.CharField(max_length=4, default=NEW, db_index=True)
    received = models.DateTimeField(db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Whose update it is (a number derived from the pseudonym, cleared with ``raw``): a
    # replica handles one person's stored updates in ``update_id`` order (bot/intake.py).
    person = models.BigIntegerField(null=True, db_index=True)


class Outbox(models.Model):
    """One message to send to Telegram, kept until it is delivered (or given up on).

    ``key`` names what the message answers (an update and the message's place in the
    answer), so handling an update twice queues its answer once. ``chat_id`` and
    ``text`` are cleared once the message is sent.

    ``thread_id`` sends into a forum topic (the staff group of the handoff; a negative
    value stands for "the topic of case -thread_id", still to be created). ``copy_from``
    and ``copy_id`` make it a copy of that message (copyMessage) instead of a text: a
    person's message relayed to staff is never stored, only its place.
    """

    PENDING, SENT, FAILED = "pending", "sent", "failed"

    key = models.CharField(max_length=80, unique=True)
    chat_id = models.BigIntegerField(db_index=True)
    text = models.TextField(blank=True)
    markup = models.TextField(blank=True)
    state = models.CharField(max_length=7, default=PENDING, db_index=True)
    created = models.DateTimeField()
    not_before = models.DateTimeField(db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    thread_id = models.BigIntegerField(null=True, blank=True)
    copy_from = models.BigIntegerField(null=True, blank=True)
    copy_id = models.BigIntegerField(null=True, blank=True)


class Case(models.Model):
    """A person handed to NGO staff: one forum topic of the staff group per case.

    The case number (``id``) is all staff learn of who it is, with the language, region
    and the bot's last topic the person agreed to show. ``chat_id`` (the private chat,
    needed to send staff replies) is kept only while the case is open, like a
    subscription's; /forget deletes the case.
    """

    OPEN, CLOSED = "open", "closed"

    pseudonym = models.CharField(max_length=40, db_index=True)
    chat_id = models.BigIntegerField()
    language = models.CharField(max_length=2)
    region = models.CharField(max_length=40, blank=True)
    topic = models.CharField(max_length=40, blank=True)
    staff_chat_id = models.BigIntegerField()
    thread_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    state = models.CharField(max_length=6, default=OPEN, db_index=True)
    left_outside_hours = models.BooleanField(default=False)
    created = models.DateTimeField()
    last_staff = models.DateTimeField(null=True, blank=True)
    announced = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["pseudonym"], condition=models.Q(state="open"), name="one_open_case"
            )
        ]


class Subscription(models.Model):
    """A topic a person chose to hear about (/subscribe), kept until they unsubscribe.

    ``chat_id`` is the one thing of Telegram kept here: the person chose to be written to,
    and nothing can be sent without it. ``language`` is the reply language when they
    subscribed (their later choice, if any, wins when a message is sent).
    """

    pseudonym = models.CharField(max_length=40, db_index=True)
    topic = models.CharField(max_length=40, db_index=True)
    chat_id = models.BigIntegerField()
    language = models.CharField(max_length=2)
    created = models.DateTimeField()

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["pseudonym", "topic"], name="one_subscription")
        ]


class Broadcast(models.Model):
    """A reminder or an announcement for the subscribers of ``topics``.

    ``key`` names it (``reminder:<topic>:<event>:<days>``, ``announcement:<id>``), so it
    is created once however often the scheduler or the console asks. ``texts`` holds the
    text in each language; it is fanned out into one :class:`Delivery` per subscriber once
    ``not_before`` has come.
    """

    key = models.CharField(max_length=80, unique=True)
    topics = models.JSONField()
    texts = models.JSONField()
    not_before = models.DateTimeField(db_index=True)
    created = models.DateTimeField()
    fanned_out = models.BooleanField(default=False, db_index=True)
    finished = models.DateTimeField(null=True, blank=True)


class Delivery(models.Model):
    """One broadcast to one subscriber: unique, so nobody gets it twice.

    ``sending`` is written before the Bot API call and ``sent`` after it; a row still
    ``sending`` when a new sender takes over was cut off by a crash mid-call and becomes
    ``unsure`` (not sent again: Telegram may well have it).
    """

    PENDING, SENDING, SENT = "pending", "sending", "sent"
    FAILED, BLOCKED, UNSURE, DROPPED = "failed", "blocked", "unsure", "dropped"

    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="deliveries")
    pseudonym = models.CharField(max_length=40)
    chat_id = models.BigIntegerField()
    language = models.CharField(max_length=2)
    topic = models.CharField(max_length=40)
    state = models.CharField(max_length=7, default=PENDING)
    not_before = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["broadcast", "pseudonym"], name="one_delivery")
        ]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["state", "not_before"]),
            models.Index(fields=["broadcast", "state"]),
        ]


class Lease(models.Model):
    """A lock shared by every adapter replica: whoever holds an unexpired lease works."""

    name = models.CharField(max_length=40, primary_key=True)
    holder = models.CharField(max_length=64)
    expires = models.DateTimeField()


class AnswerVote(models.Model):
    """That a person rated one answer (so they count once): no topic detail, no vote.

    Kept for the retention period, deleted by /forget; the rating itself goes to the
    anonymous :class:`FeedbackCount`, which has no way back to the person.
    """

    pseudonym = models.CharField(max_length=40, db_index=True)
    answer = models.CharField(max_length=96)
    day = models.DateField(db_index=True)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["pseudonym", "answer"], name="one_vote_per_answer")
        ]


class FeedbackCount(models.Model):
    """Helpful / not helpful votes per answer as shown (topic, follow-up, content version),
    language, region and day: counts only, no person, no text."""

    day = models.DateField()
    topic = models.CharField(max_length=40)
    sub = models.CharField(max_length=40, blank=True)
    language = models.CharField(max_length=2)
    region = models.CharField(max_length=40, blank=True)
    version = models.CharField(max_length=24, blank=True)
    helpful = models.BooleanField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["day", "topic", "sub", "language", "region", "version", "helpful"],
                name="one_feedback_count",
            )
        ]


class DailyCount(models.Model):
    """What the bot answered, counted per day: ``kind`` is ``message`` (an answer; ``topic``
    empty for conversation like greetings), ``typed`` (a typed question), ``fallback`` and
    ``out_of_scope`` (typed, not answered), ``inbox`` (a question kept with consent) or
    ``trained`` (an inbox question made a training example). No person, no text."""

    MESSAGE, TYPED, FALLBACK, OUT_OF_SCOPE = "message", "typed", "fallback", "out_of_scope"
    INBOX, TRAINED = "inbox", "trained"

    day = models.DateField(db_index=True)
    kind = models.CharField(max_length=12)
    topic = models.CharField(max_length=40, blank=True)
    language = models.CharField(max_length=2, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["day", "kind", "topic", "language"], name="one_daily_count"
            )
        ]


class InboxItem(models.Model):
    """A question the bot could not answer, kept after the person's one-tap yes.

    ``text`` is scrubbed (:func:`poradnyk.scrub.scrub`) before it is stored; ``pseudonym``
    is only for /forget and never shown. Deleted after the inbox period (30 days by
    default), whatever staff did with it.
    """

    NEW, TRAINED, NEEDS_ANSWER, DISMISSED = "new", "trained", "answer", "dismissed"

    pseudonym = models.CharField(max_length=40, db_index=True)
    text = models.TextField()
    language = models.CharField(max_length=2)
    topics = models.JSONField(default=list)
    reason = models.CharField(max_length=12)
    day = models.DateField(db_index=True)
    state = models.CharField(max_length=9, default=NEW, db_index=True)
    trained_topic = models.CharField(max_length=40, blank=True)
    handled = models.DateTimeField(null=True, blank=True)
