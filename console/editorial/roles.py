"""The three roles, as Django groups with permissions, and what each may do.

- editor: writes drafts and sends them for review.
- reviewer: also approves and publishes, but never a draft of their own (four eyes,
  checked in :mod:`console.editorial.publishing`, not only hidden in the page).
- admin: manages accounts in Django's admin and reads the audit log.

One person may hold several roles (``bin/staff adduser`` gives one; the admin page more).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission

__all__ = [
    "ADMIN",
    "EDITOR",
    "REVIEWER",
    "ROLES",
    "assign",
    "can_edit",
    "can_review",
    "ensure_roles",
    "ensure_roles_after_migrate",
    "has_any_role",
]

EDITOR = "editor"
REVIEWER = "reviewer"
ADMIN = "admin"
ROLES = (EDITOR, REVIEWER, ADMIN)

EDIT = "editorial.edit_content"
REVIEW = "editorial.review_content"
AUDIT = "editorial.view_audit"

_PERMISSIONS: dict[str, tuple[str, ...]] = {
    EDITOR: (EDIT,),
    REVIEWER: (EDIT, REVIEW, AUDIT),
    ADMIN: (
        AUDIT,
        "auth.add_user",
        "auth.change_user",
        "auth.view_user",
        "auth.delete_user",
        "auth.view_group",
        "editorial.view_auditentry",
        "editorial.view_draft",
        "editorial.view_version",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
    ),
}

User = AbstractBaseUser | AnonymousUser


def ensure_roles() -> None:
    """Create the role groups and give them exactly their permissions."""
    for role, names in _PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = []
        for name in names:
            app_label, codename = name.split(".")
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)


def ensure_roles_after_migrate(**_: Any) -> None:
    """``post_migrate`` receiver: the groups exist on every database the console uses."""
    ensure_roles()


def assign(user: Any, role: str) -> None:
    """Give ``user`` the role (admins may use Django's admin pages)."""
    ensure_roles()
    user.groups.add(Group.objects.get(name=role))
    if role == ADMIN and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


def can_edit(user: Any) -> bool:
    """Whether the user may write drafts."""
    return bool(user.is_authenticated and user.has_perm(EDIT))


def can_review(user: Any) -> bool:
    """Whether the user may approve and publish (others') drafts."""
    return bool(user.is_authenticated and user.has_perm(REVIEW))


def has_any_role(user: Any) -> bool:
    """Whether the user holds any role at all (a new account may hold none yet)."""
    return bool(user.is_authenticated and (can_edit(user) or user.has_perm(AUDIT)))
