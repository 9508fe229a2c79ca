"""Announcements: the four-eyes rule, the preview and the hand-over to the adapter's
broadcast table (who may open which page: test_permissions.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.console.conftest import MakeUser

FORM = {
    "topics": ["special_residence"],
    "text_cs": "Nová pravidla od ledna.",
    "text_uk": "Нові правила з січня.",
    "text_en": "New rules from January.",
    "send_at": "",
}


def _written(make_user: MakeUser, client_for: Any, **extra: Any) -> tuple[Any, Any, int]:
    author = make_user("editor")
    client = client_for(author)
    response = client.post("/announcements/new/", {**FORM, **extra, "action": "submit"})
    assert response.status_code == 302, response.content[:500]
    pk = int(response["Location"].rstrip("/").split("/")[-1])
    return author, client, pk


def test_preview_shows_the_message_as_the_bot_sends_it(
    content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    client = client_for(make_user("editor"))
    data = client.post("/announcements/preview/", {**FORM, "preview_lang": "en"}).json()
    assert data["ok"]
    assert "New rules from January." in data["html"]
    assert "Unsubscribe" in data["html"]
    empty = client.post("/announcements/preview/", {"topics": []}).json()
    assert not empty["ok"] and empty["general"]


def test_four_eyes_then_the_adapter_has_it(
    content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    from console.editorial.models import AuditEntry  # noqa: PLC0415
    from store.api import Store  # noqa: PLC0415

    author, author_client, pk = _written(make_user, client_for)
    # The author is also a reviewer: still not allowed to approve their own.
    from console.editorial import roles  # noqa: PLC0415

    roles.assign(author, "reviewer")
    assert author_client.post(f"/announcements/{pk}/approve/").status_code == 403
    assert client_for(make_user("editor")).post(f"/announcements/{pk}/approve/").status_code == 403
    assert Store().progress(f"announcement:{pk}") is None
    reviewer = make_user("reviewer")
    response = client_for(reviewer).post(f"/announcements/{pk}/approve/")
    assert response.status_code == 302
    progress = Store().progress(f"announcement:{pk}")
    assert progress is not None and not progress.fanned_out
    page = client_for(reviewer).get(f"/announcements/{pk}/")
    assert page.status_code == 200 and b"<progress" in page.content
    actions = set(
        AuditEntry.objects.filter(kind="announcement", key=str(pk)).values_list("action", flat=True)
    )
    assert {"announcement_saved", "submitted", "approval_refused", "announcement_approved"} <= (
        actions
    )
    # Approved once: a second approval changes nothing.
    again = client_for(make_user("reviewer")).post(f"/announcements/{pk}/approve/")
    assert again.status_code == 302


def test_a_scheduled_announcement_waits_for_its_time(
    content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    from store.api import Store  # noqa: PLC0415

    _, _, pk = _written(make_user, client_for, send_at="2099-01-05T09:00")
    client_for(make_user("reviewer")).post(f"/announcements/{pk}/approve/")
    progress = Store().progress(f"announcement:{pk}")
    assert progress is not None
    assert progress.not_before.year == 2099 and progress.not_before.hour == 8  # 09:00 Prague


def test_a_time_in_the_past_is_refused(
    content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    client = client_for(make_user("editor"))
    response = client.post("/announcements/new/", {**FORM, "send_at": "2020-01-01T10:00"})
    assert response.status_code == 422
