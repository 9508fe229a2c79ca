"""The announcement's steps, each checked here on the server (not only in the page):
the author writes and submits (and may take it back); a reviewer who is not the author
approves it or sends it back with a comment; approval hands it to the adapter's broadcast
table, which sends it at its time."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from console.announcements.models import Announcement
from console.editorial import roles
from console.editorial.audit import record
from console.editorial.models import AuditEntry
from store.api import Progress, Store

__all__ = [
    "NotAllowed",
    "WorkflowError",
    "approve",
    "discard",
    "progress",
    "save",
    "send_back",
    "submit",
    "withdraw",
]

KIND = "announcement"
State = Announcement.State
Action = AuditEntry.Action


class NotAllowed(Exception):
    """This person may not take this step (answered with 403)."""


class WorkflowError(Exception):
    """The step does not fit the announcement's state."""


def save(user: Any, data: dict[str, Any], announcement: Announcement | None) -> Announcement:
    """Create or change an announcement (its author only, while it is being written)."""
    if not roles.can_edit(user):
        raise NotAllowed(_("Only editors write announcements."))
    if announcement is None:
        announcement = Announcement(author=user)
    elif announcement.author_id != user.pk:
        raise NotAllowed(_("Only the author changes an announcement."))
    elif not announcement.editable:
        raise WorkflowError("it is no longer being written")
    for field in ("topics", "text_cs", "text_uk", "text_en", "send_at"):
        setattr(announcement, field, data[field])
    announcement.save()
    record(user, Action.ANNOUNCEMENT_SAVED, kind=KIND, key=str(announcement.pk))
    return announcement


def submit(announcement: Announcement, user: Any) -> None:
    """The author asks for a review."""
    if announcement.author_id != user.pk:
        raise NotAllowed(_("Only the author sends it for review."))
    if not announcement.editable:
        raise WorkflowError("it is not being written")
    announcement.state = State.IN_REVIEW
    announcement.submitted_at = timezone.now()
    announcement.comment = ""
    announcement.save(update_fields=["state", "submitted_at", "comment", "updated"])
    record(user, Action.SUBMITTED, kind=KIND, key=str(announcement.pk))


def withdraw(announcement: Announcement, user: Any) -> None:
    """The author takes it back from review to change it."""
    if announcement.author_id != user.pk:
        raise NotAllowed(_("Only the author takes it back."))
    with transaction.atomic():
        locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
        if locked.state != State.IN_REVIEW:
            raise WorkflowError("it is not waiting for review")
        locked.state = State.EDITING
        locked.save(update_fields=["state", "updated"])
        record(user, Action.WITHDRAWN, kind=KIND, key=str(locked.pk))
    announcement.refresh_from_db()


def _require_reviewer(announcement: Announcement, user: Any) -> None:
    if not roles.can_review(user) or announcement.author_id == user.pk:
        record(user, Action.APPROVAL_REFUSED, kind=KIND, key=str(announcement.pk))
        raise NotAllowed(_("A reviewer other than the author approves it (four eyes)."))


def send_back(announcement: Announcement, user: Any, comment: str) -> None:
    """A reviewer other than the author returns it with what should change."""
    _require_reviewer(announcement, user)
    if not comment.strip():
        raise WorkflowError("say what should change")
    with transaction.atomic():
        locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
        if locked.state != State.IN_REVIEW:
            raise WorkflowError("it is not waiting for review")
        locked.state, locked.reviewer, locked.decided_at = State.SENT_BACK, user, timezone.now()
        locked.comment = comment.strip()
        locked.save(update_fields=["state", "reviewer", "decided_at", "comment", "updated"])
        record(user, Action.SENT_BACK, kind=KIND, key=str(locked.pk), detail=locked.comment)
    announcement.refresh_from_db()


def approve(announcement: Announcement, user: Any) -> None:
    """A reviewer other than the author approves: it goes to the broadcast table."""
    _require_reviewer(announcement, user)
    with transaction.atomic():
        locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
        if locked.state != State.IN_REVIEW:
            raise WorkflowError("it is not waiting for review")
        now = timezone.now()
        locked.state, locked.reviewer, locked.decided_at = State.APPROVED, user, now
        locked.save(update_fields=["state", "reviewer", "decided_at", "updated"])
        when = locked.send_at if locked.send_at and locked.send_at > now else now
        Store().add_broadcast(locked.broadcast_key, list(locked.topics), locked.texts, when)
        # No words of one language in the log: the topics' codes and the time.
        detail = f"{', '.join(locked.topics)} · {when:%Y-%m-%d %H:%M %Z}"
        record(user, Action.ANNOUNCEMENT_APPROVED, kind=KIND, key=str(locked.pk), detail=detail)
    announcement.refresh_from_db()


def discard(announcement: Announcement, user: Any) -> None:
    """The author (or a reviewer) drops an announcement that was not approved."""
    if announcement.author_id != user.pk and not roles.can_review(user):
        raise NotAllowed(_("Only the author or a reviewer discards it."))
    if announcement.state not in (State.EDITING, State.IN_REVIEW, State.SENT_BACK):
        raise WorkflowError("it was decided already")
    announcement.state = State.DISCARDED
    announcement.save(update_fields=["state", "updated"])
    record(user, Action.DISCARDED, kind=KIND, key=str(announcement.pk))


def progress(announcement: Announcement) -> Progress | None:
    """How far sending it is (None until approved)."""
    if announcement.state != State.APPROVED:
        return None
    return Store().progress(announcement.broadcast_key)
