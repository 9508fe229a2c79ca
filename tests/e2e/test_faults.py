"""Faults injected into the running system: the user always gets an answer."""

from __future__ import annotations

import asyncio
import itertools

from harness.bot_api import Updates
from harness.stack import Stack
from poradnyk.content import Content
from tests.e2e.conftest import StartBot, buttons

_ids = itertools.count(8000)


async def test_rasa_down_serves_content_then_recovers(
    start_bot: StartBot, content: Content
) -> None:
    bot = await start_bot()
    user = new = next(_ids)
    bot.proxy.mode = "down"
    bot.api.push(Updates.text(user, "Як знайти роботу в Чехії?", language_code="uk"))
    (down,) = await bot.api.wait_sent(user, 1)
    assert down["text"].startswith(content.text("service_down", "uk"))
    assert "/work" in [d for _, d in buttons(down)]

    # A topic button still works from content alone.
    bot.api.push(Updates.button(user, "/work"))
    offline = (await bot.api.wait_sent(user, 2))[1]
    assert content.topics["work"].title.uk in offline["text"]

    # Rasa comes back: the kept question is answered without a restart.
    bot.proxy.mode = "ok"
    recovered = (await bot.api.wait_sent(new, 3, timeout=30))[2]
    assert content.topics["work"].title.uk in recovered["text"]


async def test_rasa_slow_error_or_empty(start_bot: StartBot, content: Content) -> None:
    for mode in ("slow", "error", "empty"):
        bot = await start_bot()
        user = next(_ids)
        bot.proxy.mode = mode
        bot.api.push(Updates.text(user, "How do I open a bank account?", language_code="en"))
        sent = await bot.api.wait_sent(user, 1)
        # A send retried after a client-side timeout may arrive twice; never anything else.
        assert all(m["text"].startswith(content.text("service_down", "en")) for m in sent), (
            mode,
            [m["text"][:60] for m in sent],
        )


async def test_action_server_down(start_bot: StartBot, content: Content, stack: Stack) -> None:
    bot = await start_bot()
    user = next(_ids)
    stack.actions.stop()
    try:
        bot.api.push(Updates.text(user, "Where can I find a doctor?", language_code="en"))
        (reply,) = await bot.api.wait_sent(user, 1)
        assert reply["text"].startswith(content.text("service_down", "en"))
    finally:
        stack.start_actions()


async def test_telegram_429_and_5xx_are_retried(start_bot: StartBot, content: Content) -> None:
    bot = await start_bot()
    user = next(_ids)
    bot.api.fail_next("sendMessage", 429, retry_after=1)
    bot.api.fail_next("sendMessage", 502)
    bot.api.push(Updates.text(user, "/privacy", language_code="en"))
    (reply,) = await bot.api.wait_sent(user, 1, timeout=30)
    assert reply["text"] == content.text("privacy", "en", days="90", inbox_days="30")
    assert [c.ok for c in bot.api.calls_of("sendMessage")] == [False, False, True]


async def test_blocked_user_does_not_stop_others(start_bot: StartBot, content: Content) -> None:
    bot = await start_bot()
    blocked, other = next(_ids), next(_ids)
    bot.api.fail_next("sendMessage", 403)
    bot.api.push(Updates.text(blocked, "/menu", language_code="en"))
    await asyncio.sleep(0.5)
    bot.api.push(Updates.text(other, "/menu", language_code="en"))
    (reply,) = await bot.api.wait_sent(other, 1)
    assert reply["text"] == content.text("menu", "en")
    assert bot.api.sent(blocked) == []


async def test_getupdates_errors_do_not_lose_updates(start_bot: StartBot, content: Content) -> None:
    bot = await start_bot()
    user = next(_ids)
    bot.api.fail_next("getUpdates", 502, times=2)
    bot.api.push(Updates.text(user, "/help", language_code="cs"))
    (reply,) = await bot.api.wait_sent(user, 1, timeout=30)
    assert content.text("help", "cs").splitlines()[0][:15] in reply["text"]


async def test_flood_from_one_user_gets_a_polite_reply(
    start_bot: StartBot, content: Content
) -> None:
    bot = await start_bot(PORADNYK_USER_RATE_LIMIT="3")
    user, other = next(_ids), next(_ids)
    for _ in range(30):
        bot.api.push(Updates.text(user, "/menu", language_code="en"))
    for _ in range(10):
        bot.api.push(Updates.button(user, "/housing", language_code="en"))
    bot.api.push(Updates.text(other, "/menu", language_code="en"))
    assert (await bot.api.wait_sent(other, 1))[0]["text"] == content.text("menu", "en")
    sent = await bot.api.wait_sent(user, 4)
    await asyncio.sleep(1.0)  # anything more would have come by now
    texts = [m["text"] for m in bot.api.sent(user)]
    # Three answers, then one "slow down" for the 37 updates past the limit: calm, not
    # one reply per message (which amplified a flood into the flooder's chat).
    assert len(texts) == 4 and sent[3]["text"] == content.text("rate_limited", "en")
    assert texts.count(content.text("rate_limited", "en")) == 1
