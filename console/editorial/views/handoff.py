""" "Talk to a person": the staff group, office hours, days off and hotlines (handoff.yml).

The same workflow as every text (:mod:`console.editorial.publishing`): the whole file is
one item (kind ``handoff``, key ``handoff``), saved as a draft, checked by the bot's own
validator, approved by a second person, written by :mod:`poradnyk.content.writer` (only
the changed settings; the file's comments stay), with history and undo.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from console.editorial import library, publishing
from console.editorial.checks import check
from console.editorial.handoff_form import (
    DEFAULT_ZONE,
    HandoffForm,
    handoff_doc,
    handoff_initial,
)
from console.editorial.models import Draft, Kind
from console.editorial.views import drafts
from console.editorial.views.common import editor_required
from console.editorial.views.editing import Options, preview_context
from poradnyk.languages import LANGUAGES

__all__ = ["handoff", "handoff_preview"]

KIND, KEY = Kind.HANDOFF, "handoff"
# A file not there yet: the bot then offers organisations only; the form starts here.
_BLANK: dict[str, Any] = {
    "staff_chat_id": None,
    "time_zone": DEFAULT_ZONE,
    "staff_language": "cs",
    "office_hours": {},
    "holidays": [],
    "reannounce_after_hours": 4,
    "hotlines": [],
}


def _stored(draft: Draft | None) -> dict[str, Any]:
    if draft is not None:
        return dict(draft.data)
    return publishing.published_doc(KIND, KEY) or dict(_BLANK)


def _form(doc: dict[str, Any], post: Any = None, add_row: str = "") -> HandoffForm:
    lang = translation.get_language() or "uk"
    return HandoffForm(
        post,
        initial=handoff_initial(doc),
        organisations=list(library.published().organisations),
        lang=lang,
        add_row=add_row,
    )


def _posted(form: HandoffForm) -> dict[str, Any] | None:
    """The document the form holds (None if the page's own rule is broken)."""
    if not form.is_valid():
        return None
    return handoff_doc(form.cleaned_data, publishing.published_doc(KIND, KEY))


def _page(
    request: HttpRequest,
    form: HandoffForm,
    doc: dict[str, Any],
    draft: Draft | None,
    status: int = 200,
) -> HttpResponse:
    result = check(KIND, KEY, doc)
    by_name, general = drafts.findings(result)
    issues = {name: [f.message for f in fs] for name, fs in by_name.items()}
    for name, found in form.errors.items():  # the page's own rule, and a wrong choice
        issues.setdefault(name, []).extend(str(m) for m in found)
    options = Options.of(request.POST if request.method == "POST" else request.GET)
    context = {
        "form": form,
        "kind": KIND,
        "key": KEY,
        "draft": draft,
        "check": result,
        "issues": issues,
        "severities": {name: fs[0].severity for name, fs in by_name.items()},
        "general": general,
        "languages": LANGUAGES,
        "preview": preview_context(KIND, KEY, result, options),
        "has_published": publishing.published_doc(KIND, KEY) is not None,
        "set_up": result.content is not None and result.content.handoff is not None,
    }
    return render(request, "editorial/edit_handoff.html", context, status=status)


@require_http_methods(["GET", "POST"])
@editor_required
def handoff(request: HttpRequest) -> HttpResponse:
    """The settings page: the user's own draft if there is one, else the published file."""
    draft = publishing.open_draft(request.user, KIND, KEY)
    if (waiting := drafts.locked(request, draft)) is not None:
        return waiting
    stored = _stored(draft)
    if request.method == "GET":
        return _page(request, _form(stored, add_row=request.GET.get("add", "")), stored, draft)
    action = request.POST.get("action", "save")
    if action == "discard":
        drafts.discard(request, draft)
        return redirect("handoff")
    add_row = action.removeprefix("add_row:") if action.startswith("add_row:") else ""
    form = _form(stored, request.POST, add_row)
    doc = _posted(form)
    if doc is None:
        # Nothing saved, nothing lost: the page comes back with what was typed.
        messages.error(request, _("Fix the problems marked in red; nothing was saved yet."))
        return _page(request, form, stored, draft, status=422)
    draft, shown = drafts.save(
        request, KIND, KEY, doc, draft, lambda saved: _page(request, form, doc, saved, status=422)
    )
    if shown is not None:
        return shown
    kept = {k: v for k, v in request.POST.items() if k.startswith("preview_") and v}
    if add_row:
        # The draft holds no empty rows: the page adds one to that day.
        messages.info(request, _("A new time range was added: fill it in."))
        kept["add"] = add_row
    else:
        messages.success(request, _("Draft saved. It is not published yet."))
    anchor = f"#day-{add_row}" if add_row else ""
    return redirect(reverse("handoff") + (f"?{urlencode(kept)}" if kept else "") + anchor)


@require_POST
@editor_required
def handoff_preview(request: HttpRequest) -> HttpResponse:
    """The live preview and the validator's findings for the form as it is (nothing saved)."""
    draft = publishing.open_draft(request.user, KIND, KEY)
    form = _form(_stored(draft), request.POST)
    doc = _posted(form)
    if doc is None:
        errors = {
            name: [{"message": str(m), "severity": "error"} for m in found]
            for name, found in form.errors.items()
        }
        return JsonResponse({"ok": False, "html": "", "issues": errors, "general": []})
    result = check(KIND, KEY, doc)
    html = render_to_string(
        "editorial/_handoff_phones.html",
        {"preview": preview_context(KIND, KEY, result, Options.of(request.POST)), "check": result},
        request=request,
    )
    return drafts.preview_response(result, html)
