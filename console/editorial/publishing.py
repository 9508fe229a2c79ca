"""The editorial workflow: drafts, four eyes, and publishing into the content files.

Every rule is enforced here, on the server, whatever a page shows: only the author edits,
submits or withdraws a draft; only a reviewer who is *not* its author approves it; a draft
with errors is never sent for review nor published; and a draft whose item changed on disk
since it was started is stopped with a conflict instead of overwriting that change.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from console.editorial import audit, library, roles
from console.editorial.checks import Check, check
from console.editorial.models import AuditEntry, Draft, Kind, Version
from poradnyk.content.writer import item_text, load_yaml, write_atomic

__all__ = [
    "Conflict",
    "NotAllowed",
    "Refused",
    "WorkflowError",
    "approve",
    "discard",
    "doc_of_text",
    "open_draft",
    "published_doc",
    "rebase",
    "recheck",
    "revert",
    "save",
    "send_back",
    "sources_of",
    "submit",
    "withdraw",
]

logger = logging.getLogger(__name__)
Action = AuditEntry.Action
State = Draft.State


class WorkflowError(Exception):
    """A step of the workflow that may not happen now."""


class NotAllowed(WorkflowError):
    """This person may not take this step (role, or four eyes)."""


class Refused(WorkflowError):
    """The draft has errors; ``check`` says which."""

    def __init__(self, result: Check) -> None:
        super().__init__("the draft has errors")
        self.check = result


class Conflict(WorkflowError):
    """The item changed on disk after the draft was started."""

    def __init__(self, disk_doc: dict[str, Any] | None) -> None:
        super().__init__("the item changed on disk after the draft was started")
        self.disk_doc = disk_doc


def doc_of_text(kind: str, key: str, text: str | None) -> dict[str, Any] | None:
    """The document of an item's own text (as :func:`library.on_disk` gives it)."""
    if not text:
        return None
    try:
        data = load_yaml(text)
    except yaml.YAMLError:
        return None  # a half-finished edit by hand (the checks refuse to publish over it)
    if kind == Kind.ORGANISATION:
        data = data[0] if isinstance(data, list) and data else None
    elif kind == Kind.MESSAGE:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else None


def published_doc(kind: str, key: str) -> dict[str, Any] | None:
    """The item as its file holds it now."""
    return library.documents().get(kind, key)


def open_draft(user: Any, kind: str, key: str) -> Draft | None:
    """The user's own undecided draft of this item, if any."""
    return (
        Draft.objects.filter(kind=kind, key=key, author=user, state__in=Draft.OPEN_STATES)
        .order_by("-updated")
        .first()
    )


def _require_edit(user: Any) -> None:
    if not roles.can_edit(user):
        raise NotAllowed(_("Only editors and reviewers write drafts."))


def _require_author(draft: Draft, user: Any) -> None:
    _require_edit(user)
    if draft.author_id != user.pk:
        raise NotAllowed(_("Only the author changes a draft."))


def save(user: Any, kind: str, key: str, doc: dict[str, Any], draft: Draft | None) -> Draft:
    """Keep ``doc`` as the user's draft of the item (started now if there is none)."""
    _require_edit(user)
    if draft is None:
        current = library.on_disk(kind, key)
        draft = Draft(
            kind=kind,
            key=key,
            author=user,
            base_data=doc_of_text(kind, key, current.text),
            base_hash=current.hash,
        )
    else:
        _require_author(draft, user)
        if not draft.editable:
            raise WorkflowError("a draft in review cannot change; take it back first")
    draft.data = doc
    draft.save()
    audit.record(user, Action.DRAFT_SAVED, draft=draft)
    return draft


def submit(draft: Draft, user: Any) -> None:
    """Send the draft for review: only without errors."""
    _require_author(draft, user)
    if not draft.editable:
        raise WorkflowError("only a draft being written can be sent for review")
    result = check(draft.kind, draft.key, draft.data)
    if not result.ok:
        raise Refused(result)
    draft.state = State.IN_REVIEW
    draft.submitted_at = timezone.now()
    draft.comment = ""
    draft.save()
    audit.record(user, Action.SUBMITTED, draft=draft)


def withdraw(draft: Draft, user: Any) -> None:
    """Take a draft back from review to change it."""
    _require_author(draft, user)
    if draft.state != State.IN_REVIEW:
        raise WorkflowError("only a draft in review can be taken back")
    draft.state = State.EDITING
    draft.save()
    audit.record(user, Action.WITHDRAWN, draft=draft)


def discard(draft: Draft, user: Any) -> None:
    """Drop an undecided draft."""
    _require_author(draft, user)
    if not draft.is_open:
        raise WorkflowError("this draft is already decided")
    draft.state = State.DISCARDED
    draft.save()
    audit.record(user, Action.DISCARDED, draft=draft)


def _require_reviewer(draft: Draft, user: Any) -> None:
    if not roles.can_review(user):
        raise NotAllowed(_("Only reviewers decide on drafts."))
    if draft.author_id == user.pk:
        audit.record(user, Action.APPROVAL_REFUSED, draft=draft, detail="own draft")
        raise NotAllowed(_("Nobody reviews their own draft (four eyes)."))
    if draft.state != State.IN_REVIEW:
        raise WorkflowError("this draft is not waiting for review")


def send_back(draft: Draft, user: Any, comment: str) -> None:
    """Return the draft to its author with a comment."""
    _require_reviewer(draft, user)
    if not comment.strip():
        raise WorkflowError("say what should change")
    draft.state = State.SENT_BACK
    draft.reviewer = user
    draft.decided_at = timezone.now()
    draft.comment = comment.strip()
    draft.save()
    audit.record(user, Action.SENT_BACK, draft=draft, detail=comment.strip())


@contextmanager
def _publish_lock() -> Iterator[None]:
    """One publication at a time across all console processes."""
    path = settings.DATA_DIR / "console-publish.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _next_number(kind: str, key: str) -> int:
    top = Version.objects.filter(kind=kind, key=key).aggregate(n=Max("number"))["n"]
    return (top or 0) + 1


def approve(draft: Draft, user: Any) -> Version:
    """Approve and publish: write the item into its file, atomically, and record it."""
    _require_reviewer(draft, user)
    with _publish_lock():
        current = library.on_disk(draft.kind, draft.key)
        if current.hash != draft.base_hash:
            audit.record(user, Action.CONFLICT, draft=draft)
            raise Conflict(doc_of_text(draft.kind, draft.key, current.text))
        result = check(draft.kind, draft.key, draft.data)
        if not result.ok or result.placed is None:
            raise Refused(result)
        now = timezone.now()
        with transaction.atomic():
            on_disk = doc_of_text(draft.kind, draft.key, current.text)
            last = Version.objects.filter(kind=draft.kind, key=draft.key).first()
            if on_disk is not None and (last is None or last.data != on_disk):
                # What the files held before (hand edits included), so history and revert
                # reach back past the console's first publication.
                Version.objects.create(
                    kind=draft.kind,
                    key=draft.key,
                    number=_next_number(draft.kind, draft.key),
                    data=on_disk,
                    published_at=now,
                    origin="files",
                )
            # The item as the file will hold it (empty optional fields left out), so the
            # next publication compares like with like.
            written = doc_of_text(
                draft.kind, draft.key, item_text(result.placed.text, draft.kind, draft.key)
            )
            version = Version.objects.create(
                kind=draft.kind,
                key=draft.key,
                number=_next_number(draft.kind, draft.key),
                data=written if written is not None else draft.data,
                author=draft.author,
                reviewer=user,
                published_at=now,
                draft=draft,
                checked_by=draft.checked_by,
            )
            draft.state = State.PUBLISHED
            draft.reviewer = user
            draft.decided_at = now
            draft.save()
            audit.record(user, Action.PUBLISHED, draft=draft, detail=f"version {version.number}")
            # Last: if writing fails, nothing above is kept.
            write_atomic(current.path, result.placed.text)
    logger.info("Published %s %s as version %d", draft.kind, draft.key, version.number)
    return version


def rebase(draft: Draft, user: Any) -> None:
    """After a conflict: start the draft from the file as it is now (the author's text
    stays; the review diff then shows what it changes against the new file)."""
    _require_author(draft, user)
    if not draft.is_open:
        raise WorkflowError("this draft is already decided")
    current = library.on_disk(draft.kind, draft.key)
    draft.base_data = doc_of_text(draft.kind, draft.key, current.text)
    draft.base_hash = current.hash
    draft.state = State.EDITING
    draft.save()
    audit.record(user, Action.REBASED, draft=draft)


def revert(version: Version, user: Any) -> Draft:
    """A draft that brings back ``version``: it goes through review like any change."""
    _require_edit(user)
    draft = open_draft(user, version.kind, version.key)
    if draft is not None and not draft.editable:
        withdraw(draft, user)
    draft = save(user, version.kind, version.key, version.data, draft)
    draft.reverts = version
    draft.save(update_fields=["reverts"])
    audit.record(user, Action.REVERT_STARTED, draft=draft, detail=f"version {version.number}")
    return draft


def sources_of(kind: str, doc: dict[str, Any]) -> list[str]:
    """Every source link of an item, each once, in order."""
    found: list[str] = []
    links = list(doc.get("sources") or [])
    if kind == Kind.ORGANISATION:
        links = [doc.get("source") or ""]
    for sub in doc.get("more") or []:
        if isinstance(sub, dict):
            links += list(sub.get("sources") or [])
    for link in links:
        if link and str(link) not in found:
            found.append(str(link))
    return found


def recheck(user: Any, kind: str, key: str, draft: Draft | None, today: date) -> Draft:
    """ "Re-checked today": the reviewed dates become ``today``, signed by ``user``.

    The caller has had the user confirm each source link; the draft then goes through
    review like any change.
    """
    base = draft.data if draft is not None else published_doc(kind, key)
    if base is None:
        raise WorkflowError("nothing to re-check")
    doc = dict(base)
    doc["reviewed"] = today.isoformat()
    if isinstance(doc.get("more"), list):
        doc["more"] = [
            {**sub, "reviewed": today.isoformat()}
            if isinstance(sub, dict) and sub.get("reviewed")
            else sub
            for sub in doc["more"]
        ]
    draft = save(user, kind, key, doc, draft)
    draft.checked_by, draft.checked_on = user, today
    draft.save(update_fields=["checked_by", "checked_on"])
    audit.record(user, Action.RECHECKED, draft=draft, detail="\n".join(sources_of(kind, doc)))
    return draft
