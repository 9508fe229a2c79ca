"""Django app configuration of the adapter's tables."""

from __future__ import annotations

from django.apps import AppConfig


class StoreConfig(AppConfig):
    """The adapter's tables."""

    name = "store"
    verbose_name = "Bot data"
    default_auto_field = "django.db.models.BigAutoField"
