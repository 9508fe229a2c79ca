"""The one codec of button data: what it builds, it parses; what the bot never sent, it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from poradnyk.content import Content, known_topics, load_content
from poradnyk.payload import Payload, build, is_sendable, language_of, parse

REPO = Path(__file__).resolve().parents[2]
INTENTS = frozenset(known_topics(REPO)) | {"bot_capabilities", "affirm", "deny", "human_handoff"}


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(REPO / "content", known_topics(REPO))


def test_build_and_parse_round_trip() -> None:
    assert build("housing") == "/housing"
    data = build("ngo_contacts", region="praha", sub="region")
    assert data == '/ngo_contacts{"region":"praha","sub":"region"}'
    assert parse(data) == Payload("ngo_contacts", {"region": "praha", "sub": "region"})


@given(
    st.sampled_from(sorted(INTENTS)),
    st.dictionaries(st.sampled_from(["region", "sub"]), st.text(max_size=20), max_size=2),
)
def test_parse_inverts_build(intent: str, entities: dict[str, str]) -> None:
    encoded = build(intent, **entities)
    if len(encoded) < 240:
        assert parse(encoded) == Payload(intent, entities)


@pytest.mark.parametrize(
    "data",
    [
        '/ngo_contacts{"region":{"a":[1,2,3]}}',  # a non-string value poisons a slot
        '/ngo_contacts{"region":["praha"]}',
        '/housing{"sub":1}',
        "/housing{not json}",
        '/housing{"a":"b"} trailing',
        "housing",
        "/Housing",
        "",
        "/" + "a" * 50,
        '/housing["sub"]',
    ],
)
def test_malformed_data_is_refused(data: str) -> None:
    assert parse(data) is None


@pytest.mark.parametrize(
    ("data", "ok"),
    [
        ("/housing", True),
        ('/ngo_contacts{"region":"praha"}', True),
        ('/ngo_contacts{"sub":"region"}', True),
        ('/ngo_contacts{"region":"atlantis"}', False),  # no such region
        ('/ngo_contacts{"sub":"deposit"}', False),  # contacts have one follow-up only
        ('/housing{"sub":"no_such_answer"}', False),  # stale or forged follow-up
        ('/housing{"colour":"red"}', False),  # entity the bot never sends
        ("/restart", False),  # intent the bot does not have
    ],
)
def test_only_what_the_bot_could_have_sent_is_sendable(
    content: Content, data: str, ok: bool
) -> None:
    payload = parse(data)
    assert payload is not None
    assert is_sendable(payload, content, INTENTS) is ok


def test_every_follow_up_button_of_every_topic_is_sendable(content: Content) -> None:
    for name, topic in content.topics.items():
        for sub in topic.more:
            payload = parse(build(name, sub=sub.id))
            assert payload is not None and is_sendable(payload, content, INTENTS), (name, sub.id)


@pytest.mark.parametrize(
    ("data", "lang"), [("lang:cs", "cs"), ("lang:uk", "uk"), ("lang:xx", None), ("/lang:cs", None)]
)
def test_language_buttons(data: str, lang: str | None) -> None:
    assert language_of(data) == lang
