"""The adapter's tables: what is kept about a person, under their pseudonym only."""

from __future__ import annotations

from django.db import models

__all__ = ["CallbackKey", "Person"]


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
