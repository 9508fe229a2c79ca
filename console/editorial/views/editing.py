"""The editors: a form per item, the bot's checks by each field, the live preview.

One flow for the three kinds (topic, organisation, conversation text): the form becomes a
document, the document is checked by the bot's loader (:func:`checks.check`), and the
preview is composed from the content the bot would then serve. Saving keeps a draft even
with errors; sending it for review is refused until there are none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from console.editorial import library, preview, publishing
from console.editorial.checks import Check, check
from console.editorial.forms import (
    FollowUpFormSet,
    MessageForm,
    OrganisationForm,
    RecheckForm,
    TopicForm,
    message_doc,
    message_initial,
    organisation_doc,
    organisation_initial,
    topic_doc,
    topic_initial,
)
from console.editorial.models import Draft, Kind
from console.editorial.views import drafts
from console.editorial.views.common import editor_required, item_or_404
from poradnyk.content import NATIONAL, Content
from poradnyk.content.fields import ORG_ID_RE
from poradnyk.languages import LANGUAGES

__all__ = ["Options", "edit", "new_organisation", "preview_context", "preview_json", "recheck"]

State = Draft.State


@dataclass(frozen=True)
class Options:
    """What the preview shows: answer language, region, follow-up or topic."""

    lang: str = "uk"
    region: str | None = None
    sub: str | None = None
    topic: str | None = None

    @classmethod
    def of(cls, data: Any) -> Options:
        lang = data.get("preview_lang") or "uk"
        return cls(
            lang=lang if lang in LANGUAGES else "uk",
            region=data.get("preview_region") or None,
            sub=data.get("preview_sub") or None,
            topic=data.get("preview_topic") or None,
        )


def _choices(content: Content, lang: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    topics = [(name, t.title.get(lang)) for name, t in content.topics.items()]
    regions = [(NATIONAL, _("Whole country (national)"))]
    regions += [(code, name.get(lang)) for code, name in content.regions.items()]
    return topics, regions


def _forms(
    kind: str, key: str, doc: dict[str, Any], post: Any = None, new: bool = False
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The bound (``post``) or initial forms of an item, and the document they hold."""
    base = publishing.published_doc(kind, key)
    if kind == Kind.TOPIC:
        initial, subs = topic_initial(doc)
        if post is None:
            form = TopicForm(initial=initial)
            formset = FollowUpFormSet(prefix="more", initial=subs)
            return {"form": form, "formset": formset}, doc
        form, formset = TopicForm(post), FollowUpFormSet(post, prefix="more")
        if not (form.is_valid() and formset.is_valid()):
            return {"form": form, "formset": formset}, None
        kept = [f.cleaned_data for f in formset.forms if not f.cleaned_data.get("DELETE")]
        return {"form": form, "formset": formset}, topic_doc(key, form.cleaned_data, kept, base)
    if kind == Kind.ORGANISATION:
        lang = translation.get_language() or "uk"
        topics, regions = _choices(library.published(), lang)
        org = OrganisationForm(
            post, initial=organisation_initial(doc), topics=topics, regions=regions, new=new
        )
        if post is None:
            return {"form": org}, doc
        if not org.is_valid():
            return {"form": org}, None
        return {"form": org}, organisation_doc(key, org.cleaned_data, base)
    text = MessageForm(post, initial=message_initial(doc))
    if post is None:
        return {"form": text}, doc
    if not text.is_valid():
        return {"form": text}, None
    return {"form": text}, message_doc(text.cleaned_data, base)


def preview_context(kind: str, key: str, result: Check, options: Options) -> dict[str, Any]:
    content = result.content
    context: dict[str, Any] = {"bubbles": [], "options": options, "shown": True}
    if content is None:
        return context
    region = options.region if options.region in content.regions else None
    if kind == Kind.TOPIC and key in content.topics:
        context["bubbles"] = preview.topic_preview(content, key, options.lang, region, options.sub)
    elif kind == Kind.ORGANISATION:
        bubbles, shown = preview.organisation_preview(
            content, key, options.lang, region, options.topic
        )
        context.update(bubbles=bubbles, shown=shown)
    elif kind == Kind.MESSAGE and key in content.messages:
        context["bubbles"] = preview.message_preview(content, key, options.lang)
    elif kind == Kind.HANDOFF:
        context["moments"] = preview.handoff_preview(content, options.lang, timezone.now())
    return context


def _label(kind: str, key: str, doc: dict[str, Any] | None) -> str:
    lang = translation.get_language() or "uk"
    if not doc:
        return key
    value = doc.get("title") if kind == Kind.TOPIC else doc.get("name")
    if isinstance(value, dict) and value.get(lang):
        return str(value[lang])
    return key


def _context(
    request: HttpRequest,
    kind: str,
    key: str,
    doc: dict[str, Any],
    forms: dict[str, Any],
    draft: Draft | None,
    new: bool = False,
) -> dict[str, Any]:
    result = check(kind, key, doc)
    by_name, general = drafts.findings(result)
    options = Options.of(request.POST if request.method == "POST" else request.GET)
    content = library.published()
    lang = translation.get_language() or "uk"
    topics, regions = _choices(content, lang)
    return {
        **forms,
        "kind": kind,
        "key": key,
        "new": new,
        "label": _label(kind, key, doc),
        "doc": doc,
        "draft": draft,
        "check": result,
        "issues": {name: [f.message for f in fs] for name, fs in by_name.items()},
        "severities": {name: fs[0].severity for name, fs in by_name.items()},
        "general": general,
        "languages": LANGUAGES,
        "preview": preview_context(kind, key, result, options),
        "preview_url": reverse("preview", args=[kind, key])
        if key
        else reverse("preview_new", args=[kind]),
        "regions": regions[1:],
        "topic_choices": topics,
        "subs": [s for s in doc.get("more") or [] if isinstance(s, dict)],
        "sources": publishing.sources_of(kind, doc),
        "has_published": publishing.published_doc(kind, key) is not None,
    }


def _template(kind: str) -> str:
    return f"editorial/edit_{kind}.html"


def _render_editor(
    request: HttpRequest,
    kind: str,
    key: str,
    doc: dict[str, Any],
    forms: dict[str, Any],
    draft: Draft | None,
    status: int = 200,
    new: bool = False,
) -> HttpResponse:
    context = _context(request, kind, key, doc, forms, draft, new)
    return render(request, _template(kind), context, status=status)


@require_http_methods(["GET", "POST"])
@editor_required
def edit(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    """The editor of one item: the user's own draft if there is one, else the published."""
    if kind == Kind.HANDOFF:
        return redirect("handoff")  # one page of its own (console/editorial/views/handoff.py)
    draft = publishing.open_draft(request.user, kind, key)
    if draft is None:
        item_or_404(kind, key)
    if (waiting := drafts.locked(request, draft)) is not None:
        return waiting
    stored = draft.data if draft else publishing.published_doc(kind, key)
    if stored is None:
        raise Http404
    if request.method == "GET":
        forms, doc = _forms(kind, key, stored)
        assert doc is not None
        return _render_editor(request, kind, key, doc, forms, draft)
    forms, posted = _forms(kind, key, stored, request.POST)
    if posted is None:
        return HttpResponseBadRequest("malformed form")
    return _after_post(request, kind, key, posted, forms, draft)


def _after_post(
    request: HttpRequest,
    kind: str,
    key: str,
    doc: dict[str, Any],
    forms: dict[str, Any],
    draft: Draft | None,
    new: bool = False,
) -> HttpResponse:
    action = request.POST.get("action", "save")
    if action == "discard":
        drafts.discard(request, draft)
        return redirect("dashboard")
    if action == "add_followup" and kind == Kind.TOPIC:
        doc = {**doc, "more": [*(doc.get("more") or []), {"id": "", "button": {}, "text": {}}]}
    draft, shown = drafts.save(
        request,
        kind,
        key,
        doc,
        draft,
        lambda saved: _render_editor(request, kind, key, doc, forms, saved, status=422, new=new),
    )
    if shown is not None:
        return shown
    if action == "add_followup":
        messages.info(request, _("A new follow-up was added at the end."))
    else:
        messages.success(request, _("Draft saved. It is not published yet."))
    return redirect(reverse("edit", args=[kind, key]) + _keep_preview(request) + _anchor(action))


def _keep_preview(request: HttpRequest) -> str:
    """The preview's choices, kept across "Save draft" (the page without its script)."""
    kept = {k: v for k, v in request.POST.items() if k.startswith("preview_") and v}
    return f"?{urlencode(kept)}" if kept else ""


def _anchor(action: str) -> str:
    return "#followups-end" if action == "add_followup" else ""


@require_http_methods(["GET", "POST"])
@editor_required
def new_organisation(request: HttpRequest) -> HttpResponse:
    """A new entry of the directory (its short name cannot change later)."""
    kind = Kind.ORGANISATION
    blank: dict[str, Any] = {"id": "", "helps_with": [], "regions": []}
    if request.method == "GET":
        forms, _doc = _forms(kind, "", blank, new=True)
        return _render_editor(request, kind, "", blank, forms, None, new=True)
    key = (request.POST.get("id") or "").strip()
    forms, doc = _forms(kind, key, blank, request.POST, new=True)
    if doc is None:
        return HttpResponseBadRequest("malformed form")
    taken = (
        library.documents().get(kind, key) is not None
        or Draft.objects.filter(kind=kind, key=key, state__in=Draft.OPEN_STATES)
        .exclude(author_id=request.user.pk)
        .exists()
    )
    if not ORG_ID_RE.match(key) or taken:
        forms["form"].add_error(
            "id",
            _("This short name is taken.")
            if taken
            else _("Use small letters, digits or _ only (like charita_brno)."),
        )
        return _render_editor(request, kind, "", doc, forms, None, status=422, new=True)
    return _after_post(
        request, kind, key, doc, forms, publishing.open_draft(request.user, kind, key), new=True
    )


@require_POST
@editor_required
def preview_json(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    """The live preview: the form as it is now, checked and composed (nothing is saved)."""
    if kind not in Kind.values or kind == Kind.HANDOFF:  # its own: views/handoff.py
        raise Http404
    new = kind == Kind.ORGANISATION and not key
    key = (request.POST.get("id") or "").strip() if new else key
    draft = publishing.open_draft(request.user, kind, key) if key else None
    if not new and draft is None:
        item_or_404(kind, key)
    stored = publishing.published_doc(kind, key) or {"id": key}
    _, doc = _forms(kind, key, stored, request.POST, new=new)
    if doc is None:
        return HttpResponseBadRequest("malformed form")
    if new and not ORG_ID_RE.match(key):
        return JsonResponse({"ok": False, "issues": {}, "general": [], "html": ""})
    result = check(kind, key, doc)
    html = render_to_string(
        "editorial/_phone.html",
        {"preview": preview_context(kind, key, result, Options.of(request.POST)), "kind": kind},
        request=request,
    )
    return drafts.preview_response(result, html)


@require_http_methods(["GET", "POST"])
@editor_required
def recheck(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    """ "Re-checked today": tick each source after opening it; the dates become today."""
    if kind in (Kind.MESSAGE, Kind.HANDOFF):
        raise Http404
    item_or_404(kind, key)
    draft = publishing.open_draft(request.user, kind, key)
    if draft is not None and not draft.editable:
        return redirect("draft", draft.pk)
    doc = draft.data if draft else publishing.published_doc(kind, key)
    if doc is None:
        raise Http404
    sources = publishing.sources_of(kind, doc)
    form = RecheckForm(request.POST or None, sources=sources)
    if request.method == "POST":
        if not sources:
            raise PermissionDenied
        if form.is_valid():
            publishing.recheck(request.user, kind, key, draft, date.today())
            messages.success(
                request,
                _("The reviewed date is now today, signed by you. Send the draft for review."),
            )
            return redirect("edit", kind, key)
    return render(
        request,
        "editorial/recheck.html",
        {"form": form, "kind": kind, "key": key, "label": _label(kind, key, doc)},
        status=422 if request.method == "POST" else 200,
    )
