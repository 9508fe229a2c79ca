"""An announcement: cs/uk/en text for the subscribers of some topics, approved by a second
person, then handed to the adapter's broadcast table (``store``) to be sent."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Announcement"]


class Announcement(models.Model):
    """One announcement, from its first save until it is sent (or discarded)."""

    class State(models.TextChoices):
        EDITING = "editing", _("Being written")
        IN_REVIEW = "in_review", _("Waiting for review")
        SENT_BACK = "sent_back", _("Sent back")
        APPROVED = "approved", _("Approved")
        DISCARDED = "discarded", _("Discarded")

    topics = models.JSONField(help_text="Subscription topics whose subscribers get it.")
    text_cs = models.TextField()
    text_uk = models.TextField()
    text_en = models.TextField()
    send_at = models.DateTimeField(
        null=True, blank=True, help_text="When to send it (empty: as soon as it is approved)."
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.EDITING)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="announcements"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_announcements",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(
        blank=True, help_text="The reviewer's comment when sending it back (staff only)."
    )

    class Meta:
        ordering: ClassVar[list[Any]] = ["-updated"]

    def __str__(self) -> str:
        return f"announcement #{self.pk} ({self.state})"

    @property
    def editable(self) -> bool:
        """The author may change it: being written, or sent back with a comment."""
        return self.state in (self.State.EDITING, self.State.SENT_BACK)

    @property
    def broadcast_key(self) -> str:
        """Its key in the adapter's broadcast table."""
        return f"announcement:{self.pk}"

    @property
    def texts(self) -> dict[str, str]:
        """The text by language."""
        return {"cs": self.text_cs, "uk": self.text_uk, "en": self.text_en}
