"""The content writer: real files round-trip byte for byte, and every rendering reads back."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.stack import REPO_ROOT
from poradnyk.content import known_topics, load_content
from poradnyk.content.store import last_good_lock
from poradnyk.content.writer import (
    MESSAGE,
    ORGANISATION,
    TOPIC,
    Documents,
    WriterError,
    item_path,
    item_text,
    load_yaml,
    place,
    read_documents,
    render_message,
    render_organisation,
    render_topic,
    write_atomic,
)

CONTENT = REPO_ROOT / "content"
TOPICS = known_topics(REPO_ROOT)


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A copy of the real content to write into."""
    shutil.copytree(CONTENT, tmp_path / "content")
    return tmp_path / "content"


def test_a_file_half_edited_by_hand_is_read_from_the_last_good_copy(
    content_copy: Path, tmp_path: Path
) -> None:
    """Invalid YAML in one file costs neither the other files nor (with a last good copy)
    that file's own items; without a copy its items are left out, nothing raises."""
    good = read_documents(content_copy, TOPICS)
    copy = tmp_path / "last-good"
    shutil.copytree(content_copy, copy)
    for kind, key in ((TOPIC, "work"), (ORGANISATION, "")):
        path = item_path(content_copy, kind, key)
        path.write_text(path.read_text(encoding="utf-8") + "\n  broken: [", encoding="utf-8")
    assert read_documents(content_copy, TOPICS, fallback=copy) == good
    without = read_documents(content_copy, TOPICS)
    assert "work" not in without.topics and without.organisations == {}
    assert {k: v for k, v in good.topics.items() if k != "work"} == without.topics
    assert without.messages == good.messages


def test_nothing_is_written_over_a_file_half_edited_by_hand(content_copy: Path) -> None:
    """A file someone broke by hand is corrected in the file first: writing an item into
    it would lose that edit unseen, so the writer refuses in plain words."""
    docs = read_documents(content_copy, TOPICS)
    path = item_path(content_copy, TOPIC, "work")
    broken = path.read_text(encoding="utf-8").replace("answer:", "answer: {en: half", 1)
    with pytest.raises(WriterError, match="not valid YAML; correct it in the file first"):
        place(broken, TOPIC, "work", docs.topics["work"])
    orgs = item_path(content_copy, ORGANISATION, "")
    text = orgs.read_text(encoding="utf-8") + "\n  broken: [\n"
    with pytest.raises(WriterError, match="not valid YAML; correct it in the file first"):
        place(text, ORGANISATION, "labour_office", docs.organisations["labour_office"])


def test_every_real_file_written_back_is_unchanged_and_loads_equal(content_copy: Path) -> None:
    docs = read_documents(content_copy, TOPICS)
    assert len(docs.topics) == len(TOPICS) and docs.organisations and docs.messages
    for name, doc in docs.topics.items():
        path = item_path(content_copy, TOPIC, name)
        before = path.read_text(encoding="utf-8")
        after = place(before, TOPIC, name, doc).text
        assert after == before, name
        write_atomic(path, after)
    for kind, table in ((ORGANISATION, docs.organisations), (MESSAGE, docs.messages)):
        path = item_path(content_copy, kind, "")
        before = text = path.read_text(encoding="utf-8")
        for key, doc in table.items():
            text = place(text, kind, key, doc).text
        assert text == before, kind
        write_atomic(path, text)
    original = load_content(CONTENT, TOPICS)
    written = load_content(content_copy, TOPICS)
    assert written.topics == original.topics
    assert written.organisations == original.organisations
    assert written.messages == original.messages
    assert written.regions == original.regions


def test_changed_entry_replaces_only_its_own_block(content_copy: Path) -> None:
    path = item_path(content_copy, ORGANISATION, "")
    before = path.read_text(encoding="utf-8")
    doc = read_documents(content_copy, TOPICS).organisations["labour_office"]
    doc["phone"] = "+420 950 180 999"
    placed = place(before, ORGANISATION, "labour_office", doc)
    old_lines, new_lines = before.split("\n"), placed.text.split("\n")
    changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert len(changed) == 1
    assert new_lines[changed[0]] == '  phone: "+420 950 180 999"'
    assert placed.fields["phone"] == changed[0] + 1
    # comments and section rulers of the file are untouched
    assert [x for x in old_lines if x.startswith("#")] == [
        x for x in new_lines if x.startswith("#")
    ]


def test_new_organisation_is_appended_and_loads(content_copy: Path) -> None:
    path = item_path(content_copy, ORGANISATION, "")
    doc = {
        "id": "test_new_org",
        "name": {"cs": "Nová: organizace", "uk": "Нова організація", "en": "New org # one"},
        "helps_with": ["housing"],
        "regions": ["praha"],
        "phone": "+420 222 333 444",
        "source": "https://www.example.org/kontakty",
        "reviewed": "2026-11-30",
    }
    placed = place(path.read_text(encoding="utf-8"), ORGANISATION, "test_new_org", doc)
    write_atomic(path, placed.text)
    loaded = load_content(content_copy, TOPICS)
    org = next(o for o in loaded.organisations if o.id == "test_new_org")
    assert org.name.cs == "Nová: organizace" and org.name.en == "New org # one"
    assert org.phone == "+420 222 333 444"
    block = item_text(placed.text, ORGANISATION, "test_new_org")
    assert block is not None and block.startswith("- id: test_new_org\n  name:")
    assert block.endswith("  reviewed: 2026-11-30")
    assert placed.text.split("\n")[placed.start - 1] == "- id: test_new_org"


def test_field_lines_point_at_the_fields() -> None:
    doc = load_yaml(item_path(CONTENT, TOPIC, "housing").read_text(encoding="utf-8"))
    rendered = render_topic(doc)
    lines = rendered.text.split("\n")
    assert lines[rendered.fields["answer.uk"] - 1] == "  uk: |-"
    assert lines[rendered.fields["sources"] - 1] == "sources:"
    assert lines[rendered.fields["more.1.id"] - 1] == f"  - id: {doc['more'][1]['id']}"
    assert lines[rendered.fields["more.1.text.en"] - 1] == "      en: |-"


def test_broken_values_are_written_so_the_loader_names_them(content_copy: Path) -> None:
    doc = read_documents(content_copy, TOPICS).organisations["labour_office"]
    doc["phone"] = "12ab"
    doc["reviewed"] = "yesterday"
    path = item_path(content_copy, ORGANISATION, "")
    placed = place(path.read_text(encoding="utf-8"), ORGANISATION, "labour_office", doc)
    write_atomic(path, placed.text)
    with pytest.raises(Exception) as caught:
        load_content(content_copy, TOPICS)
    lines = {i.line: i.message for i in caught.value.issues}  # type: ignore[attr-defined]
    assert "phone" in lines[placed.fields["phone"]]
    assert "reviewed" in lines[placed.fields["reviewed"]]


def test_atomic_write_keeps_mode_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "messages.yml"
    path.write_text("old\n")
    path.chmod(0o640)
    write_atomic(path, "new\n")
    assert path.read_text() == "new\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["messages.yml"]


texts = st.text(
    st.characters(blacklist_categories=["Cs"]), min_size=0, max_size=60
)  # any Unicode, control characters, line breaks, quotes, colons, hashes...


@settings(max_examples=300, deadline=None)
@given(cs=texts, uk=texts, en=texts)
def test_any_text_reads_back_exactly(cs: str, uk: str, en: str) -> None:
    # render_* raise WriterError unless the text reads back as written
    message = render_message("greeting", {"cs": cs, "uk": uk, "en": en})
    assert load_yaml(message.text) == {"greeting": {"cs": cs, "uk": uk, "en": en}}
    topic = {
        "topic": "housing",
        "reviewed": "2026-11-30",
        "sources": ["https://www.example.org"],
        "title": {"cs": cs, "uk": uk, "en": en},
        "answer": {"cs": cs, "uk": uk, "en": en},
        "more": [{"id": "x", "button": {"cs": cs, "uk": uk, "en": en}, "text": {"cs": uk}}],
    }
    assert load_yaml(render_topic(topic).text)["answer"] == {"cs": cs, "uk": uk, "en": en}
    org = {"id": "o", "name": {"cs": cs, "uk": uk, "en": en}, "phone": cs, "note": {"en": en}}
    assert load_yaml(render_organisation(org).text)[0].get("phone", "") == cs


def test_the_last_good_copy_is_not_read_in_the_middle_of_a_swap(
    content_copy: Path, tmp_path: Path
) -> None:
    """Another process swapping the copy (under its lock, the folder gone for a moment):
    the reader waits for the swap instead of leaving the broken file's items out."""
    good = read_documents(content_copy, TOPICS)
    copy = tmp_path / "last-good" / "console"
    shutil.copytree(content_copy, copy)
    path = item_path(content_copy, TOPIC, "work")
    path.write_text(path.read_text(encoding="utf-8") + "\n  broken: [", encoding="utf-8")
    read: list[Documents] = []
    with last_good_lock(copy, exclusive=True):
        copy.rename(tmp_path / "aside")
        reader = threading.Thread(
            target=lambda: read.append(read_documents(content_copy, TOPICS, fallback=copy))
        )
        reader.start()
        reader.join(timeout=0.5)
        assert reader.is_alive() and not read  # waiting for the lock
        (tmp_path / "aside").rename(copy)
    reader.join(timeout=30)
    assert read == [good]
