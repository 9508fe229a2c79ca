"""The adapter's tables: what is kept about a person, under their pseudonym only."""

from __future__ import annotations

from django.db import models

__all__ = ["CallbackKey", "Intake", "Outbox", "Person"]


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


class Outbox(models.Model):
    """One message to send to Telegram, kept until it is delivered (or given up on).

    ``key`` names what the message answers (an update and the message's place in the
    answer), so handling an update twice queues its answer once. ``chat_id`` and
    ``text`` are cleared once the message is sent.
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
