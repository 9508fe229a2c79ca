"""URLs of the editorial pages."""

from __future__ import annotations

from django.urls import path

from console.editorial.views import editing, handoff, history, pages, review

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("healthz", pages.healthz, name="healthz"),
    path("language/", pages.set_language, name="set_language"),
    path("reviews/", pages.reviews, name="reviews"),
    path("audit/", pages.audit_log, name="audit"),
    path("handoff/", handoff.handoff, name="handoff"),
    path("handoff/preview/", handoff.handoff_preview, name="handoff_preview"),
    path("organisation/new/", editing.new_organisation, name="new_organisation"),
    path("edit/<str:kind>/<str:key>/", editing.edit, name="edit"),
    path("preview/<str:kind>/", editing.preview_json, {"key": ""}, name="preview_new"),
    path("preview/<str:kind>/<str:key>/", editing.preview_json, name="preview"),
    path("recheck/<str:kind>/<str:key>/", editing.recheck, name="recheck"),
    path("draft/<int:pk>/", review.draft_page, name="draft"),
    path("draft/<int:pk>/submit/", review.submit, name="submit"),
    path("draft/<int:pk>/withdraw/", review.withdraw, name="withdraw"),
    path("draft/<int:pk>/rebase/", review.rebase, name="rebase"),
    path("draft/<int:pk>/approve/", review.approve, name="approve"),
    path("draft/<int:pk>/send-back/", review.send_back, name="send_back"),
    path("history/<str:kind>/<str:key>/", history.history, name="history"),
    path("history/<str:kind>/<str:key>/<int:number>/revert/", history.revert, name="revert"),
]
