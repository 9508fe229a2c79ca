"""The editorial workflow through the pages: checks by the fields, four eyes, publishing
into the files, conflicts, history and revert, re-checking, accounts, log-in limits."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from harness.stack import REPO_ROOT
from poradnyk.content import known_topics, load_content
from poradnyk.content.writer import load_yaml
from tests.console.conftest import MakeUser

TOPICS = known_topics(REPO_ROOT)


def _topic_form(client: Any, name: str) -> dict[str, Any]:
    """The editor's fields of a topic as the page fills them (like a browser would send)."""
    from console.editorial import publishing  # noqa: PLC0415
    from console.editorial.forms import topic_initial  # noqa: PLC0415

    doc = publishing.published_doc("topic", name)
    assert doc is not None
    initial, subs = topic_initial(doc)
    data: dict[str, Any] = dict(initial)
    data.update({"more-TOTAL_FORMS": len(subs), "more-INITIAL_FORMS": len(subs)})
    for n, sub in enumerate(subs):
        data.update({f"more-{n}-{k}": v for k, v in sub.items()})
    return data


def _org_form(key: str) -> dict[str, Any]:
    from console.editorial import publishing  # noqa: PLC0415
    from console.editorial.forms import organisation_initial  # noqa: PLC0415

    doc = publishing.published_doc("organisation", key)
    assert doc is not None
    return {k: v for k, v in organisation_initial(doc).items() if v not in ("", [])}


def test_inline_checks_name_the_field_in_plain_words(
    content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    client = client_for(make_user("editor"))
    data = _topic_form(client, "housing")
    broken = data | {"answer_uk": "", "title_cs": "x" * 41, "sources": "ipc.gov.cz"}
    found = client.post("/preview/topic/housing/", broken).json()
    assert not found["ok"]
    assert "Ukrainian text is missing" in found["issues"]["answer_uk"][0]["message"]
    assert "41 characters" in found["issues"]["title_cs"][0]["message"]
    assert "not a full web link" in found["issues"]["sources"][0]["message"]
    # a dated statement past its day (the staff check's rule), by its own date field
    found = client.post("/preview/topic/housing/", data | {"more-1-valid_until": "2020-01-31"})
    issue = found.json()["issues"]["more-1-valid_until"][0]["message"]
    assert "true until 2020-01-31" in issue
    # an organisation's broken phone number, next to the phone field
    data = _org_form("labour_office") | {"phone": "+420 95O 180 100"}
    found = client.post("/preview/organisation/labour_office/", data).json()
    assert not found["ok"] and found["html"].count("no-preview") == 1
    assert list(found["issues"]) == ["phone"]
    assert "not valid: use digits and spaces" in found["issues"]["phone"][0]["message"]


def test_preview_is_the_bots_reply(content_dir: Path, make_user: MakeUser, client_for: Any) -> None:
    from poradnyk.compose import topic_reply  # noqa: PLC0415
    from poradnyk.render import split_html  # noqa: PLC0415

    client = client_for(make_user("editor"))
    data = _topic_form(client, "housing") | {"preview_lang": "cs", "preview_region": "praha"}
    data["answer_cs"] = "Nový **text** odpovědi."
    found = client.post("/preview/topic/housing/", data).json()
    assert found["ok"]
    assert "Nový <b>text</b> odpovědi." in found["html"]
    content = load_content(content_dir, TOPICS)
    published = split_html(topic_reply(content, "housing", "cs", "praha").text)[0]
    organisation_line = next(line for line in published.split("\n") if "Praha" in line)
    assert organisation_line in found["html"].replace("&amp;", "&") or "Praha" in found["html"]
    for title in (content.text("btn_yes", "cs"), content.text("btn_menu", "cs")):
        assert f'class="kb-btn">{title}<' in found["html"]


def test_errors_stop_review_and_four_eyes_publish(
    content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    from console.editorial.models import AuditEntry, Draft, Version  # noqa: PLC0415

    author, other = make_user("reviewer"), make_user("reviewer")
    writer = client_for(author)
    data = _topic_form(writer, "housing") | {"action": "submit", "answer_en": ""}
    refused = writer.post("/edit/topic/housing/", data)
    assert refused.status_code == 422
    draft = Draft.objects.get(author=author)
    assert draft.state == "editing"  # kept as a draft, not sent

    data["answer_en"] = "New housing answer for the test."
    sent = writer.post("/edit/topic/housing/", data)
    assert sent.status_code == 302
    draft.refresh_from_db()
    assert draft.state == "in_review"
    assert writer.post(f"/draft/{draft.pk}/approve/").status_code == 403
    path = content_dir / "topics" / "housing.yml"
    assert "New housing answer" not in path.read_text(encoding="utf-8")

    page = client_for(other).get(f"/draft/{draft.pk}/")
    shown = page.content.decode()
    assert "Answer (en)" in shown and "<ins>New" in shown and "<del>State" in shown
    assert client_for(other).post(f"/draft/{draft.pk}/approve/").status_code == 302
    content = load_content(content_dir, TOPICS)
    assert content.topics["housing"].answer.en == "New housing answer for the test."
    versions = list(Version.objects.filter(kind="topic", key="housing").order_by("number"))
    assert [(v.origin, v.author, v.reviewer) for v in versions] == [
        ("files", None, None),
        ("console", author, other),
    ]
    actions = set(AuditEntry.objects.filter(draft=draft).values_list("action", flat=True))
    assert {"draft_saved", "submitted", "approval_refused", "published"} <= actions


def test_conflict_when_the_file_changed_then_rebase(
    content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    from console.editorial.models import Draft  # noqa: PLC0415

    author, reviewer = make_user("editor"), make_user("reviewer")
    data = _org_form("labour_office") | {"action": "submit", "note_en": "Console note."}
    assert client_for(author).post("/edit/organisation/labour_office/", data).status_code == 302
    draft = Draft.objects.get(author=author)

    # Someone edits the same organisation by hand, and another one elsewhere in the file.
    path = content_dir / "organisations.yml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('phone: "+420 950 180 100"', 'phone: "+420 950 180 101"')
    text = text.replace('phone: "+420 974 801 802"', 'phone: "+420 974 801 803"')
    path.write_text(text, encoding="utf-8")

    stopped = client_for(reviewer).post(f"/draft/{draft.pk}/approve/")
    assert stopped.status_code == 409
    assert "the file changed" in stopped.content.decode()
    assert path.read_text(encoding="utf-8") == text  # nothing overwritten

    assert client_for(author).post(f"/draft/{draft.pk}/rebase/").status_code == 302
    draft.refresh_from_db()
    assert draft.state == "editing"
    assert client_for(author).post(f"/draft/{draft.pk}/submit/").status_code == 302
    assert client_for(reviewer).post(f"/draft/{draft.pk}/approve/").status_code == 302
    written = path.read_text(encoding="utf-8")
    assert "Console note." in written
    assert 'phone: "+420 974 801 803"' in written  # the other hand edit is kept


def test_change_elsewhere_in_the_file_is_no_conflict(
    content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    from console.editorial.models import Draft  # noqa: PLC0415

    author, reviewer = make_user("editor"), make_user("reviewer")
    data = {"cs": "Děkujeme!", "uk": "Дякуємо!", "en": "Thanks!", "action": "submit"}
    assert client_for(author).post("/edit/message/thank/", data).status_code == 302
    path = content_dir / "messages.yml"
    text = path.read_text(encoding="utf-8").replace("Goodbye and good luck!", "Goodbye, good luck!")
    path.write_text(text, encoding="utf-8")
    draft = Draft.objects.get(author=author)
    assert client_for(reviewer).post(f"/draft/{draft.pk}/approve/").status_code == 302
    messages = load_yaml(path.read_text(encoding="utf-8"))
    assert messages["thank"]["uk"] == "Дякуємо!"
    assert messages["goodbye"]["en"].startswith("Goodbye, good luck!")


def test_history_and_revert_go_through_review(
    content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    from console.editorial.models import Draft  # noqa: PLC0415

    path = content_dir / "messages.yml"
    original = path.read_text(encoding="utf-8")
    author, reviewer = make_user("editor"), make_user("reviewer")
    data = {"cs": "Nic.", "uk": "Нічого.", "en": "Nothing.", "action": "submit"}
    client_for(author).post("/edit/message/deny/", data)
    draft = Draft.objects.get(author=author)
    client_for(reviewer).post(f"/draft/{draft.pk}/approve/")
    history = client_for(author).get("/history/message/deny/").content.decode()
    assert "Version 2" in history and "Version 1" in history
    assert "<ins>Nothing.</ins>" in history

    reverted = client_for(author).post("/history/message/deny/1/revert/")
    assert reverted.status_code == 302
    revert = Draft.objects.filter(author=author).exclude(pk=draft.pk).get()
    assert revert.reverts is not None and revert.reverts.number == 1
    assert "Nothing." in path.read_text(encoding="utf-8")  # not before review
    client_for(author).post(f"/draft/{revert.pk}/submit/")
    assert client_for(reviewer).post(f"/draft/{revert.pk}/approve/").status_code == 302
    assert path.read_text(encoding="utf-8") == original


def test_recheck_needs_every_source_and_signs_the_date(
    content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    from console.editorial.models import Draft  # noqa: PLC0415

    editor = make_user("editor")
    client = client_for(editor)
    page = client.get("/recheck/topic/banking/").content.decode()
    boxes = page.count('type="checkbox"')
    assert boxes >= 2
    partial = client.post("/recheck/topic/banking/", {"source_0": "on"})
    assert partial.status_code == 422 and not Draft.objects.filter(author=editor).exists()
    ticks = {f"source_{n}": "on" for n in range(boxes)}
    assert client.post("/recheck/topic/banking/", ticks).status_code == 302
    draft = Draft.objects.get(author=editor)
    assert draft.data["reviewed"] == date.today().isoformat()
    assert draft.checked_by == editor and draft.checked_on == date.today()
    dated = [s for s in draft.data.get("more") or [] if s.get("reviewed")]
    assert all(s["reviewed"] == date.today().isoformat() for s in dated)


def test_send_back_with_a_comment(content_dir: Path, make_user: MakeUser, client_for: Any) -> None:
    from console.editorial.models import Draft  # noqa: PLC0415

    author, reviewer = make_user("editor"), make_user("reviewer")
    client_for(author).post(
        "/edit/message/affirm/", {"cs": "A", "uk": "Б", "en": "C", "action": "submit"}
    )
    draft = Draft.objects.get(author=author)
    assert (
        client_for(reviewer).post(f"/draft/{draft.pk}/send-back/", {"comment": ""}).status_code
        == 302
    )
    draft.refresh_from_db()
    assert draft.state == "in_review"  # a reason is required
    client_for(reviewer).post(f"/draft/{draft.pk}/send-back/", {"comment": "Too short."})
    draft.refresh_from_db()
    assert draft.state == "sent_back" and draft.comment == "Too short."
    editor_page = client_for(author).get("/edit/message/affirm/").content.decode()
    assert "Too short." in editor_page


def test_new_organisation_is_published_at_the_end_of_the_file(
    content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    from console.editorial.models import Draft  # noqa: PLC0415

    author, reviewer = make_user("editor"), make_user("reviewer")
    data = {
        "id": "test_centre",
        "name_cs": "Testovací centrum",
        "name_uk": "Тестовий центр",
        "name_en": "Test centre",
        "helps_with": ["housing"],
        "regions": ["praha"],
        "phone": "+420 222 000 111",
        "source": "https://www.example.org/kontakt",
        "reviewed": date.today().isoformat(),
        "action": "submit",
    }
    taken = client_for(author).post("/organisation/new/", data | {"id": "labour_office"})
    assert taken.status_code == 422
    assert client_for(author).post("/organisation/new/", data).status_code == 302
    draft = Draft.objects.get(author=author, key="test_centre")
    assert client_for(reviewer).post(f"/draft/{draft.pk}/approve/").status_code == 302
    text = (content_dir / "organisations.yml").read_text(encoding="utf-8")
    assert text.rstrip().endswith(f"reviewed: {date.today().isoformat()}")
    content = load_content(content_dir, TOPICS)
    assert any(
        o.id == "test_centre" and o.phone == "+420 222 000 111" for o in content.organisations
    )


def test_interface_in_each_staff_language(
    content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    from console.editorial.models import StaffProfile  # noqa: PLC0415

    user = make_user("editor")
    client = client_for(user)
    for lang, word in (("cs", "Přehled"), ("uk", "Огляд"), ("en", "Overview")):
        assert client.post("/language/", {"language": lang, "next": "/"}).status_code == 302
        assert StaffProfile.language_of(user) == lang
        assert f"<h1>{word}</h1>" in client.get("/").content.decode()
    client.post("/language/", {"language": "uk", "next": "/"})
    data = _org_form("labour_office") | {"phone": "12ab"}
    found = client.post("/preview/organisation/labour_office/", data).json()
    assert "Номер телефону" in found["issues"]["phone"][0]["message"]


def test_login_is_rate_limited(content_dir: Path, django_ready: None) -> None:
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    name = f"limited-{os.getpid()}"
    user = get_user_model().objects.create(username=name)
    user.set_password("correct horse battery")
    user.save()
    client = Client()
    for _ in range(4):
        assert client.post("/login/", {"username": name, "password": "wrong"}).status_code == 200
    assert client.post("/login/", {"username": name, "password": "wrong"}).status_code == 429
    locked = client.post("/login/", {"username": name, "password": "correct horse battery"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_session_and_cookie_settings_behind_https() -> None:
    probe = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'console.settings';"
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_AGE, s.SESSION_EXPIRE_AT_BROWSER_CLOSE)"
    )
    env = {**os.environ, "PORADNYK_CONSOLE_HTTPS": "1", "PORADNYK_SECRET_KEY": "x"}
    out = subprocess.run(
        [sys.executable, "-c", probe],
        check=False,
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert out.stdout.split() == [
        "True", "True", "True", "('HTTP_X_FORWARDED_PROTO',", "'https')", "28800", "True",
    ]  # fmt: skip
    env["PORADNYK_CONSOLE_HTTPS"] = "0"
    out = subprocess.run(
        [sys.executable, "-c", probe],
        check=False,
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert out.stdout.split()[:2] == ["False", "False"]


def test_adduser_has_no_default_password(content_dir: Path, django_ready: None) -> None:
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    name = f"staff-{os.getpid()}"
    env = {**os.environ}
    run = [sys.executable, "-m", "console", "adduser", name, "--role", "reviewer"]
    empty = subprocess.run(
        run, check=False, input="", env=env, cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert empty.returncode != 0 and "no password" in empty.stderr
    weak = subprocess.run(
        run, check=False, input="12345\n", env=env, cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert weak.returncode != 0 and not get_user_model().objects.filter(username=name).exists()
    made = subprocess.run(
        [*run, "--password-stdin"], check=False, input="a long staff passphrase\n",
        env=env, cwd=REPO_ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    user = get_user_model().objects.get(username=name)
    assert user.check_password("a long staff passphrase") and not user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == ["reviewer"]


def test_healthz_checks_the_database(django_ready: None, client_for: Any) -> None:
    response = client_for(None).get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_a_decided_draft_still_shows_what_it_changed(
    content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    from console.editorial.models import Draft  # noqa: PLC0415

    author, reviewer = make_user("editor"), make_user("reviewer")
    data = {"cs": "Sbohem.", "uk": "Бувайте.", "en": "Bye.", "action": "submit"}
    client_for(author).post("/edit/message/goodbye/", data)
    draft = Draft.objects.get(author=author)
    client_for(reviewer).post(f"/draft/{draft.pk}/approve/")
    page = client_for(author).get(f"/draft/{draft.pk}/").content.decode()
    assert "<ins>Bye.</ins>" in page and "What it changed" in page


def test_publishing_twice_records_no_phantom_hand_edit(
    content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    from console.editorial.models import Draft, Version  # noqa: PLC0415

    author, reviewer = make_user("editor"), make_user("reviewer")
    for note in ("First note.", "Second note."):
        data = _org_form("vzp") | {"action": "submit", "note_en": note}
        assert client_for(author).post("/edit/organisation/vzp/", data).status_code == 302
        draft = Draft.objects.filter(author=author, state="in_review").get()
        assert client_for(reviewer).post(f"/draft/{draft.pk}/approve/").status_code == 302
    origins = list(
        Version.objects.filter(kind="organisation", key="vzp")
        .order_by("number")
        .values_list("origin", flat=True)
    )
    assert origins == ["files", "console", "console"]
    history = client_for(author).get("/history/organisation/vzp/").content.decode()
    assert history.count("published now") == 1


def test_without_script_save_keeps_the_preview_choices(
    content_dir: Path, make_user: MakeUser, client_for: Any
) -> None:
    client = client_for(make_user("editor"))
    data = _topic_form(client, "housing") | {"preview_lang": "en", "preview_region": "praha"}
    saved = client.post("/edit/topic/housing/", data | {"action": "save"})
    assert saved.status_code == 302 and "preview_lang=en" in saved["Location"]
    page = client.get(saved["Location"]).content.decode()
    assert "<b>Housing</b>" in page  # the English answer in the phone frame
