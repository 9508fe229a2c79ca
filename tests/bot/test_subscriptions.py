"""Subscriptions, reminders and broadcasts through the real Application and the Bot API
stand-in, with Rasa replaced by httpx's ``MockTransport`` (the fast lane)."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.broadcast import Broadcaster
from bot.settings import Settings
from harness.app_runner import RunningApp, start_application, stop_application
from harness.bot_api import TOKEN, BotApiStandIn, Updates
from harness.broadcasts import (
    ARRIVAL_JITTER,
    clear_broadcasts,
    max_per_window,
    seed_subscribers,
    start_broadcast,
)
from poradnyk.content import Content
from poradnyk.languages import LANGUAGES

REPO = Path(__file__).resolve().parents[2]
_ids = itertools.count(770_000_001)


def rasa(request: httpx.Request) -> httpx.Response:
    """Rasa's REST channel, answering every message with an echo."""
    if request.url.path == "/status":
        return httpx.Response(200, json={"model_file": "m.tar.gz"})
    if request.url.path.startswith("/poradnyk/"):
        return httpx.Response(200, json={"deleted": 1})
    if request.url.path == "/model/parse":
        return httpx.Response(200, json={"intent": {"name": "greet"}})
    body = json.loads(request.content)
    return httpx.Response(200, json=[{"recipient_id": body["sender"], "text": "re: answer"}])


Start = Callable[..., Awaitable[RunningApp]]


@pytest.fixture
async def start(api: BotApiStandIn, tmp_path: Path) -> AsyncIterator[Start]:
    await asyncio.to_thread(_ready_and_clear)
    started: list[RunningApp] = []

    async def go(**env: str) -> RunningApp:
        settings = Settings.from_env(
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": api.base_url,
                "RASA_URL": "http://rasa.test",
                "RASA_API_TOKEN": "rasa-token",
                "PORADNYK_DATA_DIR": str(tmp_path),
                "PORADNYK_QUIET_HOURS": "off",
                "PORADNYK_BROADCAST_POLL": "0.2",
                "PORADNYK_USER_RATE_LIMIT": "1000",
                **env,
            }
        )
        running = await start_application(settings, api, httpx.MockTransport(rasa))
        started.append(running)
        return running

    yield go
    for running in started:
        await stop_application(running)


def _ready_and_clear() -> None:
    from store.api import setup_django  # noqa: PLC0415

    setup_django()
    clear_broadcasts()


def _broadcaster(bot: RunningApp) -> Broadcaster:
    found = bot.app.bot_data.broadcaster
    assert found is not None
    return found


def _titles(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["text"] for row in rows for b in row]


def _data(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b.get("callback_data", "") for row in rows for b in row]


async def _subscriptions(bot: RunningApp, user: int) -> list[str]:
    conversation = bot.app.bot_data.services.conversation
    person = conversation.pseudonym(user)
    return await conversation.store.run(lambda: conversation.store.sync.subscriptions(person))


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_subscribe_and_unsubscribe_in_each_language(
    start: Start, content: Content, lang: str
) -> None:
    bot = await start()
    user = next(_ids)
    bot.api.push(Updates.text(user, "/subscribe", language_code=lang))
    menu = (await bot.api.wait_sent(user, 1))[0]
    assert menu["text"].startswith(content.text("subscribe_menu", lang)[:30])
    titles = _titles(menu)
    for topic in content.subscription_topics:
        assert any(content.topics[topic].title.get(lang) in t for t in titles)
    toggle = "sub:toggle:special_residence"
    assert toggle in _data(menu)
    bot.api.push(Updates.button(user, toggle, language_code=lang))
    title = content.topics["special_residence"].title.get(lang)
    done = (await bot.api.wait_sent(user, 2))[1]
    assert done["text"].startswith(content.text("subscribed", lang, topic=title))
    assert await _subscriptions(bot, user) == ["special_residence"]
    bot.api.push(Updates.button(user, "sub:off:special_residence", language_code=lang))
    off = (await bot.api.wait_sent(user, 3))[2]
    assert off["text"].startswith(content.text("unsubscribed", lang, topic=title))
    assert await _subscriptions(bot, user) == []


async def test_forget_ends_the_subscription_and_privacy_says_so(
    start: Start, content: Content
) -> None:
    bot = await start()
    user = next(_ids)
    bot.api.push(Updates.button(user, "sub:on:protection_extension", language_code="en"))
    await bot.api.wait_sent(user, 1)
    assert await _subscriptions(bot, user) == ["protection_extension"]
    bot.api.push(Updates.text(user, "/privacy", language_code="en"))
    privacy = (await bot.api.wait_sent(user, 2))[1]
    assert "/subscribe" in privacy["text"]
    bot.api.push(Updates.text(user, "/forget", language_code="en"))
    assert (await bot.api.wait_sent(user, 3))[2]["text"] == content.text("forget_done", "en")
    assert await _subscriptions(bot, user) == []


async def test_forged_subscription_buttons_do_nothing(start: Start, content: Content) -> None:
    bot = await start()
    user = next(_ids)
    for data in ("sub:on:housing", "sub:on:", "sub:menu:x", "sub:maybe:special_residence"):
        bot.api.push(Updates.button(user, data, language_code="en"))
    sent = await bot.api.wait_sent(user, 4)
    assert all(m["text"].startswith(content.text("unknown_button", "en")[:20]) for m in sent)
    assert await _subscriptions(bot, user) == []


def _at(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """A UTC time (Prague is UTC+1 in winter)."""
    return datetime(year, month, day, hour, minute, tzinfo=timezone.utc)


async def test_a_reminder_goes_at_its_time_only_to_its_topics_subscribers(
    start: Start, content: Content
) -> None:
    bot = await start(PORADNYK_QUIET_HOURS="21-8", PORADNYK_REMINDER_TIME="10:00")
    conversation = bot.app.bot_data.services.conversation
    residence_uk, residence_en, protection = next(_ids), next(_ids), next(_ids)
    await asyncio.to_thread(
        seed_subscribers, [residence_uk], conversation.pseudonym, "special_residence", "uk"
    )
    await asyncio.to_thread(
        seed_subscribers, [residence_en], conversation.pseudonym, "special_residence", "en"
    )
    await asyncio.to_thread(
        seed_subscribers, [protection], conversation.pseudonym, "protection_extension", "uk"
    )
    broadcaster = _broadcaster(bot)
    # 14 days before the registration closes on 31 Dec 2026: due from 10:00 in Prague.
    broadcaster.clock = lambda: _at(2026, 12, 17, 8, 59)  # 09:59 in Prague
    assert await broadcaster.schedule_reminders() == []
    broadcaster.clock = lambda: _at(2026, 12, 17, 20, 30)  # 21:30: the quiet hours
    assert await broadcaster.schedule_reminders() == []
    broadcaster.clock = lambda: _at(2026, 12, 17, 9, 5)  # 10:05 in Prague
    created = await broadcaster.schedule_reminders()
    assert created == ["reminder:special_residence:zdp_closes:20261231:14"]
    assert await broadcaster.schedule_reminders() == []  # once only
    broadcaster.wake()
    uk = (await bot.api.wait_sent(residence_uk, 1))[0]
    en = (await bot.api.wait_sent(residence_en, 1))[0]
    assert "31.12.2026" in uk["text"]
    assert content.topics["special_residence"].events[0].text.get("uk")[:40] in uk["text"]
    assert content.topics["special_residence"].events[0].text.get("en")[:40] in en["text"]
    assert _data(uk) == ["sub:off:special_residence", "sub:menu"]
    assert _titles(en)[0] == content.text("btn_unsubscribe", "en")
    await asyncio.sleep(1.0)
    assert bot.api.sent(protection) == []
    assert len(bot.api.sent(residence_uk)) == 1
    # Pressing "unsubscribe" under the reminder ends that subscription.
    bot.api.push(Updates.button(residence_uk, "sub:off:special_residence", language_code="uk"))
    await bot.api.wait_sent(residence_uk, 2)
    assert await _subscriptions(bot, residence_uk) == []


async def test_blocked_users_are_unsubscribed_and_429_is_honoured(start: Start) -> None:
    bot = await start()
    conversation = bot.app.bot_data.services.conversation
    blocked, waits, fine = next(_ids), next(_ids), next(_ids)
    await asyncio.to_thread(
        seed_subscribers, [blocked, waits, fine], conversation.pseudonym, "humanitarian_benefit"
    )
    bot.api.fail_chat(blocked, 403)
    bot.api.fail_chat(waits, 429, retry_after=2)
    texts = {lang: f"News {lang}" for lang in LANGUAGES}
    await asyncio.to_thread(start_broadcast, "announcement:t403", ["humanitarian_benefit"], texts)
    _broadcaster(bot).wake()
    assert (await bot.api.wait_sent(fine, 1))[0]["text"] == "News uk"
    await bot.api.wait_sent(waits, 1, timeout=15)
    tries = [c for c in bot.api.calls_of("sendMessage") if int(c.params["chat_id"]) == waits]
    assert len(tries) == 2 and tries[1].at - tries[0].at >= 1.9
    assert bot.api.sent(blocked) == []
    assert await _subscriptions(bot, blocked) == []
    assert await _subscriptions(bot, fine) == ["humanitarian_benefit"]
    store = conversation.store
    for _ in range(50):
        progress = await store.run(lambda: store.sync.progress("announcement:t403"))
        if progress is not None and progress.finished:
            break
        await asyncio.sleep(0.1)
    assert progress is not None
    assert (progress.sent, progress.blocked, progress.pending) == (2, 1, 0)


async def test_a_restart_resumes_where_it_stopped_and_answers_go_first(start: Start) -> None:
    env = {"PORADNYK_BROADCAST_RATE": "50", "PORADNYK_TELEGRAM_MAX_RATE": "60"}
    bot = await start(**env)
    conversation = bot.app.bot_data.services.conversation
    users = [next(_ids) for _ in range(300)]
    await asyncio.to_thread(seed_subscribers, users, conversation.pseudonym, "special_residence")
    texts = {lang: f"Resume {lang}" for lang in LANGUAGES}
    await asyncio.to_thread(start_broadcast, "announcement:resume", ["special_residence"], texts)
    _broadcaster(bot).wake()
    asker = next(_ids)
    latencies = []
    for n in range(5):
        await asyncio.sleep(0.4)
        pushed = time.monotonic()
        bot.api.push(Updates.text(asker, f"question {n}", language_code="uk"))
        await bot.api.wait_sent(asker, n + 1)
        latencies.append(time.monotonic() - pushed)
    assert max(latencies) < 1.0, latencies
    await stop_application(bot)
    stopped = time.monotonic()
    delivered = {u for u in users if bot.api.sent(u)}
    assert 0 < len(delivered) < len(users)
    again = await start(**env)
    _broadcaster(again).wake()
    for user in users:
        await again.api.wait_sent(user, 1, timeout=30)
    await asyncio.sleep(0.5)
    assert all(len(again.api.sent(u)) == 1 for u in users)
    chosen = set(users)
    calls = [c for c in again.api.calls_of("sendMessage") if int(c.params["chat_id"]) in chosen]
    before = [c.at for c in calls if c.at < stopped]
    after = [c.at for c in calls if c.at >= stopped]
    assert before and after
    # The rate holds across the restart too (a new sender waits out the last one's second).
    assert max_per_window([c.at for c in calls], 1 - ARRIVAL_JITTER) <= 50


async def test_only_the_lease_holder_sends(start: Start) -> None:
    await start()

    def leases() -> tuple[bool, bool, bool, bool]:
        from store.api import Store  # noqa: PLC0415

        store = Store()
        first = store.acquire_lease("test-lease", "replica-a", 0.3)
        second = store.acquire_lease("test-lease", "replica-b", 0.3)
        renewed = store.acquire_lease("test-lease", "replica-a", 0.3)
        time.sleep(0.4)
        taken_over = store.acquire_lease("test-lease", "replica-b", 0.3)
        return first, second, renewed, taken_over

    assert await asyncio.to_thread(leases) == (True, False, True, True)
