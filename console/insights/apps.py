"""Django app configuration of the inbox and reports."""

from __future__ import annotations

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """The unanswered inbox and the reports (the tables are the store's)."""

    name = "console.insights"
    label = "insights"
    verbose_name = "Inbox and reports"
    default_auto_field = "django.db.models.BigAutoField"
