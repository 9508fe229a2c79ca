"""The content loader, the staff check and hot reload."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import yaml

from poradnyk.content import (
    REQUIRED_MESSAGES,
    ContentError,
    ContentStore,
    known_topics,
    load_content,
)
from poradnyk.content_cli import main as content_cli
from poradnyk.languages import LANGUAGES

REPO = Path(__file__).resolve().parents[2]
TOPICS = known_topics(REPO)


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A private copy of the real content to break."""
    target = tmp_path / "content"
    shutil.copytree(REPO / "content", target)
    return target


def _edit(path: Path, change: dict[str, object]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(change)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _issues(content_dir: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_content(content_dir, TOPICS)
    return [str(i) for i in info.value.issues]


def test_real_content_loads_with_every_topic_in_every_language() -> None:
    content = load_content(REPO / "content", TOPICS)
    assert set(content.topics) == set(TOPICS)
    for topic in content.topics.values():
        for lang in LANGUAGES:
            assert topic.answer.get(lang) and topic.title.get(lang)
        assert topic.sources and all(s.startswith("http") for s in topic.sources)
        assert topic.reviewed <= date.today()
    assert set(REQUIRED_MESSAGES) <= set(content.messages)


def test_topics_match_the_shared_taxonomy() -> None:
    taxonomy = REPO.parent / "shared" / "taxonomy.yml"
    if not taxonomy.exists():
        pytest.skip("../shared is not next to this checkout")
    data = yaml.safe_load(taxonomy.read_text(encoding="utf-8"))
    assert set(TOPICS) == set(data["topics"])
    content = load_content(REPO / "content", TOPICS)
    assert set(content.regions) == set(data["regions"])


def test_missing_language_is_reported_with_file_and_line(content_dir: Path) -> None:
    path = content_dir / "topics" / "housing.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["answer"]["en"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    issues = _issues(content_dir)
    assert any("housing.yml, line" in i and "'en' text is missing" in i for i in issues)


def test_missing_source_and_bad_date_are_errors(content_dir: Path) -> None:
    _edit(content_dir / "topics" / "banking.yml", {"sources": [], "reviewed": "last week"})
    issues = " ".join(_issues(content_dir))
    assert "at least one official link" in issues
    assert "written like 2026-02-28" in issues


def test_malformed_link_phone_and_region_are_errors(content_dir: Path) -> None:
    path = content_dir / "organisations.yml"
    orgs = yaml.safe_load(path.read_text(encoding="utf-8"))
    orgs[0]["web"] = "www.example"
    orgs[0]["phone"] = "call us"
    orgs[0]["regions"] = ["brno"]
    path.write_text(yaml.safe_dump(orgs, allow_unicode=True, sort_keys=False), encoding="utf-8")
    issues = " ".join(_issues(content_dir))
    assert "not a full web link" in issues
    assert "must be digits and spaces" in issues
    assert "unknown region 'brno'" in issues


def test_too_long_answer_and_missing_topic_file_are_errors(content_dir: Path) -> None:
    path = content_dir / "topics" / "travel.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["answer"]["uk"] = "слово " * 400
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (content_dir / "topics" / "banking.yml").unlink()
    issues = " ".join(_issues(content_dir))
    assert "the limit is 1500" in issues
    assert "'banking' has no answer file" in issues


def test_broken_yaml_and_placeholder_mismatch_are_errors(content_dir: Path) -> None:
    (content_dir / "topics" / "work.yml").write_text("topic: work\nanswer: [unclosed\n")
    messages = content_dir / "messages.yml"
    text = messages.read_text(encoding="utf-8").replace("{region}", "{regon}", 1)
    messages.write_text(text, encoding="utf-8")
    issues = " ".join(_issues(content_dir))
    assert "work.yml, line" in issues and "not valid YAML" in issues
    assert "placeholders" in issues and "differ" in issues


def test_old_review_date_is_a_warning_not_an_error(content_dir: Path) -> None:
    content = load_content(content_dir, TOPICS, max_age_days=30, today=date(2030, 1, 1))
    assert content.warnings
    assert all(w.severity == "warning" for w in content.warnings)
    assert any("days ago" in str(w) for w in content.warnings)


def test_check_command_passes_on_real_content(capsys: pytest.CaptureFixture[str]) -> None:
    assert content_cli(["check"]) == 0
    assert "Content OK" in capsys.readouterr().out


def test_check_command_fails_with_plain_message(
    content_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(content_dir / "topics" / "education.yml", {"sources": ["not a link"]})
    assert content_cli(["--dir", str(content_dir), "check"]) == 1
    out = capsys.readouterr().out
    assert "education.yml" in out and "not a full web link" in out


def test_show_command_prints_the_answer_with_contacts(capsys: pytest.CaptureFixture[str]) -> None:
    assert content_cli(["show", "ngo_contacts", "--lang", "uk", "--region", "Brno"]) == 0
    out = capsys.readouterr().out
    content = load_content(REPO / "content", TOPICS)
    assert content.regions["jihomoravsky"].uk in out
    assert "[" in out  # buttons


def _touch_later(path: Path) -> None:
    stamp = time.time() + 5
    os.utime(path, (stamp, stamp))


def test_hot_reload_uses_changed_file_and_keeps_last_good(
    content_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = ContentStore(content_dir, TOPICS, check_interval=0)
    path = content_dir / "topics" / "housing.yml"
    good = path.read_text(encoding="utf-8")
    data = yaml.safe_load(good)
    data["answer"]["en"] = "Updated answer about housing."
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _touch_later(path)
    assert store.get().topics["housing"].answer.en == "Updated answer about housing."
    assert not store.refused
    served, served_at = path.read_text(encoding="utf-8"), path.stat().st_mtime_ns

    path.write_text("topic: housing\nanswer: {en: half-edited", encoding="utf-8")
    _touch_later(path)
    with caplog.at_level(logging.ERROR):
        content = store.get()
    assert content.topics["housing"].answer.en == "Updated answer about housing."
    assert "still serving the last good version" in caplog.text
    assert "housing.yml" in caplog.text
    # What is wrong on disk stays known while the last good version is served (the
    # console shows it), and is forgotten once the file is good again.
    assert [i.path.name for i in store.refused] == ["housing.yml"]
    # Put back as it was served (an editor's backup moved back, its date and size kept).
    path.write_text(served, encoding="utf-8")
    os.utime(path, ns=(served_at, served_at))
    time.sleep(0.01)
    assert store.get().topics["housing"].answer.en == "Updated answer about housing."
    assert not store.refused
    path.write_text("topic: housing\nanswer: {en: half-edited", encoding="utf-8")
    _touch_later(path)
    assert store.get() and store.refused
    path.write_text(good, encoding="utf-8")
    _touch_later(path)
    assert store.get().topics["housing"].answer.en != "Updated answer about housing."
    assert not store.refused


def test_a_restart_during_a_half_edit_serves_the_last_good_version(
    content_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    last_good = tmp_path / "last-good" / "adapter"
    before = ContentStore(content_dir, TOPICS, check_interval=0, last_good=last_good)
    good = before.get().topics["housing"].answer.en
    path = content_dir / "topics" / "housing.yml"
    path.write_text("topic: housing\nanswer: {en: half-edited", encoding="utf-8")
    with caplog.at_level(logging.ERROR):
        after = ContentStore(content_dir, TOPICS, check_interval=0, last_good=last_good)
    assert after.get().topics["housing"].answer.en == good
    assert "serving the last good version" in caplog.text and "housing.yml" in caplog.text
    assert {i.path.name for i in after.refused} == {"housing.yml"}
    with pytest.raises(ContentError):  # with no good version ever seen, it says so
        ContentStore(content_dir, TOPICS, last_good=tmp_path / "never")


def test_show_previews_a_follow_up(capsys: pytest.CaptureFixture[str]) -> None:
    content = load_content(REPO / "content", TOPICS)
    topic = content.topics["health_insurance"]
    sub = topic.more[0]
    assert content_cli(["show", f"health_insurance.{sub.id}", "--lang", "en"]) == 0
    shown = capsys.readouterr().out
    assert sub.text.en.splitlines()[0].replace("**", "") in shown
    assert topic.answer.en.splitlines()[0].replace("**", "") not in shown
    assert content_cli(["show", "health_insurance.no_such", "--lang", "en"]) == 2


def test_processes_keeping_one_last_good_folder_leave_one_whole_copy(
    content_dir: Path, tmp_path: Path
) -> None:
    """The console's workers keep the same folder: four processes swapping their copies in
    at the same time all succeed and leave one complete copy, nothing half-made beside it.
    (With one fixed scratch name most of their swaps failed; with a scratch folder each but
    no lock, a swap now and then still did, on a busy machine.)"""
    last_good = tmp_path / "last-good" / "console"
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from poradnyk.content import ContentStore\n"
        "store = ContentStore(Path(sys.argv[1]), sys.argv[3:], last_good=Path(sys.argv[2]))\n"
        "for _ in range(20):\n"
        "    store._keep_last_good()\n"
    )
    args = [sys.executable, "-c", script, str(content_dir), str(last_good), *TOPICS]
    workers = [
        subprocess.Popen(args, cwd=REPO, stderr=subprocess.PIPE, text=True) for _ in range(4)
    ]
    errors = [worker.communicate(timeout=120)[1] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0, 0, 0], errors
    assert not any("Could not keep" in e for e in errors), errors
    assert sorted(p.name for p in last_good.parent.iterdir()) == [".console.lock", "console"]
    kept = sorted(p.relative_to(last_good) for p in last_good.rglob("*.yml"))
    assert kept == sorted(p.relative_to(content_dir) for p in content_dir.rglob("*.yml"))
    assert load_content(last_good, TOPICS).topics.keys() == set(TOPICS)


def test_a_swap_killed_between_its_two_renames_loses_no_copy(
    content_dir: Path, tmp_path: Path
) -> None:
    """kill -9 right after the last good folder was moved aside (before the new one took
    its place): the next process finds the moved copy and serves it during a half edit."""
    last_good = tmp_path / "last-good" / "adapter"
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from poradnyk.content import ContentStore\n"
        "store = ContentStore(Path(sys.argv[1]), sys.argv[3:], last_good=Path(sys.argv[2]))\n"
        "rename = Path.rename\n"
        "def killed_after_moving_aside(self, target):\n"
        "    rename(self, target)\n"
        "    if Path(target).name == 'old':\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "Path.rename = killed_after_moving_aside\n"
        "store._keep_last_good()\n"
    )
    args = [sys.executable, "-c", script, str(content_dir), str(last_good), *TOPICS]
    done = subprocess.run(args, check=False, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr
    assert not last_good.exists()  # the moment the kill left behind
    good = load_content(content_dir, TOPICS).topics["housing"].answer.en
    path = content_dir / "topics" / "housing.yml"
    path.write_text("topic: housing\nanswer: {en: half-edited", encoding="utf-8")
    after = ContentStore(content_dir, TOPICS, check_interval=0, last_good=last_good)
    assert after.get().topics["housing"].answer.en == good
    assert {i.path.name for i in after.refused} == {"housing.yml"}
    assert load_content(last_good, TOPICS).topics.keys() == set(TOPICS)
