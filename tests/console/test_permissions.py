"""Every view for an anonymous visitor, an editor, a reviewer and an admin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.console.conftest import MakeUser

ROLES = ("anonymous", "editor", "reviewer", "admin")


def _client(role: str, make_user: MakeUser, client_for: Any) -> tuple[Any, Any]:
    user = None if role == "anonymous" else make_user(role)
    return user, client_for(user)


def _login_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/login/")


# (method, url, expected status for anonymous/editor/reviewer/admin); 'login' = redirect to it
PAGES: list[tuple[str, str, tuple[object, ...]]] = [
    ("get", "/", ("login", 200, 200, 200)),
    ("get", "/reviews/", ("login", 403, 200, 403)),
    ("get", "/audit/", ("login", 403, 200, 200)),
    ("get", "/edit/topic/housing/", ("login", 200, 200, 403)),
    ("get", "/edit/organisation/labour_office/", ("login", 200, 200, 403)),
    ("get", "/edit/message/greeting/", ("login", 200, 200, 403)),
    ("get", "/organisation/new/", ("login", 200, 200, 403)),
    ("get", "/recheck/topic/housing/", ("login", 200, 200, 403)),
    ("get", "/recheck/organisation/labour_office/", ("login", 200, 200, 403)),
    ("get", "/history/topic/housing/", ("login", 200, 200, 200)),
    ("get", "/history/message/menu/", ("login", 200, 200, 200)),
    ("post", "/preview/topic/housing/", ("login", 400, 400, 403)),  # empty form: malformed
    ("post", "/preview/organisation/", ("login", 200, 200, 403)),  # empty: not ok, no preview
    ("get", "/healthz", (200, 200, 200, 200)),
    ("get", "/login/", (200, 302, 302, 302)),  # logged-in staff go to the overview
    ("get", "/admin/", (302, 302, 302, 200)),  # the admin's own log-in for non-admins
    ("get", "/admin/auth/user/", (302, 302, 302, 200)),
    ("get", "/announcements/", ("login", 200, 200, 200)),
    ("get", "/announcements/new/", ("login", 200, 200, 403)),
    ("post", "/announcements/preview/", ("login", 200, 200, 403)),
]


@pytest.mark.parametrize(("method", "url", "expected"), PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_pages(
    role: str,
    method: str,
    url: str,
    expected: tuple[object, ...],
    content_dir: Path,
    make_user: MakeUser,
    client_for: Any,
) -> None:
    _, client = _client(role, make_user, client_for)
    response = getattr(client, method)(url)
    want = expected[ROLES.index(role)]
    if want == "login":
        assert _login_redirect(response), (response.status_code, response.get("Location"))
    else:
        assert response.status_code == want, (role, url, response.status_code)


def _draft_in_review(author: Any) -> Any:
    from console.editorial import publishing  # noqa: PLC0415

    doc = publishing.published_doc("message", "thank")
    assert doc is not None
    draft = publishing.save(author, "message", "thank", {**doc, "en": "Thanks a lot!"}, None)
    publishing.submit(draft, author)
    return draft


# Decisions on someone else's draft in review: (step, status per role), author excluded.
DECISIONS = [
    ("approve", ("login", 403, 302, 403)),
    ("send-back", ("login", 403, 302, 403)),
    ("withdraw", ("login", 403, 403, 403)),  # only the author takes it back
    ("submit", ("login", 403, 403, 403)),
    ("rebase", ("login", 403, 403, 403)),
]


@pytest.mark.parametrize(("step", "expected"), DECISIONS)
@pytest.mark.parametrize("role", ROLES)
def test_decisions_on_someone_elses_draft(
    role: str,
    step: str,
    expected: tuple[object, ...],
    content_dir: Path,
    make_user: MakeUser,
    client_for: Any,
) -> None:
    draft = _draft_in_review(make_user("reviewer"))
    _, client = _client(role, make_user, client_for)
    response = client.post(f"/draft/{draft.pk}/{step}/", {"comment": "please cite the source"})
    want = expected[ROLES.index(role)]
    if want == "login":
        assert _login_redirect(response)
    else:
        assert response.status_code == want, (role, step, response.status_code)
    draft.refresh_from_db()
    changed = role == "reviewer" and step in ("approve", "send-back")
    assert (draft.state != "in_review") == changed


def _announcement_in_review(author: Any) -> Any:
    from console.announcements import workflow  # noqa: PLC0415

    texts = {
        f"text_{lang}": f"{lang}: the office is closed on Friday." for lang in ("cs", "uk", "en")
    }
    announcement = workflow.save(
        author, {"topics": ["special_residence"], "send_at": None, **texts}, None
    )
    workflow.submit(announcement, author)
    return announcement


# The same steps on someone else's announcement in review (a reviewer may also discard it).
ANNOUNCEMENT_DECISIONS = [
    ("approve", ("login", 403, 302, 403), "approved"),
    ("send-back", ("login", 403, 302, 403), "sent_back"),
    ("withdraw", ("login", 403, 403, 403), None),  # only the author takes it back
    ("submit", ("login", 403, 403, 403), None),
    ("discard", ("login", 403, 302, 403), "discarded"),
]


@pytest.mark.parametrize(("step", "expected", "after"), ANNOUNCEMENT_DECISIONS)
@pytest.mark.parametrize("role", ROLES)
def test_decisions_on_someone_elses_announcement(
    role: str,
    step: str,
    expected: tuple[object, ...],
    after: str | None,
    content_dir: Path,
    make_user: MakeUser,
    client_for: Any,
) -> None:
    announcement = _announcement_in_review(make_user("editor"))
    _, client = _client(role, make_user, client_for)
    url = f"/announcements/{announcement.pk}/{step}/"
    response = client.post(url, {"comment": "Say which office."})
    want = expected[ROLES.index(role)]
    if want == "login":
        assert _login_redirect(response)
    else:
        assert response.status_code == want, (role, step, response.status_code)
    announcement.refresh_from_db()
    assert announcement.state == (after if role == "reviewer" and after else "in_review")


@pytest.mark.parametrize("role", ROLES)
def test_draft_page_and_revert(
    role: str, content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    from console.editorial import publishing  # noqa: PLC0415

    draft = _draft_in_review(make_user("editor"))
    publishing.approve(draft, make_user("reviewer"))
    _, client = _client(role, make_user, client_for)
    page = client.get(f"/draft/{draft.pk}/")
    revert = client.post("/history/message/thank/1/revert/")
    if role == "anonymous":
        assert _login_redirect(page) and _login_redirect(revert)
        return
    assert page.status_code == 200
    assert revert.status_code == (403 if role == "admin" else 302)


@pytest.mark.parametrize("role", ROLES[1:])  # an anonymous visitor writes no drafts
def test_nobody_approves_their_own_draft(
    role: str, content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    author = make_user(role, "reviewer") if role != "reviewer" else make_user("reviewer")
    draft = _draft_in_review(author)
    response = client_for(author).post(f"/draft/{draft.pk}/approve/")
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.state == "in_review"
    assert "Thanks a lot!" not in (content_dir / "messages.yml").read_text(encoding="utf-8")


def test_every_form_needs_a_csrf_token(
    content_dir: Path, make_user: MakeUser, django_ready: None
) -> None:
    from django.test import Client  # noqa: PLC0415

    editor = make_user("reviewer")
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    for url in ("/edit/message/thank/", "/preview/message/thank/", "/language/", "/logout/"):
        assert client.post(url, {"en": "x", "language": "en"}).status_code == 403, url
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post("/login/", {"username": "x", "password": "y"}).status_code == 403


def test_an_admin_cannot_make_anyone_a_superuser(
    content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    admin_user = make_user("admin")
    client = client_for(admin_user)
    page = client.get(f"/admin/auth/user/{admin_user.pk}/change/")
    assert page.status_code == 200
    assert b'name="is_superuser"' not in page.content
    assert b'name="groups"' in page.content  # roles are still given here
    joined = admin_user.date_joined
    response = client.post(
        f"/admin/auth/user/{admin_user.pk}/change/",
        {
            "username": admin_user.username,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [g.pk for g in admin_user.groups.all()],
            "date_joined_0": joined.strftime("%Y-%m-%d"),
            "date_joined_1": joined.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302, response.content[:2000]
    admin_user.refresh_from_db()
    assert not admin_user.is_superuser
    assert admin_user.is_staff


def test_a_superuser_may_still_make_one(content_dir: Path, client_for: Any) -> None:
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    root = get_user_model().objects.create_superuser(f"root-{id(client_for)}", password=None)
    page = client_for(root).get(f"/admin/auth/user/{root.pk}/change/")
    assert b'name="is_superuser"' in page.content
