"""URLs of the announcement pages."""

from __future__ import annotations

from django.urls import path

from console.announcements import views

urlpatterns = [
    path("", views.index, name="announcements"),
    path("new/", views.edit, name="new_announcement"),
    path("preview/", views.preview, name="announcement_preview"),
    path("<int:pk>/", views.detail, name="announcement"),
    path("<int:pk>/edit/", views.edit, name="edit_announcement"),
    path("<int:pk>/submit/", views.submit, name="submit_announcement"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw_announcement"),
    path("<int:pk>/send-back/", views.send_back, name="send_back_announcement"),
    path("<int:pk>/approve/", views.approve, name="approve_announcement"),
    path("<int:pk>/discard/", views.discard, name="discard_announcement"),
]
