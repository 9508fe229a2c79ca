"""The announcement pages: list with progress, editor with the live preview, review."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from console.announcements import workflow
from console.announcements.forms import AnnouncementForm
from console.announcements.models import Announcement
from console.editorial import library, roles
from console.editorial.forms import ReviewForm
from console.editorial.preview import Bubble
from console.editorial.preview import render as render_reply
from console.editorial.views.common import editor_required, staff_required
from poradnyk.compose import notice_reply
from poradnyk.languages import LANGUAGES

__all__ = [
    "approve",
    "detail",
    "discard",
    "edit",
    "index",
    "preview",
    "send_back",
    "submit",
    "withdraw",
]


def _bubbles(topics: list[str], texts: dict[str, str], lang: str) -> list[Bubble]:
    """The message as a subscriber of the first topic gets it (as bot/broadcast.py sends)."""
    content = library.published()
    topic = next((t for t in topics if t in content.subscription_topics), None)
    text = texts.get(lang, "").strip()
    if topic is None or not text:
        return []
    return render_reply(notice_reply(content, lang, topic, text))


def _staff_lang() -> str:
    """The console's language, for texts that exist in cs/uk/en (topic titles)."""
    lang = translation.get_language() or "en"
    return lang if lang in LANGUAGES else "en"


def _topic_titles(topics: list[str]) -> list[str]:
    """The topics' titles in the console's language (the name if it is no topic now)."""
    content, lang = library.published(), _staff_lang()
    return [content.topics[t].title.get(lang) if t in content.topics else t for t in topics]


def _errors(form: AnnouncementForm) -> list[str]:
    """The form's problems, each after the label of its field (not its internal name)."""
    return [
        f"{form[name].label}: {error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    ]


def _preview_lang(request: HttpRequest) -> str:
    lang = request.POST.get("preview_lang") or request.GET.get("preview_lang") or "uk"
    return lang if lang in LANGUAGES else "uk"


@require_GET
@staff_required
def index(request: HttpRequest) -> HttpResponse:
    """Every announcement, newest first, with how far sending is."""
    lang = _staff_lang()
    rows = [
        (a, workflow.progress(a), a.texts.get(lang) or a.text_en)
        for a in Announcement.objects.select_related("author")
    ]
    sending = any(p is not None and p.pending for _, p, _ in rows)
    counts = _subscriber_counts()
    return render(
        request,
        "announcements/index.html",
        {"rows": rows, "refresh": sending, "subscribers": counts},
    )


def _subscriber_counts() -> list[tuple[str, int]]:
    """Subscribers per topic, with the topic's title."""
    from store.api import Store  # noqa: PLC0415

    content, lang = library.published(), _staff_lang()
    counts = Store().subscriber_count()
    return [
        (content.topics[t].title.get(lang), counts.get(t, 0)) for t in content.subscription_topics
    ]


@require_http_methods(["GET", "POST"])
@editor_required
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Write (or change) an announcement, with the live preview beside it."""
    announcement = get_object_or_404(Announcement, pk=pk) if pk is not None else None
    if announcement is not None and announcement.author_id != request.user.pk:
        raise PermissionDenied
    content = library.published()
    initial: dict[str, Any] = {}
    if announcement is not None:
        initial = {"topics": announcement.topics, "send_at": announcement.send_at}
        initial.update({f"text_{lang}": t for lang, t in announcement.texts.items()})
    form = AnnouncementForm(content, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = workflow.save(request.user, form.cleaned_data, announcement)
        except workflow.NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except workflow.WorkflowError:
            messages.error(request, _("That is not possible in the announcement's current state."))
            return redirect("announcement", announcement.pk if announcement else 0)
        if request.POST.get("action") == "submit":
            workflow.submit(saved, request.user)
            messages.success(request, _("Sent for review."))
        else:
            messages.success(request, _("Saved."))
        return redirect("announcement", saved.pk)
    data = form.data if form.is_bound else initial
    topics = list(data.getlist("topics") if hasattr(data, "getlist") else data.get("topics", []))
    texts = {lang: str(data.get(f"text_{lang}") or "") for lang in LANGUAGES}
    lang = _preview_lang(request)
    return render(
        request,
        "announcements/edit.html",
        {
            "form": form,
            "errors": _errors(form) if form.is_bound else [],
            "announcement": announcement,
            "preview": {"bubbles": _bubbles(topics, texts, lang), "lang": lang},
            "languages": LANGUAGES,
        },
        status=422 if form.is_bound else 200,
    )


@require_POST
@editor_required
def preview(request: HttpRequest) -> HttpResponse:
    """The live preview of the form as it is now (nothing is saved)."""
    form = AnnouncementForm(library.published(), request.POST)
    ok = form.is_valid()
    texts = {lang: request.POST.get(f"text_{lang}", "") for lang in LANGUAGES}
    bubbles = _bubbles(request.POST.getlist("topics"), texts, _preview_lang(request))
    html = render_to_string(
        "editorial/_phone.html", {"preview": {"bubbles": bubbles}, "kind": "announcement"}
    )
    general = [{"message": message, "severity": "error"} for message in _errors(form)]
    return JsonResponse(
        {"ok": ok, "html": html, "issues": {}, "general": general},
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
@staff_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One announcement: its texts as sent, its state, and the progress of sending."""
    announcement = get_object_or_404(Announcement, pk=pk)
    lang = _preview_lang(request)
    progress = workflow.progress(announcement)
    return render(
        request,
        "announcements/detail.html",
        {
            "a": announcement,
            "topic_titles": _topic_titles(announcement.topics),
            "preview": {
                "bubbles": _bubbles(announcement.topics, announcement.texts, lang),
                "lang": lang,
            },
            "languages": LANGUAGES,
            "progress": progress,
            "refresh": progress is not None and progress.pending > 0,
            "is_author": announcement.author_id == request.user.pk,
            "may_review": roles.can_review(request.user),
            "form": ReviewForm(),
        },
    )


def _step(request: HttpRequest, pk: int, step: Any, done: str) -> HttpResponse:
    announcement = get_object_or_404(Announcement, pk=pk)
    try:
        step(announcement, request.user)
    except workflow.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except workflow.WorkflowError:
        messages.error(request, _("That is not possible in the announcement's current state."))
        return redirect("announcement", pk)
    messages.success(request, done)
    return redirect("announcement", pk)


@require_POST
@staff_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """The author sends it for review."""
    return _step(request, pk, workflow.submit, _("Sent for review."))


@require_POST
@staff_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The author takes it back from review to change it."""
    return _step(request, pk, workflow.withdraw, _("Taken back: you can change it again."))


@require_POST
@staff_required
def send_back(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer returns it to the author with what should change."""
    comment = str(ReviewForm(request.POST).data.get("comment", ""))
    if not comment.strip():
        messages.error(request, _("Write what should change before sending it back."))
        return redirect("announcement", pk)
    return _step(
        request,
        pk,
        lambda announcement, user: workflow.send_back(announcement, user, comment),
        _("Sent back to the author."),
    )


@require_POST
@staff_required
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer other than the author approves: it is sent at its time."""
    return _step(request, pk, workflow.approve, _("Approved: the bot sends it at its time."))


@require_POST
@staff_required
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    """Drop an announcement that was not approved."""
    return _step(request, pk, workflow.discard, _("Discarded."))
