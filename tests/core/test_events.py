"""Dated events in content: validated by the loader; the button and the codec around them."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from poradnyk.compose import notice_reply, reminder_text, subscription_reply, topic_reply
from poradnyk.content import ContentError, known_topics, load_content
from poradnyk.payload import Subscription, build_subscription, subscription_of

REPO = Path(__file__).resolve().parents[2]
TOPICS = known_topics(REPO)
EVENT = """events:
  - id: {id}
    date: {date}
    remind: {remind}
    text:
      cs: |-
        Česky.
      uk: |-
        Українською.
{en}"""


def _with_event(tmp_path: Path, **values: str) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(REPO / "content", copy)
    path = copy / "topics" / "humanitarian_benefit.yml"
    fields = {"id": "deadline", "date": "2027-01-31", "remind": "[14, 3]"}
    fields["en"] = "      en: |-\n        In English.\n"
    fields.update(values)
    path.write_text(path.read_text(encoding="utf-8") + EVENT.format(**fields), encoding="utf-8")
    return copy


def test_real_events_load_and_are_in_the_future() -> None:
    content = load_content(REPO / "content", TOPICS, today=date(2026, 12, 1), strict_dates=True)
    events = {t.name: [e.id for e in t.events] for t in content.topics.values() if t.events}
    assert events == {
        "special_residence": ["zdp_closes"],
        "protection_extension": ["protection_ends"],
    }
    zdp = content.topics["special_residence"].events[0]
    assert zdp.date == date(2026, 12, 31)
    assert zdp.reminder_days() == [(14, date(2026, 12, 17)), (3, date(2026, 12, 28))]
    assert "humanitarian_benefit" in content.subscription_topics


def test_an_event_in_the_past_is_an_error_in_the_staff_check(tmp_path: Path) -> None:
    folder = _with_event(tmp_path, date="2026-11-30")
    with pytest.raises(ContentError, match="in the past"):
        load_content(folder, TOPICS, today=date(2026, 12, 1), strict_dates=True)
    served = load_content(folder, TOPICS, today=date(2026, 12, 1))
    assert any("in the past" in w.message for w in served.warnings)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"en": ""}, "en"),
        ({"remind": "[14, 14]"}, "remind"),
        ({"remind": "soon"}, "remind"),
        ({"date": "tomorrow"}, "date"),
        ({"id": "Bad-Id"}, "id"),
    ],
)
def test_a_broken_event_is_refused(tmp_path: Path, values: dict[str, str], message: str) -> None:
    with pytest.raises(ContentError, match=message):
        load_content(_with_event(tmp_path, **values), TOPICS, today=date(2026, 12, 1))


def test_dated_topics_offer_the_subscription_and_notices_can_be_left() -> None:
    content = load_content(REPO / "content", TOPICS, today=date(2026, 12, 1))
    dated = topic_reply(content, "special_residence", "uk", None, today=date(2026, 12, 1))
    assert build_subscription("on", "special_residence") in [b.payload for b in dated.buttons]
    plain = topic_reply(content, "housing", "uk", None, today=date(2026, 12, 1))
    assert not any(b.payload.startswith("sub:") for b in plain.buttons)
    notice = notice_reply(content, "en", "special_residence", "Text")
    assert [b.payload for b in notice.buttons] == ["sub:off:special_residence", "sub:menu"]
    assert all(len(b.payload.encode()) <= 64 for b in notice.buttons)
    text = reminder_text(content, "protection_extension", "protection_ends", "cs")
    assert "31.03.2027" in text
    menu = subscription_reply(content, "cs", ["special_residence"])
    assert menu.text.startswith(content.text("subscribe_menu", "cs"))
    assert menu.buttons[1].title.startswith("✅")


def test_the_codec_accepts_only_what_the_bot_sends() -> None:
    content = load_content(REPO / "content", TOPICS, today=date(2026, 12, 1))
    assert subscription_of("sub:toggle:humanitarian_benefit", content) == Subscription(
        "toggle", "humanitarian_benefit"
    )
    assert subscription_of("sub:menu", content) == Subscription("menu")
    for forged in ("sub:on:housing", "sub:on", "sub:menu:x", "sub:drop:special_residence", "x"):
        assert subscription_of(forged, content) is None
    with pytest.raises(ValueError):
        build_subscription("menu", "housing")
