"""Content honest as it ages: expired statements are never shown, old answers carry a caution."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from poradnyk.compose import topic_reply
from poradnyk.content import ContentError, known_topics, load_content

REPO = Path(__file__).resolve().parents[2]
TOPICS = known_topics(REPO)


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(REPO / "content", target)
    path = target / "topics" / "work.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["reviewed"] = date(2026, 11, 1)
    data["more"][0]["valid_until"] = date(2026, 12, 31)
    data["more"][0]["reviewed"] = date(2026, 11, 1)
    data["more"][1]["reviewed"] = date(2026, 1, 2)  # old: a caution
    data["more"][1].pop("valid_until", None)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def _work(content_dir: Path) -> tuple[str, str]:
    data = yaml.safe_load((content_dir / "topics" / "work.yml").read_text(encoding="utf-8"))
    return data["more"][0]["id"], data["more"][1]["id"]


def test_a_dated_statement_is_shown_until_its_day_then_never(content_dir: Path) -> None:
    dated, _ = _work(content_dir)
    content = load_content(content_dir, TOPICS, today=date(2026, 12, 31))
    sub = content.topics["work"].sub(dated)
    assert sub is not None and sub.valid_until == date(2026, 12, 31)
    on_the_day = topic_reply(content, "work", "uk", None, dated, today=date(2026, 12, 31))
    assert sub.text.uk in on_the_day.text
    after = topic_reply(content, "work", "uk", None, dated, today=date(2027, 1, 1))
    assert sub.text.uk not in after.text
    changed = content.text("expired_statement", "uk", contact="X").split("X")[0]
    assert changed in after.text
    assert "+420" in after.text  # whom to ask, with the phone


def test_the_staff_check_fails_on_a_passed_day_and_the_bot_keeps_serving(
    content_dir: Path,
) -> None:
    with pytest.raises(ContentError, match="was true until 2026-12-31"):
        load_content(content_dir, TOPICS, today=date(2027, 1, 1), strict_dates=True)
    served = load_content(content_dir, TOPICS, today=date(2027, 1, 1))
    assert any("was true until 2026-12-31" in w.message for w in served.warnings)


def test_an_old_answer_carries_a_caution_in_the_users_language(content_dir: Path) -> None:
    _, old = _work(content_dir)
    content = load_content(content_dir, TOPICS, review_age_days=180)
    today = date(2026, 12, 1)
    fresh = topic_reply(content, "work", "cs", None, today=today)
    stale = topic_reply(content, "work", "cs", None, old, today=today)
    caution = content.text("stale_caution", "cs", date="02.01.2026", contact="X").split("X")[0]
    assert caution not in fresh.text
    assert caution in stale.text
    english = topic_reply(content, "work", "en", None, old, today=today)
    assert content.text("stale_caution", "en", date="02.01.2026", contact="X")[:30] in english.text


def test_a_malformed_valid_until_is_a_plain_error(content_dir: Path) -> None:
    path = content_dir / "topics" / "work.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["more"][0]["valid_until"] = "end of year"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ContentError, match="written like 2026-12-31"):
        load_content(content_dir, TOPICS)


def test_the_caution_points_to_who_knows_the_rules_not_to_an_emergency_line() -> None:
    content = load_content(REPO / "content", TOPICS, review_age_days=0)
    emergency_lines = [o for o in content.organisations if "emergency" in o.helps_with]
    for name in content.topics:
        if name == "emergency":
            continue
        text = topic_reply(content, name, "en", None, today=date(2027, 6, 1)).text
        caution = next(line for line in text.splitlines() if line.startswith("⚠️ We last"))
        helpers = [o for o in content.organisations if o.national and name in o.helps_with]
        if any("emergency" not in o.helps_with for o in helpers):
            assert not any(o.name.en in caution for o in emergency_lines), (name, caution)
