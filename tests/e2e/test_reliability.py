"""One person never takes the bot down, and nothing a person sent is lost.

Each test reproduces one finding of the outside probe (issue "One person must never take
the bot down") through the real processes and the Bot API stand-in.
"""

from __future__ import annotations

import asyncio
import itertools
import signal
import time
from pathlib import Path

import httpx

from harness.adapter import Adapter
from harness.bot_api import BotApiStandIn, Updates
from harness.flaky_proxy import FlakyProxy
from harness.stack import Stack, start_stack
from poradnyk.content import Content
from tests.e2e.conftest import StartBot

_ids = itertools.count(660_000_001)


async def test_a_poisoned_conversation_stays_that_persons_problem(
    start_bot: StartBot, content: Content, stack: Stack
) -> None:
    bot = await start_bot()
    poisoned, others = next(_ids), [next(_ids) for _ in range(3)]
    # 1. Forged button data never reaches Rasa.
    bot.api.push(Updates.button(poisoned, '/ngo_contacts{"region":{"a":[1,2,3]}}'))
    assert (await bot.api.wait_sent(poisoned, 1))[0]["text"] == content.text("unknown_button", "uk")
    # 2. Even a slot poisoned behind the adapter's back (straight into Rasa) is reset by
    #    the next action, and that person's next question is answered normally.
    person = bot.app.bot_data.services.conversation.pseudonym(poisoned)
    poison = {"sender": person, "message": '/ngo_contacts{"region":{"a":[1,2,3]}}'}
    async with httpx.AsyncClient(timeout=30) as http:
        await http.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=poison)
    bot.api.push(Updates.text(poisoned, "Як знайти житло?"))
    # 3. A lone UTF-16 surrogate and control characters are cleaned at the boundary.
    bot.api.push(Updates.text(others[0], "Як знайти житло?\ud800\x00"))
    for other in others[1:]:
        bot.api.push(Updates.text(other, "Як знайти житло?"))
    for user in (poisoned, *others):
        sent = await bot.api.wait_sent(user, 2 if user == poisoned else 1)
        assert content.topics["housing"].title.uk in sent[-1]["text"], user
    assert not bot.app.bot_data.services.conversation.recovery.is_open


async def test_kill_9_of_the_adapter_during_a_burst_loses_nothing(
    stack: Stack, content: Content
) -> None:
    api = BotApiStandIn()
    await api.start()
    adapter = Adapter(stack, api, max_rate=1000)
    users = [next(_ids) for _ in range(300)]
    try:
        await adapter.ready()
        for user in users:
            api.push(Updates.text(user, "Як відкрити рахунок у банку?"))
        await asyncio.gather(*(api.wait_sent(u, 1, timeout=120) for u in users[:20]))
        adapter.service.stop(signal.SIGKILL)  # getUpdates has confirmed most of them
        await asyncio.sleep(1)  # the stand-in records the sends that reached it before
        restarted_at = time.monotonic()
        adapter = Adapter(stack, api, max_rate=1000)
        await adapter.ready()
        for user in users:
            await api.wait_sent(user, 1, timeout=120)
        await asyncio.sleep(2)
        per_chat = {user: len(api.sent(user)) for user in users}
        twice = [user for user, n in per_chat.items() if n > 1]
        print(f"\nkill -9 during a burst of 300: all answered, {len(twice)} duplicate(s)")
        assert min(per_chat.values()) == 1
        # Only a send of the killed adapter (delivered, its confirmation not yet stored)
        # comes again, once: how many that is depends on the machine's speed (a few dozen
        # with the send limit lifted to 1000/s for this burst), so it is reported.
        assert max(per_chat.values()) <= 2
        assert all(api.first_sent_at[user] < restarted_at for user in twice)
        banking = content.topics["banking"].title.uk
        assert all(banking in m["text"] for u in users for m in api.sent(u))
    finally:
        adapter.service.stop()
        await api.stop()


async def test_questions_kept_during_an_outage_survive_a_kill_and_are_all_answered(
    stack: Stack, content: Content
) -> None:
    api = BotApiStandIn()
    await api.start()
    proxy = FlakyProxy(stack.rasa_url)
    await proxy.start()
    env = {"RASA_URL": proxy.url}
    adapter = Adapter(stack, api, max_rate=1000, extra_env=env)
    user = next(_ids)
    questions = ["Як знайти роботу?", "Як записати дитину до школи?", "Де вчити чеську?"]
    try:
        await adapter.ready()
        proxy.mode = "down"
        for text in questions:
            api.push(Updates.text(user, text))
            await api.wait_sent(user, questions.index(text) + 1)
        # A kill right after a send, before it is marked sent, repeats that message (the
        # outbox delivers at least once): give the last one a moment to be marked.
        await asyncio.sleep(1.5)
        adapter.service.stop(signal.SIGKILL)
        proxy.mode = "ok"
        adapter = Adapter(stack, api, max_rate=1000, extra_env=env)
        await adapter.ready()
        titles = [content.topics[t].title.uk for t in ("work", "education", "czech_courses")]
        for _ in range(300):
            texts = [str(m["text"]) for m in api.sent(user)]
            if all(any(title in t for t in texts) for title in titles):
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(2)
        texts = [str(m["text"]) for m in api.sent(user)]
        # Each kept question answered once, after the three answers from content.
        assert [sum(title in t for t in texts) for title in titles] == [1, 1, 1], texts
        assert len(texts) == 6, [t[:40] for t in texts]
    finally:
        adapter.service.stop()
        await api.stop()
        await proxy.stop()


async def test_forget_while_the_question_is_inside_rasa_is_final(
    start_bot: StartBot, content: Content, stack: Stack
) -> None:
    bot = await start_bot(RASA_TIMEOUT="10")
    user = next(_ids)
    person = bot.app.bot_data.services.conversation.pseudonym(user)
    bot.proxy.mode = "slow"  # 5 s inside "Rasa"
    bot.api.push(Updates.text(user, "Where can I learn Czech in Brno?", language_code="en"))
    await asyncio.sleep(1)
    bot.api.push(Updates.text(user, "/forget", language_code="en"))
    bot.proxy.mode = "ok"
    sent = await bot.api.wait_sent(user, 2, timeout=30)
    assert sent[1]["text"] == content.text("forget_done", "en")
    await asyncio.sleep(2)
    assert await asyncio.to_thread(stack.conversation_rows, person) == 0


async def test_an_unparseable_update_is_skipped_and_polling_goes_on(
    start_bot: StartBot, content: Content
) -> None:
    bot = await start_bot()
    user = next(_ids)
    broken = Updates.text(user, "Мене звати Олена, мій номер 777123456")
    del broken["message"]["date"]
    del broken["message"]["from"]["id"]
    bot.api.push(broken)
    bot.api.push(Updates.text(user, "/help", language_code="en"))
    (reply,) = await bot.api.wait_sent(user, 1)
    assert reply["text"].startswith(content.text("help", "en")[:20])
    getupdates = [c for c in bot.api.calls if c.method == "getUpdates"]
    assert len(getupdates) < 50  # no tight loop on the broken update


async def test_logs_hold_no_person_when_the_action_server_fails(
    tmp_path: Path, content: Content
) -> None:
    proxy = FlakyProxy("http://127.0.0.1:1")  # stands in for the action server
    await proxy.start()
    proxy.mode = "error"
    stack = await asyncio.to_thread(
        start_stack, tmp_path, extra_env={"ACTION_SERVER_URL": f"{proxy.url}/webhook"}
    )
    try:
        sender = "u" + "7" * 32
        text = "Мене звати Олена, допоможіть з житлом"
        async with httpx.AsyncClient(timeout=30) as http:
            response = await http.post(
                f"{stack.rasa_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": text, "metadata": {"language": "uk"}},
            )
        assert response.status_code == 200
        await asyncio.sleep(1)
        log = stack.rasa.tail(200_000)
        assert "Failed to execute custom action" in log or "ERROR" in log  # the failure is logged
        for secret in ("Олена", "житлом", sender):
            assert secret not in log, secret
    finally:
        stack.stop()
        await proxy.stop()


async def test_telegram_refusals_are_retried_per_chat(
    start_bot: StartBot, content: Content
) -> None:
    bot = await start_bot()
    waiting, other, flaky = next(_ids), next(_ids), next(_ids)
    bot.api.fail_chat(waiting, 429, retry_after=4)
    bot.api.fail_chat(flaky, 500, times=6)  # backs off 0.5 s, 1 s, ... 16 s
    started = time.monotonic()
    for user in (waiting, other, flaky):
        bot.api.push(Updates.text(user, "/privacy", language_code="en"))
    (quick,) = await bot.api.wait_sent(other, 1, timeout=10)
    other_took = time.monotonic() - started
    (late,) = await bot.api.wait_sent(waiting, 1, timeout=30)
    waiting_took = time.monotonic() - started
    (flaky_reply,) = await bot.api.wait_sent(flaky, 1, timeout=90)
    privacy = content.text("privacy", "en", days="90", inbox_days="30")
    assert quick["text"] == late["text"] == flaky_reply["text"] == privacy
    assert other_took < 3 <= waiting_took  # one chat's wait never holds another's


async def test_the_webhook_checks_the_secret_before_the_body_and_caps_it(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(webhook=True)
    url = f"http://127.0.0.1:{bot.webhook_port}/telegram"
    big = b"x" * (2 * 1024 * 1024)
    async with httpx.AsyncClient(timeout=30) as http:
        forged = await http.post(url, content=big, headers={"Content-Type": "application/json"})
        capped = await http.post(
            url,
            content=big,
            headers={
                "Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": "s3cret-token",
            },
        )
    assert forged.status_code == 403
    assert capped.status_code == 413
