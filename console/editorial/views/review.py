"""A draft's page: what it changes, its checks and preview; the author's and the
reviewer's buttons. Every decision is checked again in :mod:`publishing`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from console.editorial import library, publishing, roles
from console.editorial.checks import check
from console.editorial.diffs import changes
from console.editorial.forms import ReviewForm
from console.editorial.models import Draft
from console.editorial.views.common import staff_required
from console.editorial.views.editing import Options, preview_context

__all__ = ["approve", "draft_page", "rebase", "send_back", "submit", "withdraw"]


def _context(request: HttpRequest, draft: Draft, **extra: Any) -> dict[str, Any]:
    current = library.on_disk(draft.kind, draft.key)
    published = publishing.doc_of_text(draft.kind, draft.key, current.text)
    result = check(draft.kind, draft.key, draft.data)
    user = request.user
    return {
        "draft": draft,
        # Once decided, what it changed then; while open, what it would change now.
        "changes": changes(published if draft.is_open else draft.base_data, draft.data),
        "conflict": current.hash != draft.base_hash,
        "disk_changes": changes(draft.base_data, published)
        if current.hash != draft.base_hash
        else [],
        "check": result,
        "preview": preview_context(draft.kind, draft.key, result, Options.of(request.GET)),
        "is_author": draft.author_id == user.pk,
        "may_review": roles.can_review(user),
        "form": ReviewForm(),
        **extra,
    }


@require_GET
@staff_required
def draft_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One draft: the diff against what is published, and what can be done with it."""
    draft = get_object_or_404(Draft, pk=pk)
    return render(request, "editorial/draft.html", _context(request, draft))


def _draft(pk: int) -> Draft:
    return get_object_or_404(Draft, pk=pk)


def _step(request: HttpRequest, pk: int, step: Any, done: str) -> HttpResponse:
    draft = _draft(pk)
    try:
        step(draft, request.user)
    except publishing.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except publishing.Refused:
        messages.error(request, _("Fix the problems marked in red before sending it for review."))
        return redirect("edit", draft.kind, draft.key)
    except publishing.WorkflowError:
        messages.error(request, _("That is not possible in the draft's current state."))
        return redirect("draft", draft.pk)
    messages.success(request, done)
    return redirect("draft", draft.pk)


@require_POST
@staff_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """The author sends the draft for review."""
    return _step(request, pk, publishing.submit, _("Sent for review."))


@require_POST
@staff_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The author takes the draft back from review."""
    return _step(request, pk, publishing.withdraw, _("Taken back: you can change it again."))


@require_POST
@staff_required
def rebase(request: HttpRequest, pk: int) -> HttpResponse:
    """After a conflict, the author starts the draft from the file as it is now."""
    return _step(
        request,
        pk,
        publishing.rebase,
        _("Your draft now starts from the file as it is. Check it, then send it again."),
    )


@require_POST
@staff_required
def send_back(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer returns the draft with a comment."""
    draft = _draft(pk)
    form = ReviewForm(request.POST)
    comment = form.data.get("comment", "") if form.is_valid() else ""
    if not comment.strip():
        messages.error(request, _("Write what should change before sending it back."))
        return redirect("draft", pk)
    try:
        publishing.send_back(draft, request.user, comment)
    except publishing.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except publishing.WorkflowError:
        messages.error(request, _("That is not possible in the draft's current state."))
        return redirect("draft", pk)
    messages.success(request, _("Sent back to the author."))
    return redirect("reviews")


@require_POST
@staff_required
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    """A second person approves: the change is written into the content files."""
    draft = _draft(pk)
    try:
        version = publishing.approve(draft, request.user)
    except publishing.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except publishing.Conflict:
        draft.refresh_from_db()
        return render(request, "editorial/draft.html", _context(request, draft), status=409)
    except publishing.Refused:
        messages.error(request, _("The draft has problems now; it cannot be published."))
        return render(request, "editorial/draft.html", _context(request, draft), status=422)
    except publishing.WorkflowError:
        messages.error(request, _("That is not possible in the draft's current state."))
        return redirect("draft", pk)
    messages.success(
        request,
        _("Published as version %(n)s. The bot uses it from the next message.")
        % {"n": version.number},
    )
    return redirect("history", draft.kind, draft.key)
