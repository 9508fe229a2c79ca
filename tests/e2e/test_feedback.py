"""End to end: feedback on an answer, the consent to keep a question, the inbox, the purge."""

from __future__ import annotations

import asyncio
import itertools
import re
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

from harness.bot_api import Updates
from harness.stack import REPO_ROOT, Stack
from poradnyk.compose import answer_version
from poradnyk.content import Content
from poradnyk.languages import LANGUAGES
from poradnyk.payload import feedback_of
from tests.e2e.conftest import StartBot, buttons, stored_in

_ids = itertools.count(987_660_001)

UNCLEAR = "xqzv blorp wmmf trrk"
"""Words of no language: the model's confidence is low, so Rasa falls back."""


def new_user() -> int:
    """A user id no other test uses (the stores are shared by the session)."""
    return next(_ids)


def data_of(message: dict[str, Any], title: str) -> str:
    """The callback data of the button titled ``title``."""
    found = [data for t, data in buttons(message) if t == title]
    assert found, f"no button {title!r} in {buttons(message)}"
    return found[0]


def _rows(model: str, **filters: Any) -> list[dict[str, Any]]:
    from store import models  # noqa: PLC0415 - Django is set up by the running bot

    return list(getattr(models, model).objects.filter(**filters).values())


async def rows(model: str, **filters: Any) -> list[dict[str, Any]]:
    """Rows of a store table (read in a thread: Django is synchronous)."""
    return await asyncio.to_thread(_rows, model, **filters)


async def test_a_no_vote_then_what_was_missing_goes_to_the_inbox_scrubbed(
    start_bot: StartBot, content: Content, stack: Stack
) -> None:
    bot = await start_bot()
    user = new_user()
    person = bot.app.bot_data.services.conversation.pseudonym(user)
    bot.api.push(Updates.text(user, "Who pays my health insurance?", language_code="en"))
    (answer,) = await bot.api.wait_sent(user, 1)
    no = data_of(answer, content.text("btn_no", "en"))
    pressed = feedback_of(no, content)
    assert pressed is not None and pressed.topic == "health_insurance"
    assert pressed.version == answer_version(content, "health_insurance")
    before = sum(
        r["count"] for r in await rows("FeedbackCount", topic="health_insurance", helpful=False)
    )

    bot.api.push(Updates.button(user, no, language_code="en"))
    sorry = (await bot.api.wait_sent(user, 2))[1]
    assert sorry["text"] == content.text("feedback_no", "en")
    titles = [t for t, _ in buttons(sorry)]
    assert titles[:2] == [content.text("btn_missing", "en"), content.text("btn_handoff", "en")]
    assert data_of(sorry, content.text("btn_handoff", "en")) == "/human_handoff"
    # Pressed twice: still one vote (one per answer and person).
    bot.api.push(Updates.button(user, no, language_code="en"))
    await bot.api.wait_sent(user, 3)
    votes = await rows("FeedbackCount", topic="health_insurance", helpful=False)
    assert sum(r["count"] for r in votes) == before + 1
    assert {"en"} <= {r["language"] for r in votes}
    assert len(await rows("AnswerVote", pseudonym=person)) == 1

    bot.api.push(Updates.button(user, data_of(sorry, titles[0]), language_code="en"))
    prompt = (await bot.api.wait_sent(user, 4))[3]
    assert prompt["text"] == content.text("missing_prompt", "en")
    missing = "Nothing about dentists. My name is Olena Shevchenko, call +420 777 123 456"
    bot.api.push(Updates.text(user, missing, language_code="en"))
    ask = (await bot.api.wait_sent(user, 5))[4]
    assert ask["text"] == content.text("inbox_consent", "en")
    bot.api.push(Updates.button(user, data_of(ask, content.text("btn_keep_yes", "en"))))
    kept = (await bot.api.wait_sent(user, 6))[5]
    assert kept["text"] == content.text("inbox_kept", "en", days="30")

    (item,) = await rows("InboxItem", pseudonym=person)
    assert item["text"] == "Nothing about dentists. My name is [name], call [phone]"
    assert (item["topics"], item["reason"], item["language"]) == (
        ["health_insurance"],
        "missing",
        "en",
    )
    stores = [stack.data_dir]
    for secret in ("Shevchenko", "777 123 456"):
        assert await _eventually_gone(stores, secret), secret


async def test_fallback_then_consent_no_stores_nothing(
    start_bot: StartBot, content: Content, stack: Stack
) -> None:
    bot = await start_bot()
    user = new_user()
    person = bot.app.bot_data.services.conversation.pseudonym(user)
    words = f"{UNCLEAR} zorblax"
    bot.api.push(Updates.text(user, words, language_code="cs"))
    sent = await bot.api.wait_sent(user, 2)
    assert sent[1]["text"] == content.text("inbox_consent", "cs")
    bot.api.push(Updates.button(user, data_of(sent[1], content.text("btn_keep_no", "cs"))))
    done = (await bot.api.wait_sent(user, 3))[2]
    assert done["text"] == content.text("inbox_not_kept", "cs")
    assert await rows("InboxItem", pseudonym=person) == []
    # Not in any store: neither database (log included) nor Rasa's nor the data folder.
    assert await _eventually_gone([stack.data_dir], "zorblax")
    # A late "yes" on the same question finds nothing to keep.
    bot.api.push(Updates.button(user, data_of(sent[1], content.text("btn_keep_yes", "cs"))))
    late = (await bot.api.wait_sent(user, 4))[3]
    assert late["text"] == content.text("inbox_gone", "cs")
    assert await rows("InboxItem", pseudonym=person) == []


async def test_fallback_then_consent_yes_keeps_it_scrubbed_until_the_purge(
    start_bot: StartBot, content: Content
) -> None:
    from bot.retention import purge_once  # noqa: PLC0415

    bot = await start_bot()
    user = new_user()
    person = bot.app.bot_data.services.conversation.pseudonym(user)
    before = await rows("DailyCount", kind="fallback", language="en")
    bot.api.push(Updates.text(user, f"{UNCLEAR} olena.k@seznam.cz", language_code="en"))
    sent = await bot.api.wait_sent(user, 2)
    bot.api.push(Updates.button(user, data_of(sent[1], content.text("btn_keep_yes", "en"))))
    await bot.api.wait_sent(user, 3)
    (item,) = await rows("InboxItem", pseudonym=person)
    assert item["text"] == f"{UNCLEAR} [e-mail]"
    assert item["reason"] == "fallback" and item["language"] == "en"
    after = await rows("DailyCount", kind="fallback", language="en")
    assert sum(r["count"] for r in after) == sum(r["count"] for r in before) + 1

    # The purge keeps it for the inbox period, and deletes it after.
    conversation = bot.app.bot_data.services.conversation
    await purge_once(bot.settings, conversation)
    assert len(await rows("InboxItem", pseudonym=person)) == 1
    await asyncio.to_thread(_age_inbox, person, bot.settings.inbox_days + 1)
    await purge_once(bot.settings, conversation)
    assert await rows("InboxItem", pseudonym=person) == []


def _age_inbox(person: str, days: int) -> None:
    from store.models import InboxItem  # noqa: PLC0415

    for item in InboxItem.objects.filter(pseudonym=person):
        InboxItem.objects.filter(pk=item.pk).update(day=item.day - timedelta(days=days))


async def _eventually_gone(stores: list[Any], needle: str, seconds: float = 10.0) -> bool:
    for _ in range(int(seconds / 0.2)):
        if not await asyncio.to_thread(stored_in, stores, needle):
            return True
        await asyncio.sleep(0.2)
    return False


async def test_the_same_question_twice_is_one_inbox_entry_and_becomes_an_example(
    start_bot: StartBot, content: Content, tmp_path: Path
) -> None:
    bot = await start_bot()
    tag = "zumbrakt"  # letters: digits would be masked as a number
    # The same unclear words, in Latin letters and in Cyrillic, from two people.
    asked = [f"{UNCLEAR} {tag}", f"ксqзв блорп ммф тррк {tag}"]
    for words in asked:
        user = new_user()
        bot.api.push(Updates.text(user, words, language_code="uk"))
        sent = await bot.api.wait_sent(user, 2)
        # (Letters of no language: the reply language is a guess.)
        assert sent[1]["text"] in {content.text("inbox_consent", lang) for lang in LANGUAGES}
        keep = [d for _, d in buttons(sent[1]) if d.startswith("keep:y:")]
        bot.api.push(Updates.button(user, keep[0], language_code="uk"))
        await bot.api.wait_sent(user, 3)
    nlu = Path(shutil.copytree(REPO_ROOT / "nlu_data", tmp_path / "nlu_data"))
    page, written = await asyncio.to_thread(_train_from_the_console, tag, nlu)
    assert "×2" in page
    assert all(page.count(words) == 1 for words in asked)
    assert [line.strip() for line in written.splitlines()[-2:]] == [f"- {w}" for w in asked[::-1]]
    assert not any(w in (REPO_ROOT / "nlu_data/topics/housing.yml").read_text() for w in asked)


def _train_from_the_console(tag: str, nlu: Path) -> tuple[str, str]:
    """As an editor in the console: the inbox page, then "add as a training example"."""
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.test import Client, override_settings  # noqa: PLC0415

    from console.editorial import roles  # noqa: PLC0415

    editor = get_user_model().objects.create(username=f"inbox-editor-{tag}")
    roles.assign(editor, roles.EDITOR)
    client = Client(SERVER_NAME="localhost")
    client.force_login(editor)
    with override_settings(PORADNYK_NLU_DIR=nlu):
        page = client.get("/insights/inbox/").content.decode()
        ids = re.findall(rf'<q>[^<]*{tag}</q>.*?name="ids" value="([\d,]+)"', page, re.DOTALL)
        assert len(ids) == 1, page
        client.post("/insights/inbox/act/", {"ids": ids[0], "action": "train", "topic": "housing"})
    return page, (nlu / "topics" / "housing.yml").read_text(encoding="utf-8")
