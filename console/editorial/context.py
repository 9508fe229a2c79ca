"""Template context: what the signed-in staff member may do (for the navigation)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from console.editorial import roles

__all__ = ["roles_context"]


def roles_context(request: HttpRequest) -> dict[str, Any]:
    """``can_edit``, ``can_review``, ``can_audit``, ``is_admin`` and the languages."""
    user = request.user
    return {
        "can_edit": roles.can_edit(user),
        "can_review": roles.can_review(user),
        "can_audit": bool(user.is_authenticated and user.has_perm(roles.AUDIT)),
        "is_admin": bool(user.is_authenticated and user.is_staff),
        "console_languages": settings.LANGUAGES,
    }
