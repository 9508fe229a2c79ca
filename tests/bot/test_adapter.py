"""The adapter's handlers through the real Application and the Bot API stand-in, with Rasa
replaced by httpx's ``MockTransport`` (the fast lane: no Rasa, no TensorFlow)."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.settings import Settings
from harness.app_runner import RunningApp, start_application, stop_application
from harness.bot_api import TOKEN, BotApiStandIn, Updates
from poradnyk.compose import consent_reply, menu_reply
from poradnyk.content import Content

REPO = Path(__file__).resolve().parents[2]
_ids = itertools.count(880_000_001)


@dataclass
class FakeRasa:
    """Answers like Rasa's REST channel; ``fail`` decides per request what goes wrong."""

    received: list[dict[str, object]] = field(default_factory=list)
    deleted: list[tuple[str, str | None]] = field(default_factory=list)
    fail: Callable[[dict[str, object]], str | None] = lambda body: None
    delete_fails: bool = False

    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/status":
            return httpx.Response(200, json={"model_file": "m.tar.gz"})
        if path == "/model/parse":
            return httpx.Response(200, json={"intent": {"name": "greet"}})
        if path.startswith("/poradnyk/conversations/"):
            if self.delete_fails:
                return httpx.Response(500)
            self.deleted.append((path.rsplit("/", 1)[1], request.url.params.get("token")))
            return httpx.Response(200, json={"deleted": 3})
        if path == "/poradnyk/purge":
            return httpx.Response(200, json={"deleted": 0})
        body = json.loads(request.content)
        problem = self.fail(body)
        if problem == "down":
            raise httpx.ConnectError("refused", request=request)
        if problem == "500":
            return httpx.Response(500)
        self.received.append(body)
        reply = {"recipient_id": body["sender"], "text": f"re: {body['message']}"}
        return httpx.Response(200, json=[reply])


Start = Callable[..., Awaitable[RunningApp]]


@pytest.fixture
async def start(api: BotApiStandIn, tmp_path: Path) -> AsyncIterator[Start]:
    started: list[RunningApp] = []

    async def go(rasa: FakeRasa, **env: str) -> RunningApp:
        settings = Settings.from_env(
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": api.base_url,
                "RASA_URL": "http://rasa.test",
                "RASA_API_TOKEN": "rasa-token",
                "PORADNYK_DATA_DIR": str(tmp_path),
                **env,
            }
        )
        running = await start_application(settings, api, httpx.MockTransport(rasa.handler))
        started.append(running)
        return running

    yield go
    for running in started:
        await stop_application(running)


async def test_a_question_goes_to_rasa_under_the_pseudonym(start: Start) -> None:
    rasa = FakeRasa()
    bot = await start(rasa)
    user = next(_ids)
    bot.api.push(Updates.text(user, "Як продовжити захист?", language_code="uk"))
    sent = await bot.api.wait_sent(user, 1)
    assert sent[0]["text"] == "re: Як продовжити захист?"
    body = next(b for b in rasa.received if b["message"] == "Як продовжити захист?")
    assert body["sender"] == bot.app.bot_data.services.conversation.pseudonym(user)
    assert str(user) not in json.dumps(body)
    assert body["metadata"] == {"language": "uk", "telegram_language": "uk"}


async def test_one_failing_request_is_that_requests_failure(start: Start, content: Content) -> None:
    poisoned = next(_ids)
    rasa = FakeRasa()
    bot = await start(rasa)
    poisoned_sender = bot.app.bot_data.services.conversation.pseudonym(poisoned)
    rasa.fail = lambda body: "500" if body["sender"] == poisoned_sender else None
    bot.api.push(Updates.text(poisoned, "anything at all", language_code="en"))
    failed = await bot.api.wait_sent(poisoned, 1)
    assert failed[0]["text"].startswith(content.text("service_down", "en")[:30])
    others = [next(_ids) for _ in range(5)]
    for other in others:
        bot.api.push(Updates.text(other, "What about school?", language_code="en"))
    for other in others:
        assert (await bot.api.wait_sent(other, 1))[0]["text"] == "re: What about school?"
    assert not bot.app.bot_data.services.conversation.recovery.is_open


async def test_an_outage_keeps_every_question_and_answers_all_after(
    start: Start, content: Content
) -> None:
    rasa = FakeRasa()
    bot = await start(rasa)
    rasa.fail = lambda body: "down"
    user, other = next(_ids), next(_ids)
    questions = ["first question", "second question", "third question"]
    for text in questions:
        bot.api.push(Updates.text(user, text, language_code="en"))
        await bot.api.wait_sent(user, questions.index(text) + 1)
    bot.api.push(Updates.text(other, "a question too", language_code="en"))
    await bot.api.wait_sent(other, 1)
    recovery = bot.app.bot_data.services.conversation.recovery
    assert recovery.is_open
    assert recovery.kept_count() == 4
    down = content.text("service_down", "en")[:30]
    assert all(m["text"].startswith(down) for m in bot.api.sent(user))
    rasa.fail = lambda body: None  # Rasa is back: the probe notices, every question is answered
    later = await bot.api.wait_sent(user, 6, timeout=15)
    assert [m["text"] for m in later[3:]] == [f"re: {q}" for q in questions]
    assert (await bot.api.wait_sent(other, 2, timeout=15))[1]["text"] == "re: a question too"
    probes = [b for b in rasa.received if str(b["sender"]).startswith("probe-")]
    assert probes and all(b["message"] == "/bot_capabilities" for b in probes)
    assert any(sender.startswith("probe-") for sender, _ in rasa.deleted)


async def test_forget_deletes_through_rasa_with_the_token(start: Start, content: Content) -> None:
    rasa = FakeRasa()
    bot = await start(rasa)
    user = next(_ids)
    bot.api.push(Updates.text(user, "/forget", language_code="cs"))
    sent = await bot.api.wait_sent(user, 1)
    assert sent[0]["text"] == content.text("forget_done", "cs")
    person = bot.app.bot_data.services.conversation.pseudonym(user)
    assert (person, "rasa-token") in rasa.deleted


async def test_forget_never_claims_a_deletion_that_failed(start: Start, content: Content) -> None:
    rasa = FakeRasa(delete_fails=True)
    bot = await start(rasa)
    user = next(_ids)
    bot.api.push(Updates.button(user, "lang:en", language_code="cs"))
    await bot.api.wait_sent(user, 2)
    bot.api.push(Updates.text(user, "/forget", language_code="cs"))
    sent = await bot.api.wait_sent(user, 3)
    assert sent[2]["text"] == content.text("forget_failed", "en")
    person = bot.app.bot_data.services.conversation.pseudonym(user)
    prefs = await bot.app.bot_data.services.conversation.store.prefs(person)
    assert prefs.chosen_language == "en"  # nothing deleted, as the person was told


async def test_a_flood_gets_one_slow_down_and_others_are_not_held(
    start: Start, content: Content
) -> None:
    rasa = FakeRasa()
    bot = await start(rasa, PORADNYK_USER_RATE_LIMIT="5")
    flooder, other = next(_ids), next(_ids)
    for i in range(40):
        bot.api.push(Updates.text(flooder, f"flood {i}", language_code="en"))
    for _ in range(10):
        bot.api.push(Updates.button(flooder, "/housing", language_code="en"))
    bot.api.push(Updates.text(other, "a normal question", language_code="en"))
    assert (await bot.api.wait_sent(other, 1))[0]["text"] == "re: a normal question"
    await asyncio.sleep(1.0)
    texts = [m["text"] for m in bot.api.sent(flooder)]
    assert texts.count(content.text("rate_limited", "en")) == 1
    assert len(texts) == 6  # five answers, one "slow down", nothing else
    assert len(bot.api.calls_of("answerCallbackQuery")) == 10  # every button acknowledged


async def test_forged_and_stale_buttons_never_reach_rasa(start: Start, content: Content) -> None:
    rasa = FakeRasa()
    bot = await start(rasa)
    user = next(_ids)
    forged = [
        '/ngo_contacts{"region":{"a":[1,2,3]}}',
        '/housing{"sub":"no_such"}',
        "/restart",
        "lang:xx",
        "k:unknownkey",
    ]
    for data in forged:
        bot.api.push(Updates.button(user, data, language_code="en"))
    sent = await bot.api.wait_sent(user, len(forged))
    assert [m["text"] for m in sent] == [content.text("unknown_button", "en")] * len(forged)
    assert [b for b in rasa.received if b["sender"] != "warm-up"] == []


async def test_an_inline_button_without_a_message_is_answered_and_does_nothing(
    start: Start,
) -> None:
    rasa = FakeRasa()
    bot = await start(rasa)
    user = next(_ids)
    bot.api.push(
        {
            "callback_query": {
                "id": "inline-1",
                "from": {"id": user, "is_bot": False, "first_name": "A", "language_code": "en"},
                "chat_instance": "ci",
                "inline_message_id": "inline-message",
                "data": "/housing",
            }
        }
    )
    for _ in range(100):
        if bot.api.calls_of("answerCallbackQuery"):
            break
        await asyncio.sleep(0.05)
    assert [c.params["callback_query_id"] for c in bot.api.calls_of("answerCallbackQuery")] == [
        "inline-1"
    ]
    assert bot.api.sent(user) == []


async def test_a_text_of_marks_only_is_answered_in_the_persons_language(start: Start) -> None:
    rasa = FakeRasa()
    bot = await start(rasa)
    user = next(_ids)
    bot.api.push(Updates.text(user, "\u0301\u0302\u0303 \u0308\u0308", language_code="en"))
    await bot.api.wait_sent(user, 1)
    body = next(b for b in rasa.received if b["sender"] != "warm-up")
    assert body["metadata"] == {"language": "en", "telegram_language": "en"}


# --- feedback and the inbox consent ---------------------------------------------------

_fb_ids = itertools.count(881_000_001)


class FallbackRasa(FakeRasa):
    """Every typed message ends in the fallback: the menu, then the offer to keep it."""

    def __init__(self, content: Content) -> None:
        super().__init__()
        self.content = content

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/webhooks/rest/webhook":
            return super().handler(request)
        body = json.loads(request.content)
        self.received.append(body)
        lang = body["metadata"]["language"]
        replies = [
            menu_reply(self.content, lang, "fallback"),
            consent_reply(self.content, lang, "fallback", ["housing"]),
        ]
        return httpx.Response(
            200,
            json=[
                {
                    "recipient_id": body["sender"],
                    "text": r.text,
                    "buttons": [{"title": b.title, "payload": b.payload} for b in r.buttons],
                }
                for r in replies
            ],
        )


def _data(message: dict[str, Any], title: str) -> str:
    markup = message["reply_markup"]["inline_keyboard"]
    return next(b["callback_data"] for row in markup for b in row if b["text"] == title)


def _inbox(person: str) -> list[dict[str, Any]]:
    from store.models import InboxItem  # noqa: PLC0415

    rows = InboxItem.objects.filter(pseudonym=person)
    return [{"text": r.text, "topics": r.topics, "reason": r.reason} for r in rows]


async def test_only_a_yes_keeps_the_question_and_it_is_scrubbed(
    start: Start, content: Content
) -> None:
    bot = await start(FallbackRasa(content))
    person_of = bot.app.bot_data.services.conversation.pseudonym
    no, yes = next(_fb_ids), next(_fb_ids)
    for user in (no, yes):
        text = "chci psa do bytu, volejte 777 123 456"
        bot.api.push(Updates.text(user, text, language_code="cs"))
    for user, title in ((no, "btn_keep_no"), (yes, "btn_keep_yes")):
        ask = (await bot.api.wait_sent(user, 2))[1]
        assert ask["text"] == content.text("inbox_consent", "cs")
        bot.api.push(Updates.button(user, _data(ask, content.text(title, "cs"))))
    assert (await bot.api.wait_sent(no, 3))[2]["text"] == content.text("inbox_not_kept", "cs")
    assert (await bot.api.wait_sent(yes, 3))[2]["text"].startswith(
        content.text("inbox_kept", "cs", days="30")[:20]
    )
    assert await asyncio.to_thread(_inbox, person_of(no)) == []
    kept = await asyncio.to_thread(_inbox, person_of(yes))
    assert kept == [
        {
            "text": "chci psa do bytu, volejte [phone]",
            "topics": ["housing"],
            "reason": "fallback",
        }
    ]


async def test_feedback_buttons_count_even_while_rasa_is_down(
    start: Start, content: Content
) -> None:
    from store.models import FeedbackCount  # noqa: PLC0415

    rasa = FakeRasa(fail=lambda body: "down")
    bot = await start(rasa)
    user = next(_fb_ids)
    bot.api.push(Updates.button(user, "/banking", language_code="en"))
    answer = (await bot.api.wait_sent(user, 1))[0]
    no = _data(answer, content.text("btn_no", "en"))
    assert no.startswith("fb:n:banking:")

    def votes() -> int:
        rows = FeedbackCount.objects.filter(topic="banking", helpful=False, language="en")
        return sum(rows.values_list("count", flat=True))

    before = await asyncio.to_thread(votes)
    bot.api.push(Updates.button(user, no, language_code="en"))
    sorry = (await bot.api.wait_sent(user, 2))[1]
    assert sorry["text"] == content.text("feedback_no", "en")
    assert _data(sorry, content.text("btn_handoff", "en")) == "/human_handoff"
    assert await asyncio.to_thread(votes) == before + 1
