"""End to end: Bot API stand-in -> python-telegram-bot Application -> Rasa -> actions -> back."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from pathlib import Path

import pytest

from harness.bot_api import TOKEN, Updates
from harness.stack import Stack
from poradnyk.content import Content
from tests.e2e.conftest import StartBot, buttons, latest_case, stored_in

_ids = itertools.count(987_650_001)  # distinctive: tests look for them in the stores


def new_user() -> int:
    """A user id no other test uses (the stores are shared by the session)."""
    return next(_ids)


async def test_start_then_language_choice_then_menu(start_bot: StartBot, content: Content) -> None:
    bot = await start_bot()
    user = new_user()
    bot.api.push(Updates.text(user, "/start", language_code="ru"))
    greeting, choice = await bot.api.wait_sent(user, 2)
    assert greeting["text"] == content.text("greeting", "uk")  # Russian app -> Ukrainian
    assert [data for _, data in buttons(choice)] == ["lang:cs", "lang:uk", "lang:en"]

    bot.api.push(Updates.button(user, "lang:en", language_code="ru"))
    sent = await bot.api.wait_sent(user, 4)
    assert sent[2]["text"] == content.text("language_set", "en")
    titles = [title for title, _ in buttons(sent[3])]
    assert content.topics["housing"].title.en in titles
    assert bot.api.calls_of("answerCallbackQuery")

    # The explicit choice wins over the language of later messages.
    bot.api.push(Updates.text(user, "Як продовжити тимчасовий захист?", language_code="ru"))
    answer = (await bot.api.wait_sent(user, 5))[4]
    assert content.topics["protection_extension"].title.en in answer["text"]


@pytest.mark.parametrize(
    ("text", "language_code", "topic", "lang"),
    [
        ("Як продовжити тимчасовий захист на наступний рік?", "uk", "protection_extension", "uk"),
        ("Kde najdu praktického lékaře pro dítě?", "cs", "healthcare_access", "cs"),
        ("Who pays my health insurance after the first months?", "en", "health_insurance", "en"),
        ("как получить гуманитарную помощь от úřad práce", "ru", "humanitarian_benefit", "uk"),
    ],
)
async def test_question_in_each_language(
    start_bot: StartBot, content: Content, text: str, language_code: str, topic: str, lang: str
) -> None:
    bot = await start_bot()
    user = new_user()
    bot.api.push(Updates.text(user, text, language_code=language_code))
    (answer,) = await bot.api.wait_sent(user, 1)
    assert answer["parse_mode"] == "HTML"
    assert f"<b>{content.topics[topic].title.get(lang)}</b>" in answer["text"]
    assert content.text("feedback_question", lang) in answer["text"]
    assert any(data.startswith("fb:y:") for _, data in buttons(answer))


async def test_no_typing_for_a_quick_answer(start_bot: StartBot) -> None:
    # "typing..." would cost a Bot API call per message and nobody would see it.
    bot = await start_bot(PORADNYK_TYPING_AFTER="30")
    user = new_user()
    bot.api.push(Updates.text(user, "Where can I find a doctor?", language_code="en"))
    await bot.api.wait_sent(user, 1)
    assert not bot.api.calls_of("sendChatAction")


async def test_typing_shown_while_an_answer_is_slow(start_bot: StartBot) -> None:
    bot = await start_bot(PORADNYK_TYPING_AFTER="0.2")
    bot.proxy.mode = "slow"
    user = new_user()
    bot.api.push(Updates.text(user, "Where can I find a doctor?", language_code="en"))
    await bot.api.wait_sent(user, 1)
    (typing,) = [c for c in bot.api.calls_of("sendChatAction") if int(c.params["chat_id"]) == user]
    assert typing.params["action"] == "typing"


async def test_follow_up_button_and_feedback(start_bot: StartBot, content: Content) -> None:
    bot = await start_bot()
    user = new_user()
    topic = content.topics["health_insurance"]
    bot.api.push(Updates.text(user, "Хто платить за мою медичну страховку?", language_code="uk"))
    (answer,) = await bot.api.wait_sent(user, 1)
    sub_data = dict((d, t) for t, d in buttons(answer))
    wanted = f'/health_insurance{{"sub":"{topic.more[0].id}"}}'
    assert wanted in sub_data

    bot.api.push(Updates.button(user, wanted))
    follow_up = (await bot.api.wait_sent(user, 2))[1]
    assert topic.more[0].text.uk.splitlines()[0] in follow_up["text"].replace("&#x27;", "'")

    yes = dict(buttons(follow_up))[content.text("btn_yes", "uk")]
    bot.api.push(Updates.button(user, yes))
    thanks = (await bot.api.wait_sent(user, 3))[2]
    assert thanks["text"] == content.text("feedback_thanks", "uk")


async def test_region_from_a_city_name_in_the_question(
    start_bot: StartBot, content: Content
) -> None:
    bot = await start_bot()
    user = new_user()
    bot.api.push(Updates.text(user, "Де знайти інтеграційний центр у Брні?", language_code="uk"))
    (contacts,) = await bot.api.wait_sent(user, 1)
    assert content.regions["jihomoravsky"].uk in contacts["text"]


async def test_non_text_messages_get_a_friendly_reply(
    start_bot: StartBot, content: Content
) -> None:
    bot = await start_bot()
    user = new_user()
    bot.api.push(Updates.sticker(user, language_code="cs"))
    bot.api.push(Updates.voice(user, language_code="cs"))
    bot.api.push(Updates.photo(user, language_code="cs"))
    bot.api.push(Updates.edited(user, "oprava", language_code="cs"))
    sent = await bot.api.wait_sent(user, 4)
    texts = sorted(m["text"] for m in sent)
    assert texts == sorted(
        content.text(k, "cs") for k in ("non_text", "voice", "non_text", "edited")
    )


async def test_location_sets_region(start_bot: StartBot, content: Content) -> None:
    bot = await start_bot()
    user = new_user()
    bot.api.push(Updates.location(user, 49.8209, 18.2625, language_code="en"))  # Ostrava
    (contacts,) = await bot.api.wait_sent(user, 1)
    assert content.regions["moravskoslezsky"].en in contacts["text"]
    bot.api.push(Updates.location(user, 52.52, 13.40, language_code="en"))  # Berlin
    outside = (await bot.api.wait_sent(user, 2))[1]
    assert outside["text"] == content.text("location_outside", "en")


async def test_ten_thousand_characters(start_bot: StartBot, content: Content) -> None:
    bot = await start_bot()
    user = new_user()
    text = "Потрібна допомога з житлом. " * 360  # ~10,000 characters
    bot.api.push(Updates.text(user, text, language_code="uk"))
    sent = await bot.api.wait_sent(user, 2)
    assert sent[0]["text"] == content.text("too_long", "uk")
    assert all(len(m["text"]) <= 4096 for m in sent)


async def _eventually_gone(stores: list[Path], needle: str, seconds: float = 6.0) -> bool:
    for _ in range(int(seconds / 0.2)):
        if not stored_in(stores, needle):
            return True
        await asyncio.sleep(0.2)
    return False


async def test_forget_removes_everything_stored(
    start_bot: StartBot, content: Content, stack: Stack, staff_content: Path
) -> None:
    bot = await start_bot(PORADNYK_CONTENT_DIR=str(staff_content))
    user = new_user()
    question = "Where can I take a Czech language course in Prague? My number is 777"
    bot.api.push(Updates.text(user, question, language_code="en"))
    in_prague = (await bot.api.wait_sent(user, 1))[0]
    person = bot.app.bot_data.services.conversation.pseudonym(user)
    stores = [stack.data_dir]
    # Every store holds the person under the pseudonym only, and none holds the words:
    # the incoming update and the queued answer (with the Telegram id) are wiped from the
    # database, its log included, within seconds of being handled.
    assert stored_in(stores, person), "nothing stored for the person at all?"
    for needle in (str(user), question, "take a Czech"):
        assert await _eventually_gone(stores, needle), needle

    # A vote and a question kept for the inbox (with consent) are the person's too.
    no = dict(buttons(in_prague))[content.text("btn_no", "en")]
    bot.api.push(Updates.button(user, no, language_code="en"))
    sorry = (await bot.api.wait_sent(user, 2))[1]
    missing = dict(buttons(sorry))[content.text("btn_missing", "en")]
    bot.api.push(Updates.button(user, missing, language_code="en"))
    await bot.api.wait_sent(user, 3)
    bot.api.push(Updates.text(user, "Evening courses are missing", language_code="en"))
    ask = (await bot.api.wait_sent(user, 4))[3]
    keep = dict(buttons(ask))[content.text("btn_keep_yes", "en")]
    bot.api.push(Updates.button(user, keep, language_code="en"))
    await bot.api.wait_sent(user, 5)
    assert stored_in(stores, "Evening courses are missing")

    # A case with NGO staff is open (its summary holds the question) when they /forget.
    bot.api.push(Updates.text(user, "/human", language_code="en"))
    await bot.api.wait_sent(user, 6)
    bot.api.push(Updates.button(user, "hand:send", language_code="en"))
    await bot.api.wait_sent(user, 7)
    (thread,) = await bot.api.wait_topic_created(1)
    bot.api.push(Updates.text(user, "Please call me", language_code="en"))
    await bot.api.wait_topic(thread, 2)

    case = await latest_case()
    bot.api.push(Updates.text(user, "/forget", language_code="en"))
    done = (await bot.api.wait_sent(user, 8))[7]
    assert done["text"] == content.text("forget_done", "en")
    note = (await bot.api.wait_topic(thread, 3))[2]
    assert note["text"] == content.text("staff_user_forgot", "en", case=case)
    assert stored_in(stores, person) == []
    for needle in (str(user), question, "Please call me", "Evening courses are missing"):
        assert await _eventually_gone(stores, needle), needle

    # Rasa has forgotten too (nothing served from its memory): the region is gone.
    stranger = new_user()
    question = "Where can I learn Czech?"
    bot.api.push(Updates.text(stranger, question, language_code="en"))
    bot.api.push(Updates.text(user, question, language_code="en"))
    fresh, after = await asyncio.gather(bot.api.wait_sent(stranger, 1), bot.api.wait_sent(user, 9))
    assert after[8]["text"] == fresh[0]["text"] != in_prague["text"]


async def test_two_users_at_once(start_bot: StartBot, content: Content) -> None:
    bot = await start_bot()
    first, second = new_user(), new_user()
    bot.api.push(Updates.text(first, "Jak si otevřít bankovní účet?", language_code="cs"))
    bot.api.push(Updates.text(second, "How do I enrol my child in school?", language_code="en"))
    a, b = await asyncio.gather(bot.api.wait_sent(first, 1), bot.api.wait_sent(second, 1))
    assert content.topics["banking"].title.cs in a[0]["text"]
    assert content.topics["education"].title.en in b[0]["text"]


async def test_forged_button_data_and_unknown_command(
    start_bot: StartBot, content: Content
) -> None:
    bot = await start_bot()
    user = new_user()
    bot.api.push(Updates.button(user, '/restart{"x":1}', language_code="en"))
    bot.api.push(Updates.button(user, "k:doesnotexist", language_code="en"))
    bot.api.push(Updates.text(user, "/hack", language_code="en"))
    sent = await bot.api.wait_sent(user, 3)
    texts = [m["text"] for m in sent]
    assert texts.count(content.text("unknown_button", "en")) == 2
    assert content.text("unknown_command", "en") in texts
    assert len(bot.api.calls_of("answerCallbackQuery")) == 2


async def test_groups_get_one_pointer_and_no_button_acts_there(
    start_bot: StartBot, content: Content, stack: Stack
) -> None:
    bot = await start_bot()
    user = new_user()
    group = -100 - user
    bot.api.push(Updates.text(user, "/start", language_code="en", chat_type="group"))
    bot.api.push(Updates.text(user, "/menu", language_code="en", chat_type="group"))
    bot.api.push(Updates.button(user, "/housing", language_code="en", chat_type="group"))
    bot.api.push(Updates.button(user, '/ngo_contacts{"sub":"region"}', chat_type="group"))
    for _ in range(100):
        if len(bot.api.calls_of("answerCallbackQuery")) == 2:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # what would come after the buttons, if anything did
    sent = bot.api.sent(group)
    assert [m["text"] for m in sent] == [content.text("group_chat", "en")]
    assert buttons(sent[0]) == [
        (content.text("btn_private_chat", "en"), "https://t.me/poradnyk_test_bot")
    ]
    assert bot.api.sent(user) == []
    # Nothing was started for the person who pressed: no conversation, no preferences.
    person = bot.app.bot_data.services.conversation.pseudonym(user)
    assert stored_in([stack.data_dir], person) == []


async def test_webhook_mode_checks_the_secret_token(start_bot: StartBot, content: Content) -> None:
    bot = await start_bot(webhook=True)
    user = new_user()
    assert bot.api.webhook is not None
    assert bot.api.webhook["secret_token"] == "s3cret-token"
    status = await bot.api.post_to_webhook(Updates.text(user, "/help", language_code="cs"), "wrong")
    assert status == 403
    status = await bot.api.post_to_webhook(
        Updates.text(user, "/help", language_code="cs"), "s3cret-token"
    )
    assert status == 200
    (reply,) = await bot.api.wait_sent(user, 1)
    assert reply["text"].startswith(content.text("help", "cs").splitlines()[0][:20])


async def test_commands_are_registered_in_three_languages(
    start_bot: StartBot, content: Content
) -> None:
    bot = await start_bot()
    calls = bot.api.calls_of("setMyCommands")
    by_lang = {c.params.get("language_code"): c.params["commands"] for c in calls}
    assert set(by_lang) >= {None, "cs", "uk", "en"}
    assert {c["command"] for c in by_lang["cs"]} == {
        "start", "menu", "language", "contacts", "subscribe", "human", "help", "privacy",
        "forget",
    }  # fmt: skip
    assert by_lang["en"][0]["description"] == content.text("cmd_start", "en")


async def test_logs_hold_no_message_text_and_no_token(
    start_bot: StartBot, caplog: pytest.LogCaptureFixture, stack: Stack
) -> None:
    secret_question = "Моя сусідка Олена Шевченко питає про житло"
    with caplog.at_level(logging.DEBUG):
        bot = await start_bot()
        user = new_user()
        bot.api.push(Updates.text(user, secret_question, language_code="uk"))
        await bot.api.wait_sent(user, 1)
    info_and_up = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    assert "Шевченко" not in info_and_up
    assert TOKEN.split(":")[1] not in info_and_up
    # At DEBUG python-telegram-bot logs its URLs; python -m bot redacts them (test_main.py).
    for service in (stack.rasa, stack.actions):  # the servers' own logs, also JSON-escaped
        log = service.tail(10**7)
        assert "Шевченко" not in log and json.dumps("Шевченко")[1:-1] not in log
