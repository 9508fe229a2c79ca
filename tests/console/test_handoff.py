"""The "Talk to a person" page: office hours, days off, the staff group and hotlines in
content/handoff.yml, through the same drafts, four eyes, history and undo as every text."""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from harness.stack import REPO_ROOT
from poradnyk.content import known_topics, load_content
from poradnyk.handoff import format_when
from poradnyk.hours import is_open, next_opening
from tests.console.conftest import MakeUser

TOPICS = known_topics(REPO_ROOT)
GROUP = "-1001234567890"


def _issues(page: str) -> dict[str, str]:
    """The messages the page shows under each field (``data-issues-for``)."""
    found = re.findall(r'data-issues-for="([^"]+)"[^>]*>(.*?)</ul>', page, re.DOTALL)
    return {name: re.sub(r"<[^>]+>", " ", body) for name, body in found if body.strip()}


def _form(**changes: Any) -> dict[str, Any]:
    """The page's fields as a browser sends them, from the published file, then ``changes``."""
    from console.editorial import publishing  # noqa: PLC0415
    from console.editorial.handoff_form import handoff_initial  # noqa: PLC0415

    doc = publishing.published_doc("handoff", "handoff")
    assert doc is not None
    data: dict[str, Any] = {}
    for key, value in handoff_initial(doc).items():
        if key.startswith("_") or value in (False, None):
            continue
        data[key] = "on" if value is True else value
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(
    ("role", "page", "preview"),
    [
        ("anonymous", "login", "login"),
        ("editor", 200, 200),
        ("reviewer", 200, 200),
        ("admin", 403, 403),
    ],
)
def test_who_may_open_the_page(
    role: str,
    page: object,
    preview: object,
    content_dir: Path,
    make_user: MakeUser,
    client_for: Any,
) -> None:
    client = client_for(None if role == "anonymous" else make_user(role))
    for response, want in (
        (client.get("/handoff/"), page),
        (client.post("/handoff/preview/", {}), preview),
    ):
        if want == "login":
            assert response.status_code == 302 and response["Location"].startswith("/login/")
        else:
            assert response.status_code == want
    if role == "admin":
        assert client.post("/handoff/", _form(action="save")).status_code == 403
    if role == "editor":
        shown = client.get("/").content.decode()
        assert 'href="/handoff/"' in shown  # in the navigation


def test_wrong_values_are_named_by_their_fields_and_kept(
    content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    from console.editorial.models import Draft  # noqa: PLC0415

    before = (content_dir / "handoff.yml").read_bytes()
    editor = make_user("editor")
    client = client_for(editor)
    broken = _form(
        action="submit",
        staff_chat_id="12345",
        mon_from_0="17:00",
        mon_to_0="09:00",
        holiday_4="24.12.2026",
        reannounce_after_hours="soon",
    )
    response = client.post("/handoff/", broken)
    assert response.status_code == 422
    shown = html.unescape(response.content.decode())
    issues = _issues(shown)
    assert "negative number starting with -100" in issues["staff_chat_id"]
    assert "Monday: '17:00-09:00' ends before it starts." in issues["office_hours_mon"]
    assert "like 2026-12-24" in issues["holidays"]
    assert "number of hours above 0" in issues["reannounce_after_hours"]
    for typed in ('value="12345"', 'value="17:00"', 'value="24.12.2026"', 'value="soon"'):
        assert typed in shown  # nothing typed is lost
    draft = Draft.objects.get(author=editor, kind="handoff")
    assert draft.state == "editing"  # kept as a draft, not sent
    assert (content_dir / "handoff.yml").read_bytes() == before

    # The live preview says the same, by the same field names.
    found = client.post("/handoff/preview/", broken).json()
    assert not found["ok"] and "office_hours_mon" in found["issues"]

    # The page's own rule: a day ticked open needs its hours; nothing is saved, all is kept.
    no_hours = _form(action="save", sat_open="on", staff_chat_id=GROUP)
    response = client.post("/handoff/", no_hours)
    assert response.status_code == 422
    assert (
        "Saturday is marked open" in _issues(html.unescape(response.content.decode()))["sat_open"]
    )
    assert f'value="{GROUP}"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.data["staff_chat_id"] == 12345  # the unsaved post did not overwrite it


def test_four_eyes_publish_writes_a_file_the_bot_loads_then_undo(
    content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    from console.editorial.models import Draft, Version  # noqa: PLC0415

    path = content_dir / "handoff.yml"
    original = path.read_text(encoding="utf-8")
    author, other = make_user("reviewer"), make_user("reviewer")
    writer, checker = client_for(author), client_for(other)
    # "Add a time range" gives Monday a second, empty row.
    added = writer.post("/handoff/", _form(action="add_row:mon"), follow=True)
    assert 'name="mon_from_1"' in added.content.decode()
    assert 'name="tue_from_1"' not in added.content.decode()
    change = _form(
        action="submit",
        staff_chat_id=GROUP,
        mon_to_0="12:00",
        mon_from_1="13:00",
        mon_to_1="16:00",
        holiday_4="2027-04-05",
        holiday_0_remove="on",  # 2026-12-24 removed
        reannounce_after_hours="2",
        time_zone="Europe/Kyiv",
        sat_open="on",  # a closed day shows one empty range: tick it and type
        sat_from_0="10:00",
        sat_to_0="12:00",
    )
    assert writer.post("/handoff/", change).status_code == 302
    draft = Draft.objects.get(author=author, kind="handoff")
    assert draft.state == "in_review"
    assert writer.post(f"/draft/{draft.pk}/approve/").status_code == 403  # four eyes
    page = checker.get(f"/draft/{draft.pk}/").content.decode()
    assert "Office hours: Monday" in page and "<ins>09:00-12:00, 13:00-16:00</ins>" in page
    assert checker.post(f"/draft/{draft.pk}/approve/").status_code == 302

    handoff = load_content(content_dir, TOPICS).handoff
    assert handoff is not None
    assert handoff.staff_chat_id == int(GROUP)
    assert handoff.time_zone == "Europe/Kyiv"
    assert [(s.isoformat("minutes"), e.isoformat("minutes")) for s, e in handoff.hours[0]] == [
        ("09:00", "12:00"),
        ("13:00", "16:00"),
    ]
    assert [(s.isoformat("minutes"), e.isoformat("minutes")) for s, e in handoff.hours[5]] == [
        ("10:00", "12:00")
    ]
    assert min(handoff.holidays).isoformat() == "2026-12-25"
    assert "2027-04-05" in {d.isoformat() for d in handoff.holidays}
    assert handoff.reannounce_after_hours == 2
    written = path.read_text(encoding="utf-8")
    # Only the changed settings were rewritten: every comment and other line stays.
    kept = [line for line in original.splitlines() if line.startswith("#")]
    assert [line for line in written.splitlines() if line.startswith("#")] == kept
    assert '  mon: "09:00-12:00, 13:00-16:00"' in written and '  tue: "09:00-17:00"' in written

    # Undo: bring back the file's first version through review; the bytes come back.
    assert writer.get("/history/handoff/handoff/").status_code == 200
    first = Version.objects.get(kind="handoff", key="handoff", number=1)
    assert first.origin == "files"
    reverted = writer.post("/history/handoff/handoff/1/revert/")
    assert reverted.status_code == 302
    undo = Draft.objects.get(author=author, kind="handoff", state="editing")
    assert writer.post(f"/draft/{undo.pk}/submit/").status_code == 302
    assert checker.post(f"/draft/{undo.pk}/approve/").status_code == 302
    assert path.read_text(encoding="utf-8") == original
    assert load_content(content_dir, TOPICS).handoff is None  # no group again, as before


def test_preview_is_the_bots_consent_screen_now_and_outside_hours(
    content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    client = client_for(make_user("editor"))
    # Before a group id: the bot shows organisations only, and the page says so.
    found = client.post("/handoff/preview/", _form(preview_lang="en")).json()
    assert found["ok"] and "No staff group id yet" in found["html"]

    data = _form(staff_chat_id=GROUP, preview_lang="en")
    found = client.post("/handoff/preview/", data).json()
    assert found["ok"], found
    assert client.post("/handoff/", data | {"action": "save"}).status_code == 302

    from console.editorial import checks  # noqa: PLC0415

    content = checks.check("handoff", "handoff", _draft_doc()).content
    assert content is not None and content.handoff is not None
    now = datetime.now(timezone.utc)
    html = found["html"]
    assert "Right now" in html and "Nobody from the team is in right now" in html
    if is_open(content.handoff, now):
        assert "A person from the advice team can take your question" in html
        assert "Outside office hours" in html
    else:  # "staff are back ...", as the bot words it for this moment
        back = format_when(content, content.handoff, "en", next_opening(content.handoff, now))
        assert back in html
    assert "112" in html and "✅ Leave my question" in html


def _draft_doc() -> dict[str, Any]:
    from console.editorial.models import Draft  # noqa: PLC0415

    draft = Draft.objects.filter(kind="handoff").order_by("-updated").first()
    assert draft is not None
    return dict(draft.data)


def test_a_hand_edit_of_the_file_stops_publishing_then_rebase(
    content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    from console.editorial.models import Draft  # noqa: PLC0415

    author, other = make_user("editor"), make_user("reviewer")
    writer, checker = client_for(author), client_for(other)
    assert writer.post("/handoff/", _form(action="submit", fri_to_0="14:00")).status_code == 302
    draft = Draft.objects.get(author=author, kind="handoff")
    path = content_dir / "handoff.yml"
    hand_edited = path.read_text(encoding="utf-8").replace(
        "staff_language: cs", "staff_language: uk"
    )
    path.write_text(hand_edited, encoding="utf-8")
    assert checker.post(f"/draft/{draft.pk}/approve/").status_code == 409
    assert path.read_text(encoding="utf-8") == hand_edited  # nothing overwritten
    # The author starts again from the file as it is; the review then shows only Friday.
    assert writer.post(f"/draft/{draft.pk}/rebase/").status_code == 302
    assert writer.post(f"/draft/{draft.pk}/submit/").status_code == 302
    assert checker.post(f"/draft/{draft.pk}/approve/").status_code == 302
    written = path.read_text(encoding="utf-8")
    assert '  fri: "09:00-14:00"' in written
    # The draft still holds "cs" (the form's value when it was written): publishing it
    # sets it back, and the review showed that as a change.
    assert "staff_language: cs" in written
    # The generic pages of other kinds do not take this one.
    assert writer.post("/preview/handoff/handoff/", {}).status_code == 404
    assert writer.get("/recheck/handoff/handoff/").status_code == 404
    assert writer.get("/edit/handoff/handoff/")["Location"] == "/handoff/"
