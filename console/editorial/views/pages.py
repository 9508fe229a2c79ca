"""Dashboard, review queue, audit log, language choice, health check."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from console.editorial import audit, library
from console.editorial.models import AuditEntry, Draft, Kind, StaffProfile, Version
from console.editorial.views.common import reviewer_required, staff_required

__all__ = ["audit_log", "dashboard", "healthz", "reviews", "set_language"]


@require_GET
@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every item with its published version, review date and open drafts."""
    lang = translation.get_language() or "uk"
    versions = {
        (v["kind"], v["key"]): v
        for v in Version.objects.values("kind", "key").annotate(
            number=Max("number"), at=Max("published_at")
        )
    }
    drafts: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for d in Draft.objects.filter(state__in=Draft.OPEN_STATES).values(
        "pk", "kind", "key", "state", "author__username"
    ):
        drafts[(d["kind"], d["key"])].append(dict(d))
    groups: dict[str, list[dict[str, Any]]] = {k: [] for k in Kind.values}
    for item in library.items(lang):
        groups[item.kind].append(
            {
                "item": item,
                "version": versions.get((item.kind, item.key)),
                "drafts": drafts.get((item.kind, item.key), []),
            }
        )
    new_orgs = [
        d for (kind, key), ds in drafts.items() for d in ds
        if kind == Kind.ORGANISATION and not any(r["item"].key == key for r in groups[kind])
    ]  # fmt: skip
    waiting = Draft.objects.filter(state=Draft.State.IN_REVIEW).select_related("author")
    mine = Draft.objects.filter(author_id=request.user.pk, state__in=Draft.OPEN_STATES)
    stale = sum(1 for rows in groups.values() for r in rows if r["item"].stale)
    return render(
        request,
        "editorial/dashboard.html",
        {
            "sections": [
                (Kind.TOPIC, _("Topics"), groups[Kind.TOPIC]),
                (Kind.ORGANISATION, _("Organisations"), groups[Kind.ORGANISATION]),
                (Kind.MESSAGE, _("Conversation texts"), groups[Kind.MESSAGE]),
            ],
            "new_orgs": new_orgs,
            "waiting": waiting,
            "mine": mine,
            **_announcements(request.user),
            "stale": stale,
            "review_age": settings.PORADNYK_REVIEW_AGE_DAYS,
            "new_examples": _new_examples(),
        },
    )


def _announcements(user: Any) -> dict[str, Any]:
    """Announcements waiting for a reviewer, and the user's own that are not decided."""
    from console.announcements.models import Announcement  # noqa: PLC0415

    state = Announcement.State
    return {
        "waiting_announcements": Announcement.objects.filter(state=state.IN_REVIEW).select_related(
            "author"
        ),
        "my_announcements": Announcement.objects.filter(
            author_id=user.pk, state__in=(state.EDITING, state.IN_REVIEW, state.SENT_BACK)
        ),
    }


def _new_examples() -> int:
    """Inbox questions made training examples since the model was last trained."""
    from console.insights import training  # noqa: PLC0415

    return training.new_examples()


@require_GET
@reviewer_required
def reviews(request: HttpRequest) -> HttpResponse:
    """Drafts and announcements waiting for a reviewer."""
    waiting = Draft.objects.filter(state=Draft.State.IN_REVIEW).select_related("author")
    announcements = _announcements(request.user)["waiting_announcements"]
    return render(
        request,
        "editorial/reviews.html",
        {"waiting": waiting, "waiting_announcements": announcements},
    )


@require_GET
@permission_required("editorial.view_audit", raise_exception=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    """Who did what, when (newest first)."""
    entries = AuditEntry.objects.all()
    if request.GET.get("kind") and request.GET.get("key"):
        entries = entries.filter(kind=request.GET["kind"], key=request.GET["key"])
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(request, "editorial/audit.html", {"page": page})


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Choose the console's language (kept on the staff member's profile)."""
    lang = request.POST.get("language", "")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if lang not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        StaffProfile.objects.update_or_create(user=request.user, defaults={"language": lang})
        request.session["staff_language"] = lang
        audit.record(request.user, AuditEntry.Action.LANGUAGE, detail=lang)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        lang,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
    )
    return response


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For the deployment: 200 "ok" when the console and its database answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means "not healthy"
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
