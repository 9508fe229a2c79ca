"""kill -9 and restart: preferences and conversation state survive."""

from __future__ import annotations

import asyncio
import signal

from harness.adapter import Adapter
from harness.bot_api import BotApiStandIn, Updates
from harness.stack import Stack
from poradnyk.content import Content

USER = 9_100_001


async def test_kill_9_of_every_process_loses_nothing(stack: Stack, content: Content) -> None:
    api = BotApiStandIn()
    await api.start()
    adapter = Adapter(stack, api, max_rate=30)
    try:
        await adapter.ready()
        # Choose Czech and a region; both must survive the kills below.
        api.push(Updates.button(USER, "lang:cs", language_code="uk"))
        await api.wait_sent(USER, 2)
        api.push(Updates.button(USER, '/ngo_contacts{"region":"olomoucky"}', language_code="uk"))
        await api.wait_sent(USER, 3)

        adapter.service.stop(signal.SIGKILL)
        stack.rasa.stop(signal.SIGKILL)
        stack.actions.stop(signal.SIGKILL)
        stack.start_actions()
        await asyncio.to_thread(stack.start_rasa)
        adapter = Adapter(stack, api, max_rate=30)
        await adapter.ready()

        # A Ukrainian app and an English question: the explicit Czech choice still wins,
        # and the remembered region still selects local contacts.
        api.push(Updates.text(USER, "/contacts", language_code="uk"))
        reply = (await api.wait_sent(USER, 4, timeout=60))[3]
        assert content.regions["olomoucky"].cs in reply["text"]
        assert content.text("contacts_header", "cs") in reply["text"]
    finally:
        adapter.service.stop()
        await api.stop()
