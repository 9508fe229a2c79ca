"""Handoff to NGO staff, end to end: the real adapter, real Rasa, the stand-in's forum group."""

from __future__ import annotations

import asyncio
import itertools
import signal
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from harness.adapter import Adapter
from harness.bot_api import STAFF_CHAT, BotApiStandIn, Updates
from harness.fixtures import ALWAYS, WEEKDAYS, handoff_content
from harness.stack import REPO_ROOT, Stack
from poradnyk.content import Content, known_topics, load_content
from poradnyk.handoff import format_when
from poradnyk.payload import build_handoff
from tests.e2e.conftest import (
    Running,
    StartBot,
    buttons,
    clear_queues,
    latest_case,
)

_ids = itertools.count(987_660_001)
STAFF = 4_400_001
QUESTION = "My landlord wants to throw me out of the flat tomorrow, what can I do?"


def new_user() -> int:
    """A user id no other test uses (the stores are shared by the session)."""
    return next(_ids)


async def _quiet(seconds: float = 0.6) -> None:
    """Time for anything that would (wrongly) still come."""
    await asyncio.sleep(seconds)


async def ask_for_a_person(bot: Running, user: int) -> dict[str, object]:
    """The person asks a question, then /human: the consent screen."""
    bot.api.push(Updates.text(user, QUESTION, language_code="en"))
    await bot.api.wait_sent(user, 1)
    bot.api.push(Updates.text(user, "/human", language_code="en"))
    return (await bot.api.wait_sent(user, 2))[1]


async def open_case(bot: Running, user: int, action: str = "send") -> int:
    """Ask, consent; returns the case's forum topic (its summary arrived there)."""
    await ask_for_a_person(bot, user)
    bot.api.push(Updates.button(user, build_handoff(action), language_code="en"))
    await bot.api.wait_sent(user, 3)
    (thread,) = await bot.api.wait_topic_created(1)
    await bot.api.wait_topic(thread, 1)
    return thread


async def test_consent_shows_what_staff_see_then_a_topic_with_the_summary(
    start_bot: StartBot, content: Content, staff_content: Path
) -> None:
    bot = await start_bot(PORADNYK_CONTENT_DIR=str(staff_content))
    user = new_user()
    consent = await ask_for_a_person(bot, user)
    text = str(consent["text"])
    assert QUESTION in text
    assert content.languages["en"] in text
    assert "Test" not in text  # the person's first name: only if they choose to share it
    assert [data for _, data in buttons(consent)] == ["hand:send", "hand:name", "hand:cancel"]
    assert not bot.api.topics  # nothing reaches staff before the person confirms

    bot.api.push(Updates.button(user, "hand:send", language_code="en"))
    opened = (await bot.api.wait_sent(user, 3))[2]
    assert opened["text"] == content.text("handoff_opened", "en", case=await latest_case())
    (thread,) = await bot.api.wait_topic_created(1)
    title = bot.api.topics[thread]["name"]
    assert title.startswith(f"#{await latest_case()}") and "en" in title
    (summary,) = await bot.api.wait_topic(thread, 1)
    assert QUESTION in summary["text"]
    assert content.topics["housing"].title.en in summary["text"]  # the bot's last topic
    assert "Test" not in summary["text"]


async def test_without_consent_nothing_reaches_staff(
    start_bot: StartBot, content: Content, staff_content: Path
) -> None:
    bot = await start_bot(PORADNYK_CONTENT_DIR=str(staff_content))
    user = new_user()
    await ask_for_a_person(bot, user)
    bot.api.push(Updates.button(user, "hand:cancel", language_code="en"))
    cancelled = (await bot.api.wait_sent(user, 3))[2]
    assert cancelled["text"] == content.text("handoff_cancelled", "en")
    # The bot answers again, and no topic was ever made.
    bot.api.push(Updates.text(user, "How do I open a bank account?", language_code="en"))
    answer = (await bot.api.wait_sent(user, 4))[3]
    assert content.topics["banking"].title.en in answer["text"]
    assert not bot.api.topics
    assert not bot.api.calls_of("copyMessage")


async def test_shared_name_reaches_staff(
    start_bot: StartBot, content: Content, staff_content: Path
) -> None:
    bot = await start_bot(PORADNYK_CONTENT_DIR=str(staff_content))
    thread = await open_case(bot, new_user(), action="name")
    (summary,) = bot.api.in_topic(thread)
    assert content.text("handoff_field_name", "en", value="Test") in summary["text"]


async def test_relays_both_ways_and_closing(
    start_bot: StartBot, content: Content, staff_content: Path
) -> None:
    bot = await start_bot(PORADNYK_CONTENT_DIR=str(staff_content))
    bot.api.members[STAFF] = "member"
    user = new_user()
    thread = await open_case(bot, user)

    # The person's message is copied into the topic, and the bot does not answer it.
    bot.api.push(Updates.text(user, "Where can I learn Czech?", language_code="en"))
    copied = (await bot.api.wait_topic(thread, 2))[1]
    assert int(copied["from_chat_id"]) == user
    await _quiet()
    assert len(bot.api.sent(user)) == 3

    # Staff reply: anonymous by default, with the first name after /signed.
    bot.api.push(Updates.staff_text(STAFF, thread, "Hello, I can help you with the flat."))
    reply = (await bot.api.wait_sent(user, 4))[3]
    header = content.text("handoff_from_person_anonymous", "en")
    assert reply["text"] == f"{header}\nHello, I can help you with the flat."
    assert buttons(reply) == [(content.text("btn_handoff_end", "en"), "hand:end")]
    bot.api.push(Updates.staff_text(STAFF, thread, "/signed Call us tomorrow at 10."))
    signed = (await bot.api.wait_sent(user, 5))[4]
    assert signed["text"].startswith(content.text("handoff_from_person", "en", name="Anna"))

    # Commands still reach the bot during the case.
    bot.api.push(Updates.text(user, "/menu", language_code="en"))
    menu = (await bot.api.wait_sent(user, 6))[5]
    assert menu["text"] == content.text("menu", "en")

    # Someone not in the staff group, and the same thread id in another group: ignored.
    bot.api.push(Updates.staff_text(4_400_999, thread, "I am not staff"))
    bot.api.push(Updates.staff_text(STAFF, thread, "Other group", chat_id=STAFF_CHAT - 1))
    await _quiet()
    assert len(bot.api.sent(user)) == 6

    # Reassigned to another region: the topic's title says so (and a wrong code is explained).
    before = len(bot.api.in_topic(thread))
    bot.api.push(Updates.staff_text(STAFF, thread, "/region brno"))
    bot.api.push(Updates.staff_text(STAFF, thread, "/region jihomoravsky"))
    unknown, moved = (await bot.api.wait_topic(thread, before + 2))[before:]
    assert unknown["text"].startswith(content.text("staff_region_unknown", "en", codes="")[:20])
    region = content.regions["jihomoravsky"].en
    assert moved["text"] == content.text(
        "staff_region_set", "en", case=await latest_case(), region=region
    )
    assert region in bot.api.topics[thread]["name"]
    assert len(bot.api.sent(user)) == 6

    # Staff close the case: the person is told, the bot answers again.
    bot.api.push(Updates.staff_text(STAFF, thread, "/close@poradnyk_test_bot"))
    closed = (await bot.api.wait_sent(user, 7))[6]
    assert closed["text"] == content.text("handoff_closed_by_staff", "en")
    assert bot.api.in_topic(thread)[-1]["text"] == content.text(
        "staff_case_closed", "en", case=await latest_case()
    )
    # Closed right after the note, which may reach the stand-in after the person's message.
    await bot.api.wait_topic_closed(thread)
    # Writing in the closed topic reaches nobody, and brings no topic back.
    bot.api.push(Updates.staff_text(STAFF, thread, "one more thing"))
    bot.api.push(Updates.text(user, "How do I open a bank account?", language_code="en"))
    answer = (await bot.api.wait_sent(user, 8))[7]
    assert content.topics["banking"].title.en in answer["text"]
    assert len(bot.api.calls_of("copyMessage")) == 1
    assert len(bot.api.topics) == 1 and len(bot.api.sent(user)) == 8


async def test_a_deleted_topic_is_recreated(
    start_bot: StartBot, content: Content, staff_content: Path
) -> None:
    bot = await start_bot(PORADNYK_CONTENT_DIR=str(staff_content))
    bot.api.members[STAFF] = "member"
    user = new_user()
    thread = await open_case(bot, user)
    bot.api.topics[thread]["deleted"] = True  # a staff member deleted the topic

    bot.api.push(Updates.text(user, "Is anybody there?", language_code="en"))
    first, second = await bot.api.wait_topic_created(2)
    assert first == thread
    note, copied = await bot.api.wait_topic(second, 2)
    assert note["text"] == content.text("staff_case_recreated", "en", case=await latest_case())
    assert int(copied["from_chat_id"]) == user
    # Staff answer in the new topic.
    bot.api.push(Updates.staff_text(STAFF, second, "Yes, here."))
    reply = (await bot.api.wait_sent(user, 4))[3]
    assert reply["text"].endswith("Yes, here.")


async def test_outside_office_hours(start_bot: StartBot, content: Content, tmp_path: Path) -> None:
    folder = handoff_content(tmp_path / "content", WEEKDAYS)
    # Saturday noon in Prague: staff are back on Monday 07.12. at 09:00.
    bot = await start_bot(
        PORADNYK_CONTENT_DIR=str(folder), PORADNYK_HANDOFF_CLOCK="2026-12-05T12:00+01:00"
    )
    user = new_user()
    consent = await ask_for_a_person(bot, user)
    text = str(consent["text"])
    assert "112" in text and "+420 974 801 802" in text  # the hotlines of content
    assert QUESTION in text
    assert buttons(consent)[0] == (content.text("btn_handoff_leave", "en"), "hand:send")

    bot.api.push(Updates.button(user, "hand:send", language_code="en"))
    left = (await bot.api.wait_sent(user, 3))[2]
    staff = load_content(folder, known_topics(REPO_ROOT))
    assert staff.handoff is not None
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Europe/Prague"))
    when = format_when(staff, staff.handoff, "en", monday)
    assert left["text"] == content.text("handoff_left", "en", case=await latest_case(), when=when)
    assert when in text
    (thread,) = await bot.api.wait_topic_created(1)
    (summary,) = await bot.api.wait_topic(thread, 1)
    assert content.text("staff_waiting", "en").strip() in summary["text"]


async def test_a_case_nobody_answers_is_announced_again(
    start_bot: StartBot, content: Content, tmp_path: Path
) -> None:
    folder = handoff_content(tmp_path / "content", ALWAYS, after=0.0002)  # under a second
    bot = await start_bot(PORADNYK_CONTENT_DIR=str(folder), PORADNYK_HANDOFF_POLL="0.3")
    thread = await open_case(bot, new_user())
    _summary, again = await bot.api.wait_topic(thread, 2)
    case = await latest_case()
    assert again["text"] == content.text("staff_reannounce", "en", case=case, hours=0)


async def test_kill_9_during_a_case_loses_and_repeats_nothing(
    stack: Stack, content: Content, staff_content: Path
) -> None:
    await asyncio.to_thread(clear_queues)
    api = BotApiStandIn()
    await api.start()
    api.members[STAFF] = "member"
    env = {"PORADNYK_CONTENT_DIR": str(staff_content)}
    adapter = Adapter(stack, api, max_rate=30, extra_env=env)
    user = new_user()
    try:
        await adapter.ready()
        api.push(Updates.text(user, QUESTION, language_code="en"))
        await api.wait_sent(user, 1, timeout=60)
        api.push(Updates.text(user, "/human", language_code="en"))
        await api.wait_sent(user, 2)
        api.push(Updates.button(user, "hand:send", language_code="en"))
        await api.wait_sent(user, 3)
        (thread,) = await api.wait_topic_created(1)
        await api.wait_topic(thread, 1)
        await _quiet()

        adapter.service.stop(signal.SIGKILL)
        # While the adapter is down, the person writes and staff answer.
        api.push(Updates.text(user, "Are you still there?", language_code="en"))
        api.push(Updates.staff_text(STAFF, thread, "Yes, we are."))
        polled = len(api.calls_of("deleteWebhook"))
        adapter = Adapter(stack, api, max_rate=30, extra_env=env)
        while len(api.calls_of("deleteWebhook")) == polled:
            assert adapter.service.process.poll() is None, adapter.service.tail()
            await asyncio.sleep(0.2)

        copied = (await api.wait_topic(thread, 2, timeout=60))[1]
        assert int(copied["from_chat_id"]) == user
        reply = (await api.wait_sent(user, 4, timeout=60))[3]
        assert reply["text"].endswith("Yes, we are.")
        # The case survived the restart: the person's next message still goes to staff.
        api.push(Updates.text(user, "Thank you", language_code="en"))
        await api.wait_topic(thread, 3)
        await _quiet(1.0)
        assert len(api.in_topic(thread)) == 3
        assert len(api.sent(user)) == 4
        assert len(api.topics) == 1
    finally:
        adapter.service.stop()
        await api.stop()


async def test_emergency_first_then_a_typed_wish_and_the_person_ends_the_case(
    start_bot: StartBot, content: Content, staff_content: Path
) -> None:
    bot = await start_bot(PORADNYK_CONTENT_DIR=str(staff_content))
    user = new_user()
    bot.api.push(Updates.text(user, "терміново потрібна швидка, людині погано", language_code="uk"))
    (emergency,) = await bot.api.wait_sent(user, 1)
    assert content.topics["emergency"].title.uk in emergency["text"]
    assert "155" in emergency["text"]  # the hotlines come first, a person after them
    assert buttons(emergency)[-1] == (content.text("btn_handoff", "uk"), "/human_handoff")

    bot.api.push(Updates.text(user, "хочу поговорити з живою людиною", language_code="uk"))
    consent = (await bot.api.wait_sent(user, 2))[1]
    assert "терміново потрібна швидка" in consent["text"]  # the question, not the wish
    assert content.topics["emergency"].title.uk in consent["text"]
    bot.api.push(Updates.button(user, "hand:send", language_code="uk"))
    opened = (await bot.api.wait_sent(user, 3))[2]
    assert [data for _, data in buttons(opened)] == ["hand:end"]
    (thread,) = await bot.api.wait_topic_created(1)
    await bot.api.wait_topic(thread, 1)

    # Asking again during the case: told it is open, no second topic.
    bot.api.push(Updates.text(user, "/human", language_code="uk"))
    again = (await bot.api.wait_sent(user, 4))[3]
    case = await latest_case()
    assert again["text"] == content.text("handoff_already_open", "uk", case=case)

    bot.api.push(Updates.button(user, "hand:end", language_code="uk"))
    ended = (await bot.api.wait_sent(user, 5))[4]
    assert ended["text"] == content.text("handoff_ended", "uk")
    note = (await bot.api.wait_topic(thread, 2))[1]
    assert note["text"] == content.text("staff_user_ended", "en", case=case)
    assert len(bot.api.topics) == 1
