"""What the views share: role checks that answer 403, and the item lookup."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from console.editorial import library, roles
from console.editorial.models import Kind

__all__ = ["View", "editor_required", "item_or_404", "reviewer_required", "staff_required"]

View = Callable[..., HttpResponse]


def _requiring(test: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            # LoginRequiredMiddleware has sent anonymous visitors to the log-in page.
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = _requiring(roles.has_any_role)
"""Any role: editors, reviewers and admins may look."""
editor_required = _requiring(roles.can_edit)
"""Editors and reviewers write drafts."""
reviewer_required = _requiring(roles.can_review)
"""Reviewers decide."""


def item_or_404(kind: str, key: str) -> str:
    """``kind`` if the item exists in the published content, else 404."""
    if kind not in Kind.values:
        raise Http404
    content = library.published()
    exists = {
        Kind.TOPIC: key in content.topics,
        Kind.ORGANISATION: any(o.id == key for o in content.organisations),
        Kind.MESSAGE: key in content.messages,
        Kind.HANDOFF: False,  # the file's document decides (the bot has none without a group)
    }[Kind(kind)]
    if not exists and library.documents().get(kind, key) is None:
        raise Http404
    return kind
