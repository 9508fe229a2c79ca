"""The console's tables: drafts, published versions, the audit log, staff preferences.

No migrant's data is kept here: only content items (topics, organisations, conversation
texts), who on the staff changed them, and when.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["AuditEntry", "Draft", "Kind", "StaffProfile", "Version"]


class Kind(models.TextChoices):
    """What kind of item a draft or version is."""

    TOPIC = "topic", _("Topic")
    ORGANISATION = "organisation", _("Organisation")
    MESSAGE = "message", _("Conversation text")
    HANDOFF = "handoff", _("Talk to a person: office hours and staff group")


class Draft(models.Model):
    """A proposed change to one item, from its author's first save until it is decided."""

    class State(models.TextChoices):
        EDITING = "editing", _("Being written")
        IN_REVIEW = "in_review", _("Waiting for review")
        SENT_BACK = "sent_back", _("Sent back")
        PUBLISHED = "published", _("Published")
        DISCARDED = "discarded", _("Discarded")

    OPEN_STATES = (State.EDITING, State.IN_REVIEW, State.SENT_BACK)

    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=64)
    data = models.JSONField(help_text="The item as the author wants it (the YAML's shape).")
    base_data = models.JSONField(
        null=True, blank=True, help_text="The item as published when the draft started."
    )
    base_hash = models.CharField(
        max_length=64, help_text="SHA-256 of the item's text on disk when the draft started."
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.EDITING)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="drafts"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_drafts",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True, help_text="The reviewer's reason for sending it back.")
    reverts = models.ForeignKey(
        "Version", on_delete=models.SET_NULL, null=True, blank=True, related_name="reverted_by"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rechecked_drafts",
        help_text="Who opened every source and set the reviewed date to that day.",
    )
    checked_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[Any]] = ["-updated"]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["kind", "key", "state"])]
        permissions: ClassVar[list[Any]] = [
            ("edit_content", "Can write drafts of the bot's content"),
            ("review_content", "Can approve and publish others' drafts"),
            ("view_audit", "Can read the audit log"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} #{self.pk} ({self.state})"

    @property
    def is_open(self) -> bool:
        """Whether it is still to be decided."""
        return self.state in self.OPEN_STATES

    @property
    def editable(self) -> bool:
        """Whether its author may still change it."""
        return self.state in (self.State.EDITING, self.State.SENT_BACK)


class Version(models.Model):
    """One published state of an item: who wrote it, who approved it, when."""

    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=64)
    number = models.PositiveIntegerField()
    data = models.JSONField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="authored_versions",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_versions",
    )
    published_at = models.DateTimeField()
    draft = models.OneToOneField(
        Draft, on_delete=models.SET_NULL, null=True, blank=True, related_name="version"
    )
    origin = models.CharField(
        max_length=16,
        choices=[
            ("console", _("Published in the console")),
            ("files", _("Found in the files")),
        ],
        default="console",
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checked_versions",
    )

    class Meta:
        ordering: ClassVar[list[Any]] = ["kind", "key", "-number"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["kind", "key", "number"], name="one_number_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} v{self.number}"


class AuditEntry(models.Model):
    """Who did what, when: every action in the console (never a migrant's data)."""

    class Action(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGOUT = "logout", _("Logged out")
        LOGIN_FAILED = "login_failed", _("Failed log-in")
        DRAFT_SAVED = "draft_saved", _("Saved a draft")
        SUBMITTED = "submitted", _("Sent for review")
        WITHDRAWN = "withdrawn", _("Took back from review")
        DISCARDED = "discarded", _("Discarded a draft")
        SENT_BACK = "sent_back", _("Sent back")
        APPROVAL_REFUSED = "approval_refused", _("Approval refused")
        PUBLISHED = "published", _("Approved and published")
        CONFLICT = "conflict", _("Publishing stopped: the file changed")
        REBASED = "rebased", _("Took over the file's current version")
        RECHECKED = "rechecked", _("Re-checked against the sources")
        REVERT_STARTED = "revert_started", _("Started a revert")
        LANGUAGE = "language", _("Changed the interface language")
        ACCOUNT_CREATED = "account_created", _("Account created")
        ANNOUNCEMENT_SAVED = "announcement_saved", _("Saved an announcement")
        ANNOUNCEMENT_APPROVED = "announcement_approved", _("Approved an announcement")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    username = models.CharField(max_length=150, help_text="Kept if the account is deleted.")
    action = models.CharField(max_length=32, choices=Action.choices)
    kind = models.CharField(max_length=16, blank=True)
    key = models.CharField(max_length=64, blank=True)
    draft = models.ForeignKey(Draft, on_delete=models.SET_NULL, null=True, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar[list[Any]] = ["-at", "-pk"]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["kind", "key"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.kind}:{self.key}"


class StaffProfile(models.Model):
    """A staff member's own choices: the language of the console."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    language = models.CharField(max_length=2, choices=settings.LANGUAGES, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.language or '-'}"

    @classmethod
    def language_of(cls, user: Any) -> str:
        """The staff member's chosen language, or '' if none."""
        found = cls.objects.filter(user=user).values_list("language", flat=True).first()
        return found or ""
