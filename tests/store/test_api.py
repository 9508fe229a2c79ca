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


def test_one_vote_per_answer_and_person_and_the_count_holds_nobody(store: Store) -> None:
    from store.models import AnswerVote, FeedbackCount  # noqa: PLC0415

    def vote(person: str, helpful: bool, sub: str | None = "deposit") -> bool:
        return store.vote(
            person,
            topic="housing",
            sub=sub,
            language="cs",
            region="praha",
            version="20260228-aaaaaa",
            helpful=helpful,
        )

    assert vote("u-voter-1", True)
    assert not vote("u-voter-1", False)  # again: not counted
    assert vote("u-voter-2", True)
    assert vote("u-voter-1", True, sub=None)  # another answer
    row = FeedbackCount.objects.get(topic="housing", sub="deposit", version="20260228-aaaaaa")
    assert (row.count, row.helpful, row.language, row.region) == (2, True, "cs", "praha")
    field_names = {f.name for f in FeedbackCount._meta.get_fields()}
    assert not field_names & {"pseudonym", "text", "chat_id"}
    assert AnswerVote.objects.filter(pseudonym="u-voter-1").count() == 2
    store.forget("u-voter-1")
    assert not AnswerVote.objects.filter(pseudonym="u-voter-1").exists()
    assert FeedbackCount.objects.get(pk=row.pk).count == 2  # counts stay: they hold nobody


def test_inbox_rows_are_purged_after_their_period_and_forgotten(store: Store) -> None:
    from store.models import AnswerVote, DailyCount, InboxItem  # noqa: PLC0415

    old = store.inbox_add("u-inbox-old", "an old question", "uk", ["work"], "fallback")
    new = store.inbox_add("u-inbox-new", "a new question", "uk", [], "out_of_scope")
    store.vote(
        "u-inbox-old", topic="work", sub=None, language="uk", region=None, version="", helpful=False
    )
    long_ago = timezone.now().date() - timedelta(days=31)
    InboxItem.objects.filter(pk=old).update(day=long_ago)
    AnswerVote.objects.filter(pseudonym="u-inbox-old").update(day=long_ago)
    assert store.purge_feedback(inbox_days=30, vote_days=90) == 1
    assert not InboxItem.objects.filter(pk=old).exists()
    assert AnswerVote.objects.filter(pseudonym="u-inbox-old").exists()  # kept 90 days
    assert store.purge_feedback(inbox_days=30, vote_days=30) == 1
    assert [r.id for r in store.inbox() if r.id == new] == [new]
    store.forget("u-inbox-new")
    assert not InboxItem.objects.filter(pk=new).exists()
    assert DailyCount.objects.filter(kind="inbox", topic="work").exists()


def test_counters_add_up_per_day_kind_topic_and_language(store: Store) -> None:
    today = timezone.now().date()
    before = dict(((k, t, lang), n) for _, k, t, lang, n in store.daily_counts(today, today))
    store.count_all([("message", "banking", "cs"), ("message", "banking", "cs")])
    store.count("typed", language="cs", n=3)
    after = {(k, t, lang): n for _, k, t, lang, n in store.daily_counts(today, today)}
    assert after[("message", "banking", "cs")] == before.get(("message", "banking", "cs"), 0) + 2
    assert after[("typed", "", "cs")] == before.get(("typed", "", "cs"), 0) + 3
