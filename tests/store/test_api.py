"""The adapter's store: preferences under pseudonyms, /forget, expiry, callback keys."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from store.api import AsyncStore, Pseudonyms, Store, setup_django


@pytest.fixture(scope="module")
def store() -> Store:
    setup_django()
    return Store()


def test_preferences_survive_a_new_store(store: Store) -> None:
    store.update("u-prefs", chosen_language="cs")
    store.update("u-prefs", last_language="en")
    prefs = Store().prefs("u-prefs")
    assert (prefs.chosen_language, prefs.last_language) == ("cs", "en")


def test_a_new_person_has_defaults(store: Store) -> None:
    prefs = store.prefs("u-nobody")
    assert (prefs.chosen_language, prefs.last_language) == (None, None)


def test_pseudonym_is_stable_per_data_folder_and_hides_the_id(tmp_path: Path) -> None:
    first = Pseudonyms(tmp_path / "a").of(424242)
    assert "424242" not in first
    assert Pseudonyms(tmp_path / "a").of(424242) == first
    assert Pseudonyms(tmp_path / "b").of(424242) != first
    assert (tmp_path / "a" / "sender_salt").stat().st_mode & 0o777 == 0o600


def test_forget_deletes_the_person_only(store: Store) -> None:
    store.update("u-forget-1", last_language="uk")
    store.update("u-forget-2", last_language="cs")
    assert store.forget("u-forget-1") == 1
    assert store.prefs("u-forget-1").last_language is None
    assert store.prefs("u-forget-2").last_language == "cs"
    assert store.forget("u-forget-1") == 0


def test_expired_lists_people_silent_longer_than_the_period(store: Store) -> None:
    from store.models import Person  # noqa: PLC0415 - only after setup_django()

    store.update("u-old", last_language="uk")
    store.update("u-recent", last_language="uk")
    Person.objects.filter(pk="u-old").update(last_seen=timezone.now() - timedelta(days=91))
    expired = store.expired(90)
    assert "u-old" in expired
    assert "u-recent" not in expired


def test_long_callback_payloads_get_a_short_key(store: Store) -> None:
    payload = '/ngo_contacts{"region":"moravskoslezsky","sub":"' + "x" * 80 + '"}'
    key = store.remember_callback(payload)
    assert len(key) <= 20
    assert store.remember_callback(payload) == key
    assert store.callback_payload(key) == payload
    assert store.callback_payload("unknown") is None


async def test_async_store_runs_calls_off_the_event_loop(store: Store) -> None:
    loop_thread = threading.get_ident()
    async_store = AsyncStore(store)
    seen = await async_store.run(threading.get_ident)
    await async_store.update("u-async", chosen_language="en")
    assert (await async_store.prefs("u-async")).chosen_language == "en"
    assert seen != loop_thread
    async_store.close()


def test_intake_stores_each_update_once_in_order(store: Store) -> None:
    assert store.intake_add([(9003, "{}"), (9001, "{}"), (9002, "{}")]) == [9003, 9001, 9002]
    assert store.intake_add([(9002, "{}"), (9004, '{"a": 1}')]) == [9004]
    assert store.intake_start(9004) == 2
    assert store.intake_start(9004) == 3
    assert store.intake_start(123456789) == 0
    pending = {update_id: (raw, state) for update_id, raw, state in store.intake_pending()}
    assert pending[9004] == ('{"a": 1}', "new")


def test_a_handled_update_keeps_no_content_and_a_kept_one_waits(store: Store) -> None:
    from store.models import Intake  # noqa: PLC0415 - only after setup_django()

    store.intake_add([(9101, '{"text": "a"}'), (9102, '{"text": "b"}')])
    store.intake_keep(9102)
    store.intake_done(9101)
    store.intake_done(9102)  # kept for when Rasa is back: not done yet
    assert Intake.objects.get(pk=9101).raw == ""
    assert Intake.objects.get(pk=9102).state == Intake.KEPT
    store.intake_done(9102, kept_too=True)
    assert Intake.objects.filter(pk__in=[9101, 9102], state=Intake.DONE, raw="").count() == 2


def test_outbox_hands_out_a_chats_messages_in_order_and_never_twice(store: Store) -> None:
    from store.models import Outbox  # noqa: PLC0415 - only after setup_django()

    before = timezone.now()
    store.outbox_add(777, [("k1:0", "first", "{}"), ("k1:1", "second", "")])
    store.outbox_add(777, [("k1:0", "first again", "{}")])  # a key already queued
    first = store.outbox_next(777)
    assert first is not None
    assert (first.text, first.markup, first.attempts, first.chat_id) == ("first", "{}", 0, 777)
    assert before <= first.created <= timezone.now()
    assert first.not_before == first.created
    second = store.outbox_sent_then_next(first.id, 777)
    assert second is not None
    assert second.text == "second"
    assert store.outbox_sent_then_next(second.id, 777) is None
    sent = Outbox.objects.get(key="k1:0")
    assert (sent.state, sent.chat_id, sent.text) == (Outbox.SENT, 0, "")
