"""content/handoff.yml, office hours and the handoff's texts and buttons."""

from __future__ import annotations

import shutil
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from poradnyk.content import ContentError, ContentStore, known_topics, load_content
from poradnyk.content.model import Content, Handoff
from poradnyk.handoff import Facts, consent_reply, fields, format_when, summary_text, topic_title
from poradnyk.hours import is_open, next_opening
from poradnyk.payload import build_handoff, handoff_of

REPO = Path(__file__).resolve().parents[2]
TOPICS = known_topics(REPO)
PRAGUE = ZoneInfo("Europe/Prague")
SET_UP = {
    "staff_chat_id": -1001234567890,
    "time_zone": "Europe/Prague",
    "staff_language": "en",
    "office_hours": {"mon": "09:00-12:00, 13:00-17:00", "tue": "09:00-17:00", "sat": "closed"},
    "holidays": ["2026-12-28"],
    "reannounce_after_hours": 2,
    "hotlines": ["emergency_112", "moi_hotline"],
}


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(REPO / "content", target)
    return target


def _write(folder: Path, data: dict[str, object]) -> None:
    text = yaml.safe_dump(data, sort_keys=False).replace("'2026-12-28'", "2026-12-28")
    (folder / "handoff.yml").write_text(text, encoding="utf-8")


def _loaded(folder: Path, data: dict[str, object]) -> Content:
    _write(folder, data)
    return load_content(folder, TOPICS)


def test_the_shipped_file_leaves_handoff_off_until_a_group_is_set() -> None:
    assert load_content(REPO / "content", TOPICS).handoff is None


def test_a_set_up_group_is_loaded(content_dir: Path) -> None:
    handoff = _loaded(content_dir, SET_UP).handoff
    assert handoff is not None
    assert handoff.staff_chat_id == -1001234567890
    assert len(handoff.hours[0]) == 2 and handoff.hours[5] == () and handoff.hours[6] == ()
    assert handoff.reannounce_after_hours == 2.0
    assert handoff.hotlines == ("emergency_112", "moi_hotline")


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"staff_chat_id": 12345}, "negative number"),
        ({"time_zone": "Europe/Atlantis"}, "is unknown"),
        ({"office_hours": {"mon": "9-5"}}, "not a span"),
        ({"office_hours": {"mon": "17:00-09:00"}}, "ends before it starts"),
        ({"office_hours": {"monday": "09:00-17:00"}}, "is not a day"),
        ({"office_hours": {"mon": "closed"}}, "never in"),
        ({"hotlines": ["no_such_org"]}, "not an organisation"),
        ({"reannounce_after_hours": 0}, "above 0"),
        ({"staff_language": "de"}, "cs, uk or en"),
    ],
)
def test_mistakes_are_refused_in_plain_words(
    content_dir: Path, change: dict[str, object], says: str
) -> None:
    with pytest.raises(ContentError) as refused:
        _loaded(content_dir, {**SET_UP, **change})
    assert says in str(refused.value)
    assert "handoff.yml" in str(refused.value)


def test_hot_reload_switches_the_group_on(content_dir: Path) -> None:
    store = ContentStore(content_dir, TOPICS, check_interval=0)
    assert store.get().handoff is None
    time.sleep(0.01)
    _write(content_dir, SET_UP)
    handoff = store.get().handoff
    assert handoff is not None and handoff.staff_chat_id == -1001234567890


@pytest.fixture
def handoff(content_dir: Path) -> Handoff:
    found = _loaded(content_dir, SET_UP).handoff
    assert found is not None
    return found


def test_office_hours_in_the_ngos_time_zone(handoff: Handoff) -> None:
    # Monday 30 Nov 2026: 09:00-12:00 and 13:00-17:00 in Prague (UTC+1 in winter).
    assert is_open(handoff, datetime(2026, 11, 30, 8, 30, tzinfo=ZoneInfo("UTC")))
    assert not is_open(handoff, datetime(2026, 11, 30, 11, 30, tzinfo=ZoneInfo("UTC")))
    assert not is_open(handoff, datetime(2026, 11, 30, 7, 59, tzinfo=ZoneInfo("UTC")))
    lunch = datetime(2026, 11, 30, 12, 30, tzinfo=PRAGUE)
    assert next_opening(handoff, lunch) == datetime(2026, 11, 30, 13, 0, tzinfo=PRAGUE)
    friday = datetime(2026, 12, 4, 10, 0, tzinfo=PRAGUE)  # no hours on Wed-Sun
    assert next_opening(handoff, friday) == datetime(2026, 12, 7, 9, 0, tzinfo=PRAGUE)


def test_holidays_are_skipped_and_summer_time_is_kept(handoff: Handoff) -> None:
    christmas_week = datetime(2026, 12, 28, 10, 0, tzinfo=PRAGUE)  # a Monday off
    assert not is_open(handoff, christmas_week)
    assert next_opening(handoff, christmas_week) == datetime(2026, 12, 29, 9, 0, tzinfo=PRAGUE)
    summer = datetime(2026, 7, 6, 7, 30, tzinfo=ZoneInfo("UTC"))  # 09:30 in Prague (UTC+2)
    assert is_open(handoff, summer)


def test_never_open_soon_gives_none(content_dir: Path) -> None:
    days = {"holidays": [], "office_hours": {"mon": "09:00-10:00"}}
    found = _loaded(content_dir, {**SET_UP, **days}).handoff
    assert found is not None
    monday = datetime(2026, 11, 30, 9, 30, tzinfo=PRAGUE)
    assert next_opening(found, monday) == datetime(2026, 12, 7, 9, 0, tzinfo=PRAGUE)


def test_consent_shows_exactly_what_staff_see(content_dir: Path, handoff: Handoff) -> None:
    content = load_content(content_dir, TOPICS)
    facts = Facts("Can my landlord evict me?", "uk", "praha", "housing", name="Olena K")
    reply = consent_reply(content, handoff, facts, "en", None, open_now=True)
    shown = fields(content, facts, "en", with_name=False)
    assert shown in reply.text
    assert "Olena" not in reply.text
    assert [b.payload for b in reply.buttons] == ["hand:send", "hand:name", "hand:cancel"]
    later = consent_reply(
        content, handoff, facts, "cs", datetime(2026, 12, 7, 9, 0, tzinfo=PRAGUE), False
    )
    assert "v pondělí 07.12. v 09:00" in later.text
    assert "+420 974 801 802" in later.text
    summary = summary_text(content, handoff, 7, facts, waiting=True)
    assert "Olena K" in summary and "#7" in summary
    assert content.topics["housing"].title.en in summary
    anonymous = Facts(facts.question, facts.language, facts.region, facts.topic)
    assert "Olena" not in summary_text(content, handoff, 7, anonymous, waiting=False)
    assert topic_title(content, handoff, 7, "uk", "praha") == "#7 · uk · Prague"


def test_when_is_written_in_each_language(content_dir: Path, handoff: Handoff) -> None:
    content = load_content(content_dir, TOPICS)
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=PRAGUE)
    assert (
        format_when(content, handoff, "en", monday) == "on Monday 07.12. at 09:00 (Europe/Prague)"
    )
    assert format_when(content, handoff, "uk", monday).startswith("у понеділок 07.12. о 09:00")
    assert format_when(content, handoff, "en", None) == content.text("handoff_when_unknown", "en")


@pytest.mark.parametrize(
    ("data", "action"),
    [
        ("hand:send", "send"),
        ("hand:name", "name"),
        ("hand:cancel", "cancel"),
        ("hand:end", "end"),
        ("hand:", None),
        ("hand:send:1", None),
        ("hand:SEND", None),
        ("/human_handoff", None),
    ],
)
def test_handoff_buttons_are_parsed_strictly(data: str, action: str | None) -> None:
    assert handoff_of(data) == action
    if action is not None:
        assert build_handoff(action) == data


def test_no_button_for_an_unknown_action() -> None:
    with pytest.raises(ValueError):
        build_handoff("steal")
