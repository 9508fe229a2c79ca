"""Django app configuration of the editorial workflow."""

from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class EditorialConfig(AppConfig):
    """Drafts, review and publishing of the bot's content."""

    name = "console.editorial"
    label = "editorial"
    verbose_name = "Editorial workflow"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Keep the role groups and their permissions in step after every migration, and
        record log-ins and log-outs in the audit log."""
        from console.editorial import audit, roles  # noqa: PLC0415 - apps must be ready

        post_migrate.connect(roles.ensure_roles_after_migrate, sender=self)
        audit.connect_signals()
