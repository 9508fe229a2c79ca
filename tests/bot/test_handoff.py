"""Handoff in the fast lane: the real Application and stand-in, Rasa mocked (or down)."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from bot.settings import Settings
from harness.app_runner import RunningApp, start_application, stop_application
from harness.bot_api import STAFF_CHAT, TOKEN, BotApiStandIn, Updates
from harness.fixtures import handoff_content
from poradnyk.content import Content, known_topics, load_content

REPO = Path(__file__).resolve().parents[2]
_ids = itertools.count(880_500_001)
STAFF = 4_500_001


def rasa_handler(down: bool) -> Callable[[httpx.Request], httpx.Response]:
    """Rasa's REST channel: a wish for a person gets action_handoff's custom message."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/status":
            return httpx.Response(200, json={"model_file": "m.tar.gz"})
        if request.url.path.startswith("/poradnyk/"):
            return httpx.Response(200, json={"deleted": 0})
        if down:
            raise httpx.ConnectError("refused", request=request)
        body = json.loads(request.content)
        if body["message"] == "/human_handoff":
            custom = {"handoff": {"region": "praha", "topic": "housing"}}
            return httpx.Response(200, json=[{"text": "orgs"}, {"custom": custom}])
        return httpx.Response(200, json=[{"text": f"re: {body['message']}"}])

    return handle


@pytest.fixture(scope="module")
def staff_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return handoff_content(tmp_path_factory.mktemp("handoff") / "content")


@pytest.fixture(scope="module")
def content(staff_dir: Path) -> Content:
    return load_content(staff_dir, known_topics(REPO))


@pytest.fixture
async def api() -> AsyncIterator[BotApiStandIn]:
    standin = BotApiStandIn()
    await standin.start()
    standin.members[STAFF] = "member"
    yield standin
    await standin.stop()


Start = Callable[..., Awaitable[RunningApp]]


@pytest.fixture
async def start(api: BotApiStandIn, tmp_path: Path, staff_dir: Path) -> AsyncIterator[Start]:
    started: list[RunningApp] = []

    async def go(down: bool = False) -> RunningApp:
        settings = Settings.from_env(
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": api.base_url,
                "RASA_URL": "http://rasa.test",
                "PORADNYK_DATA_DIR": str(tmp_path),
                "PORADNYK_CONTENT_DIR": str(staff_dir),
                "PORADNYK_WARM_UP": "0",
            }
        )
        running = await start_application(settings, api, httpx.MockTransport(rasa_handler(down)))
        started.append(running)
        return running

    yield go
    for running in started:
        await stop_application(running)


async def test_region_and_topic_come_from_rasa(start: Start, content: Content) -> None:
    bot = await start()
    user = next(_ids)
    bot.api.push(Updates.text(user, "/human", language_code="en"))
    (consent,) = await bot.api.wait_sent(user, 1)
    assert content.regions["praha"].en in consent["text"]
    assert content.topics["housing"].title.en in consent["text"]
    assert "orgs" not in consent["text"]


async def test_rasa_down_still_reaches_staff_and_a_failed_topic_is_retried(
    start: Start, content: Content
) -> None:
    bot = await start(down=True)
    # Telegram fails the first topic creation: the summary waits and is sent after.
    bot.api.fail_next("createForumTopic", 500)
    user = next(_ids)
    bot.api.push(Updates.button(user, "/human_handoff", language_code="en"))
    (consent,) = await bot.api.wait_sent(user, 1)
    assert consent["text"].startswith(content.text("handoff_consent", "en", summary="")[:30])
    bot.api.push(Updates.button(user, "hand:send", language_code="en"))
    await bot.api.wait_sent(user, 2)
    (thread,) = await bot.api.wait_topic_created(1, timeout=10)
    await bot.api.wait_topic(thread, 1)
    assert len(bot.api.calls_of("createForumTopic")) == 2

    # The General topic and other chats of the group are not cases: nothing happens.
    bot.api.push(Updates.staff_text(STAFF, None, "hello all"))
    bot.api.push(Updates.staff_text(STAFF, thread, "Hello from staff"))
    reply = (await bot.api.wait_sent(user, 3))[2]
    assert reply["text"].endswith("Hello from staff")
    await asyncio.sleep(0.3)
    # Only the summary went to the group (no "write to me privately" in General).
    assert [int(m["message_thread_id"]) for m in bot.api.sent(STAFF_CHAT)] == [thread]


async def test_forged_handoff_buttons_do_nothing(start: Start, content: Content) -> None:
    bot = await start()
    user = next(_ids)
    bot.api.push(Updates.button(user, "hand:send", language_code="en"))  # no consent shown
    bot.api.push(Updates.button(user, "hand:steal", language_code="en"))
    first, second = await bot.api.wait_sent(user, 2)
    assert content.text("handoff_no_question", "en") in first["text"]  # the consent screen
    assert second["text"] == content.text("unknown_button", "en")
    assert not bot.api.topics
