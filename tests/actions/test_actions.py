"""Actions run on trackers built from dicts, with the real domain and content."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import content_store
from actions.contacts import ActionContacts
from actions.conversation import ActionGreet, ActionOutOfScope
from actions.fallback import ActionFallback, ActionHandoff
from actions.feedback import ActionFeedback
from actions.guidance import ActionAnswer
from poradnyk.compose import answer_version

REPO = Path(__file__).resolve().parents[2]
DOMAIN: dict[str, Any] = yaml.safe_load((REPO / "domain.yml").read_text(encoding="utf-8"))


def tracker(
    intent: str,
    *,
    language: str | None = "uk",
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    ranking: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A tracker whose latest message has ``intent`` and the adapter's metadata."""
    metadata = {"language": language} if language else {}
    return Tracker.from_dict(
        {
            "sender_id": "test",
            "slots": {"region": None, "language": None, "feedback_topic": None, **(slots or {})},
            "latest_message": {
                "text": "...",
                "intent": {"name": intent, "confidence": 0.99},
                "intent_ranking": ranking or [],
                "entities": entities or [],
                "metadata": metadata,
            },
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


async def run(action: Any, t: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, DOMAIN)
    return dispatcher.messages, events


def slot(name: str, value: object) -> dict[str, Any]:
    """The event of setting a slot, as the action server sends it."""
    return {"event": "slot", "name": name, "value": value, "timestamp": None}


def region(code: str) -> dict[str, Any]:
    return {"entity": "region", "value": code, "start": 0, "end": 4}


@pytest.mark.parametrize("lang", ["cs", "uk", "en"])
async def test_answer_is_in_the_reply_language_with_source_date_and_buttons(lang: str) -> None:
    content = content_store().get()
    messages, events = await run(ActionAnswer(), tracker("health_insurance", language=lang))
    text = messages[0]["text"]
    topic = content.topics["health_insurance"]
    assert topic.answer.get(lang) in text
    assert topic.sources[0] in text
    assert topic.reviewed.strftime("%d.%m.%Y") in text
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    version = answer_version(content, "health_insurance")
    assert f"fb:y:health_insurance:::{version}" in payloads and "/bot_capabilities" in payloads
    assert '/ngo_contacts{"sub":"region"}' in payloads  # region unknown: offer the choice
    assert events == [slot("language", lang), slot("feedback_topic", "health_insurance")]


async def test_answer_with_region_lists_local_organisations_first() -> None:
    content = content_store().get()
    messages, events = await run(
        ActionAnswer(), tracker("czech_courses", entities=[region("praha")])
    )
    text = messages[0]["text"]
    local = [
        o for o in content.organisations if "praha" in o.regions and "czech_courses" in o.helps_with
    ]
    assert local and local[0].name.uk in text
    assert events == [
        slot("language", "uk"),
        slot("feedback_topic", "czech_courses"),
        slot("region", "praha"),
    ]
    assert '/ngo_contacts{"sub":"region"}' not in [b["payload"] for b in messages[0]["buttons"]]


async def test_remembered_region_is_used_without_entity() -> None:
    content = content_store().get()
    messages, _ = await run(
        ActionContacts(), tracker("ngo_contacts", slots={"region": "liberecky"})
    )
    assert content.regions["liberecky"].uk in messages[-1]["text"]


async def test_follow_up_answer_by_sub_entity() -> None:
    content = content_store().get()
    topic = content.topics["health_insurance"]
    sub = topic.more[0]
    entities = [{"entity": "sub", "value": sub.id}]
    messages, _ = await run(
        ActionAnswer(), tracker("health_insurance", language="en", entities=entities)
    )
    assert sub.text.en in messages[0]["text"]


async def test_region_choice_buttons() -> None:
    messages, _ = await run(
        ActionContacts(), tracker("ngo_contacts", entities=[{"entity": "sub", "value": "region"}])
    )
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert len(payloads) == 14
    assert '/ngo_contacts{"region":"moravskoslezsky"}' in payloads


async def test_fallback_offers_likely_topics_menu_and_a_person() -> None:
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "housing", "confidence": 0.3},
        {"name": "greet", "confidence": 0.1},
        {"name": "work", "confidence": 0.05},
    ]
    messages, _ = await run(
        ActionFallback(), tracker("nlu_fallback", language="en", ranking=ranking)
    )
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads[:2] == ["/housing", "/work"]
    assert "/human_handoff" in payloads and "/bot_capabilities" in payloads
    # Then, in one tap, may the team keep the question (with the likely topics)?
    content = content_store().get()
    assert messages[1]["text"] == content.text("inbox_consent", "en")
    assert [b["payload"] for b in messages[1]["buttons"]] == [
        "keep:y:fallback:housing,work",
        "keep:n:fallback:housing,work",
    ]


async def test_out_of_scope_offers_to_keep_the_question() -> None:
    content = content_store().get()
    messages, _ = await run(ActionOutOfScope(), tracker("out_of_scope", language="cs"))
    assert messages[1]["text"] == content.text("inbox_consent", "cs")
    assert [b["title"] for b in messages[1]["buttons"]] == [
        content.text("btn_keep_yes", "cs"),
        content.text("btn_keep_no", "cs"),
    ]
    assert messages[1]["buttons"][0]["payload"] == "keep:y:out_of_scope:"


async def test_handoff_gives_organisations_with_contacts() -> None:
    messages, _ = await run(ActionHandoff(), tracker("human_handoff", language="cs"))
    assert "☎️" in messages[0]["text"] or "🌐" in messages[0]["text"]


async def test_handoff_tells_the_adapter_the_region_and_last_topic() -> None:
    slots = {"region": "praha", "feedback_topic": "housing"}
    messages, _ = await run(ActionHandoff(), tracker("human_handoff", language="en", slots=slots))
    assert messages[-1]["custom"] == {"handoff": {"region": "praha", "topic": "housing"}}
    slots = {"region": "atlantis", "feedback_topic": "nonsense"}
    messages, _ = await run(ActionHandoff(), tracker("human_handoff", language="en", slots=slots))
    assert messages[-1]["custom"] == {"handoff": {"region": "", "topic": ""}}


async def test_emergency_gives_the_hotlines_first_and_a_person_after() -> None:
    messages, _ = await run(ActionAnswer(), tracker("emergency", language="en"))
    content = content_store().get()
    assert messages[0]["text"].startswith(f"**{content.topics['emergency'].title.en}**")
    assert "112" in messages[0]["text"]
    last = messages[0]["buttons"][-1]
    assert (last["title"], last["payload"]) == (content.text("btn_handoff", "en"), "/human_handoff")


async def test_feedback_no_leads_to_a_person_and_clears_the_topic() -> None:
    messages, events = await run(
        ActionFeedback(), tracker("deny", language="en", slots={"feedback_topic": "housing"})
    )
    content = content_store().get()
    assert content.text("feedback_sorry", "en") in messages[0]["text"]
    assert events == [slot("language", "en"), slot("feedback_topic", None)]


async def test_missing_metadata_falls_back_to_slot_then_ukrainian() -> None:
    content = content_store().get()
    messages, _ = await run(
        ActionGreet(), tracker("greet", language=None, slots={"language": "cs"})
    )
    assert messages[0]["text"] == content.text("greeting", "cs")
    messages, _ = await run(ActionOutOfScope(), tracker("out_of_scope", language=None))
    assert messages[0]["text"] == content.text("out_of_scope", "uk")


@pytest.mark.parametrize(
    "poison",
    [{"a": [1, 2, 3]}, ["praha"], 42, "atlantis"],
)
async def test_a_slot_the_bot_never_sets_is_reset_and_the_answer_still_comes(
    poison: object,
) -> None:
    content = content_store().get()
    slots = {"region": poison, "feedback_topic": {"x": 1}, "language": ["uk"]}
    messages, events = await run(ActionAnswer(), tracker("housing", slots=slots))
    assert content.topics["housing"].answer.uk in messages[0]["text"]
    assert events == [
        slot("region", None),
        slot("language", None),
        slot("feedback_topic", None),
        slot("language", "uk"),
        slot("feedback_topic", "housing"),
    ]


async def test_a_second_question_in_the_message_gets_its_own_button() -> None:
    content = content_store().get()
    ranking = [
        {"name": "travel", "confidence": 0.55},
        {"name": "humanitarian_benefit", "confidence": 0.35},
        {"name": "work", "confidence": 0.05},
    ]
    messages, _ = await run(ActionAnswer(), tracker("travel", language="en", ranking=ranking))
    first = messages[0]["buttons"][0]
    assert first == {
        "title": content.topics["humanitarian_benefit"].title.en,
        "payload": "/humanitarian_benefit",
    }
    clear = [{"name": "travel", "confidence": 0.9}, {"name": "work", "confidence": 0.1}]
    messages, _ = await run(ActionAnswer(), tracker("travel", language="en", ranking=clear))
    assert "/work" not in [b["payload"] for b in messages[0]["buttons"]]
