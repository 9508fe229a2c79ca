"""The adapter's store: preferences under pseudonyms, /forget, expiry, callback keys."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from store.api import AsyncStore, Pseudonyms, Store, setup_django


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    """The store; the queues it filled are emptied after the module (later tests in the
    same process start adapters that would otherwise take these updates as their own)."""
    setup_django()
    yield Store()
    from store.models import Case, Intake, Outbox  # noqa: PLC0415 - after setup_django()

    Intake.objects.all().delete()
    Outbox.objects.all().delete()
    Case.objects.all().delete()


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


def _case(store: Store, person: str, chat: int = 555) -> int:
    case, created = store.case_open(person, chat, "uk", "praha", "housing", -100777, False)
    assert created
    return case.number


def test_one_open_case_per_person_and_its_topic(store: Store) -> None:
    number = _case(store, "u-case-1")
    again, created = store.case_open("u-case-1", 555, "uk", "", "", -100777, False)
    assert (again.number, created) == (number, False)
    store.case_update(number, thread_id=42)
    found = store.case_in_thread(-100777, 42)
    assert found is not None and found.number == number and found.is_open
    with pytest.raises(ValueError):
        store.case_update(number, chat_id=1)
    closed = store.case_close(number)
    assert closed is not None and closed.chat_id == 555
    assert store.case_close(number) is None  # closing twice does nothing
    after = store.case_get(number)
    assert after is not None and not after.is_open and after.chat_id == 0
    assert store.case_of("u-case-1") is None
    assert store.case_open("u-case-1", 555, "uk", "", "", -100777, False)[1]  # a new case


def test_topic_sends_are_retargeted_and_copies_forget_their_source(store: Store) -> None:
    store.outbox_add(-100777, [("t-case:0", "summary", "")], thread_id=-9001)
    store.outbox_add_copy("t-copy", -100777, 987, 12, -9001)
    assert store.outbox_retarget(-100777, -9001, 77) == 2
    first = store.outbox_next(-100777)
    assert first is not None and first.thread_id == 77 and first.copy_from is None
    store.outbox_sent(first.id)
    copy = store.outbox_next(-100777)
    assert copy is not None and (copy.copy_from, copy.copy_id, copy.thread_id) == (987, 12, 77)
    store.outbox_sent(copy.id)
    from store.models import Outbox  # noqa: PLC0415

    assert Outbox.objects.get(key="t-copy").copy_from is None


def test_forget_deletes_cases_and_copies_still_waiting(store: Store) -> None:
    from store.models import Case, Outbox  # noqa: PLC0415

    number = _case(store, "u-case-forget", chat=8_765_001)
    store.outbox_add_copy("t-forget-copy", -100777, 8_765_001, 3, -number)
    store.forget("u-case-forget")
    assert not Case.objects.filter(pseudonym="u-case-forget").exists()
    assert not Outbox.objects.filter(key="t-forget-copy").exists()


def test_expiry_keeps_an_open_case_and_drops_closed_ones(store: Store) -> None:
    from store.models import Case  # noqa: PLC0415

    closed = _case(store, "u-case-expire")
    store.case_close(closed)
    still = _case(store, "u-case-expire")
    store.expire("u-case-expire")
    assert list(Case.objects.filter(pseudonym="u-case-expire").values_list("pk", flat=True)) == [
        still
    ]


def test_a_case_is_stored_with_its_summary_or_not_at_all(store: Store) -> None:
    from store.models import Case, Outbox  # noqa: PLC0415

    case, created = store.case_open(
        "u-case-summary", 5, "en", "", "", -100778, False, lambda n: [(f"case{n}:0", "hi", "")]
    )
    assert created
    row = Outbox.objects.get(key=f"case{case.number}:0")
    assert (row.chat_id, row.thread_id) == (-100778, -case.number)

    def broken(number: int) -> list[tuple[str, str, str]]:
        raise RuntimeError("rendering failed")

    with pytest.raises(RuntimeError):
        store.case_open("u-case-broken", 6, "en", "", "", -100778, False, broken)
    assert not Case.objects.filter(pseudonym="u-case-broken").exists()


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


def test_a_persons_waiting_updates_come_oldest_first_and_lose_their_key_when_done(
    store: Store,
) -> None:
    from store.models import Intake  # noqa: PLC0415 - only after setup_django()

    raws = [(9203, '{"n": 3}'), (9201, '{"n": 1}'), (9202, '{"other": 1}'), (9204, '{"n": 4}')]
    store.intake_add(raws, {9201: 77, 9203: 77, 9204: 77, 9202: 78})
    assert store.intake_of_person(77, 9203) == [(9201, '{"n": 1}'), (9203, '{"n": 3}')]
    store.intake_done(9201)
    assert store.intake_of_person(77, 9204) == [(9203, '{"n": 3}'), (9204, '{"n": 4}')]
    assert store.intake_of_person(78, 9204) == [(9202, '{"other": 1}')]
    assert Intake.objects.get(pk=9201).person is None  # nothing left to link it to anyone
    store.intake_keep(9203)  # kept for when Rasa is back: the recovery's, not listed
    assert store.intake_of_person(77, 9204) == [(9204, '{"n": 4}')]


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
