"""What every editor page does with its draft: the buttons under the form, the JSON of
the live preview, and the page a draft waiting for review sends the user to.

One flow for texts, organisations, conversation texts and "Talk to a person"
(:mod:`console.editorial.views.editing`, :mod:`console.editorial.views.handoff`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from console.editorial import publishing
from console.editorial.checks import Check, Finding
from console.editorial.forms import field_name
from console.editorial.models import Draft

__all__ = ["discard", "findings", "locked", "preview_response", "save"]


def locked(request: HttpRequest, draft: Draft | None) -> HttpResponse | None:
    """The draft's own page if the draft is waiting for review (it cannot be changed)."""
    if draft is None or draft.editable:
        return None
    messages.info(request, _("This draft is waiting for review. Take it back to change it."))
    return redirect("draft", draft.pk)


def discard(request: HttpRequest, draft: Draft | None) -> None:
    """ "Discard draft"."""
    if draft is not None:
        publishing.discard(draft, request.user)
        messages.success(request, _("Draft discarded."))


def save(
    request: HttpRequest,
    kind: str,
    key: str,
    doc: dict[str, Any],
    draft: Draft | None,
    refused: Callable[[Draft], HttpResponse],
) -> tuple[Draft, HttpResponse | None]:
    """ "Save draft", and with "Send for review" also send it: the saved draft, and the page
    to show after sending (the draft's page, or ``refused(draft)`` while the checks find
    errors). ``None``: only saved, the editor says what comes next."""
    draft = publishing.save(request.user, kind, key, doc, draft)
    if request.POST.get("action") != "submit":
        return draft, None
    try:
        publishing.submit(draft, request.user)
    except publishing.Refused:
        messages.error(request, _("Fix the problems marked in red before sending it for review."))
        return draft, refused(draft)
    messages.success(request, _("Sent for review. Another person must approve it."))
    return draft, redirect("draft", draft.pk)


def findings(result: Check) -> tuple[dict[str, list[Finding]], list[Finding]]:
    """The checks' findings by form field, and those about the whole item."""
    by_name: dict[str, list[Finding]] = {}
    general: list[Finding] = []
    for finding in result.findings:
        if finding.field in ("", "topic"):
            general.append(finding)
        else:
            by_name.setdefault(field_name(finding.field), []).append(finding)
    return by_name, general


def _plain(found: list[Finding]) -> list[dict[str, str]]:
    return [{"message": f.message, "severity": f.severity} for f in found]


def preview_response(result: Check, html: str) -> JsonResponse:
    """The live preview's answer: the phone(s) as HTML and the findings by field."""
    by_name, general = findings(result)
    return JsonResponse(
        {
            "ok": result.ok,
            "html": html,
            "issues": {name: _plain(found) for name, found in by_name.items()},
            "general": _plain(general),
        },
        json_dumps_params={"ensure_ascii": False},
    )
