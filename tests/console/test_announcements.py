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


def test_a_reviewer_sends_it_back_with_a_comment_and_the_author_changes_it(
    content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    from console.announcements.models import Announcement  # noqa: PLC0415
    from console.editorial.models import AuditEntry  # noqa: PLC0415
    from store.api import Store  # noqa: PLC0415

    _, author_client, pk = _written(make_user, client_for)
    reviewer = client_for(make_user("reviewer"))
    # Sending back needs words for the author; nothing changes without them.
    empty = reviewer.post(f"/announcements/{pk}/send-back/", {"comment": "  "}, follow=True)
    assert "Write what should change" in empty.content.decode()
    assert Announcement.objects.get(pk=pk).state == "in_review"
    # Nobody sends back their own (the author is an editor: 403, and recorded).
    assert (
        author_client.post(f"/announcements/{pk}/send-back/", {"comment": "x"}).status_code == 403
    )
    response = reviewer.post(f"/announcements/{pk}/send-back/", {"comment": "Add the date. "})
    assert response.status_code == 302
    sent_back = Announcement.objects.get(pk=pk)
    assert (sent_back.state, sent_back.comment) == ("sent_back", "Add the date.")
    assert Store().progress(f"announcement:{pk}") is None
    # Sent back twice: the second is refused, the first comment stays.
    again = reviewer.post(f"/announcements/{pk}/send-back/", {"comment": "Other."}, follow=True)
    assert "not possible" in again.content.decode()
    assert Announcement.objects.get(pk=pk).comment == "Add the date."
    # The author sees the comment on the page, on the editor and on the dashboard.
    for url in (f"/announcements/{pk}/", f"/announcements/{pk}/edit/", "/"):
        assert "Add the date." in author_client.get(url).content.decode(), url
    changed = {**FORM, "text_en": "New rules from 1 January.", "action": "submit"}
    assert author_client.post(f"/announcements/{pk}/edit/", changed).status_code == 302
    resubmitted = Announcement.objects.get(pk=pk)
    assert (resubmitted.state, resubmitted.comment) == ("in_review", "")
    assert resubmitted.text_en == "New rules from 1 January."
    assert f"/announcements/{pk}/" in reviewer.get("/reviews/").content.decode()
    assert reviewer.post(f"/announcements/{pk}/approve/").status_code == 302
    assert Store().progress(f"announcement:{pk}") is not None
    actions = list(
        AuditEntry.objects.filter(kind="announcement", key=str(pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "announcement_saved",
        "submitted",
        "approval_refused",
        "sent_back",
        "announcement_saved",
        "submitted",
        "announcement_approved",
    ]


def test_the_author_takes_it_back_from_review(
    content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    from console.announcements.models import Announcement  # noqa: PLC0415

    _, author_client, pk = _written(make_user, client_for)
    reviewer = client_for(make_user("reviewer"))
    # Only the author takes it back.
    assert reviewer.post(f"/announcements/{pk}/withdraw/").status_code == 403
    # While it waits for review it cannot change.
    refused = author_client.post(f"/announcements/{pk}/edit/", {**FORM, "text_en": "Changed."})
    assert refused.status_code == 302
    assert Announcement.objects.get(pk=pk).text_en == FORM["text_en"]
    assert author_client.post(f"/announcements/{pk}/withdraw/").status_code == 302
    assert Announcement.objects.get(pk=pk).state == "editing"
    # Taken back, it is no longer offered for review or approvable.
    assert f"/announcements/{pk}/" not in reviewer.get("/reviews/").content.decode()
    assert reviewer.post(f"/announcements/{pk}/approve/").status_code == 302
    assert Announcement.objects.get(pk=pk).state == "editing"
    changed = author_client.post(f"/announcements/{pk}/edit/", {**FORM, "text_en": "Changed."})
    assert changed.status_code == 302
    assert Announcement.objects.get(pk=pk).text_en == "Changed."
