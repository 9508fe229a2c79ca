"""The audit log: one call per action, and the log-in signals."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from console.editorial.models import AuditEntry, Draft

__all__ = ["connect_signals", "record"]

Action = AuditEntry.Action


def record(
    user: Any,
    action: str,
    *,
    kind: str = "",
    key: str = "",
    draft: Draft | None = None,
    detail: str = "",
    username: str = "",
) -> AuditEntry:
    """Write one entry (``user`` may be None, e.g. for a failed log-in)."""
    known = user if user is not None and getattr(user, "is_authenticated", False) else None
    if draft is not None:
        kind, key = kind or draft.kind, key or draft.key
    return AuditEntry.objects.create(
        user=known,
        username=username or (known.get_username() if known else ""),
        action=action,
        kind=kind,
        key=key,
        draft=draft,
        detail=detail[:2000],
    )


def _logged_in(sender: Any, request: Any, user: Any, **_: Any) -> None:
    record(user, Action.LOGIN)


def _logged_out(sender: Any, request: Any, user: Any, **_: Any) -> None:
    if user is not None:
        record(user, Action.LOGOUT)


def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **_: Any) -> None:
    # Django has already masked the password in ``credentials``; only the name is kept.
    record(None, Action.LOGIN_FAILED, username=str(credentials.get("username", ""))[:150])


def connect_signals() -> None:
    """Record log-ins, log-outs and failed log-ins."""
    user_logged_in.connect(_logged_in, dispatch_uid="poradnyk-audit-login")
    user_logged_out.connect(_logged_out, dispatch_uid="poradnyk-audit-logout")
    user_login_failed.connect(_login_failed, dispatch_uid="poradnyk-audit-login-failed")
