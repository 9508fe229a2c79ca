"""Django's admin for accounts (admins) and a read-only view of the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.http import HttpRequest

from console.editorial.models import AuditEntry, Draft, Version


class ReadOnly(admin.ModelAdmin):
    """History is never edited, not even by admins."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnly):
    """The audit log."""

    list_display = ("at", "username", "action", "kind", "key")
    list_filter = ("action", "kind")
    search_fields = ("username", "key")


@admin.register(Draft)
class DraftAdmin(ReadOnly):
    """Drafts (read only: they change through the console's pages)."""

    list_display = ("kind", "key", "state", "author", "updated")
    list_filter = ("state", "kind")


@admin.register(Version)
class VersionAdmin(ReadOnly):
    """Published versions (read only)."""

    list_display = ("kind", "key", "number", "author", "reviewer", "published_at")
    list_filter = ("kind",)


class AccountAdmin(UserAdmin):
    """Accounts: an admin gives roles (groups), but only a superuser (made with
    ``bin/staff``) may make another superuser or give single permissions, so that no
    admin can raise their own rights past the roles."""

    _RESERVED = ("is_superuser", "user_permissions")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        user = request.user
        return fields if getattr(user, "is_superuser", False) else (*fields, *self._RESERVED)


admin.site.unregister(User)
admin.site.register(User, AccountAdmin)
