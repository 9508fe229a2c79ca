"""Every published version of an item, with its author, reviewer, date and changes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from console.editorial import publishing
from console.editorial.diffs import changes
from console.editorial.models import Draft, Version
from console.editorial.views.common import editor_required, staff_required

__all__ = ["history", "revert"]


@require_GET
@staff_required
def history(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    """The versions of one item, newest first, each with what it changed."""
    versions = list(
        Version.objects.filter(kind=kind, key=key).select_related(
            "author", "reviewer", "checked_by"
        )
    )
    published = publishing.published_doc(kind, key)
    rows = []
    for i, version in enumerate(versions):
        before = versions[i + 1].data if i + 1 < len(versions) else None
        rows.append(
            {
                "version": version,
                "changes": changes(before, version.data) if before is not None else [],
                "current": version.data == published,
            }
        )
    drafts = Draft.objects.filter(kind=kind, key=key, state__in=Draft.OPEN_STATES)
    return render(
        request,
        "editorial/history.html",
        {"kind": kind, "key": key, "rows": rows, "drafts": drafts, "published": published},
    )


@require_POST
@editor_required
def revert(request: HttpRequest, kind: str, key: str, number: int) -> HttpResponse:
    """Start a draft that brings an old version back (it is reviewed like any change)."""
    version = get_object_or_404(Version, kind=kind, key=key, number=number)
    try:
        draft = publishing.revert(version, request.user)
    except publishing.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(
        request,
        _("A draft with version %(n)s was started. Send it for review to publish it.")
        % {"n": number},
    )
    return redirect("draft", draft.pk)
