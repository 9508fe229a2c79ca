"""Django app configuration of the announcements."""

from __future__ import annotations

from django.apps import AppConfig


class AnnouncementsConfig(AppConfig):
    """Announcements to the subscribers of topics, four eyes before they are sent."""

    name = "console.announcements"
    label = "announcements"
    verbose_name = "Announcements"
    default_auto_field = "django.db.models.BigAutoField"
