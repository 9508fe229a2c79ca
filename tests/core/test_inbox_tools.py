"""Near-duplicate grouping, the NLU example writer and the feedback/consent button codec."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from poradnyk.compose import answer_version, consent_reply, feedback_no_reply, topic_reply
from poradnyk.content import Content, known_topics, load_content
from poradnyk.nlu_writer import NluWriteError, add_example, clean_example, has_example
from poradnyk.payload import (
    Consent,
    Feedback,
    build_consent,
    build_feedback,
    consent_of,
    feedback_of,
)
from poradnyk.payload import build as build_payload
from poradnyk.similar import group, similarity

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(REPO / "content", known_topics(REPO))


@pytest.fixture
def nlu_dir(tmp_path: Path) -> Path:
    """A copy of the real training data: tests never write into nlu_data/."""
    return Path(shutil.copytree(REPO / "nlu_data", tmp_path / "nlu_data"))


def test_the_same_question_in_other_spellings_groups_once() -> None:
    texts = [
        "где получить медицинскую страховку",  # Russian, Cyrillic
        "gde poluchit medicinskuyu strahovku",  # the same, transliterated
        "де отримати медичну страховку",  # Ukrainian
        "kde si vyřídím byt v Brně",  # another question
        "kde si vyridim byt v Brne",  # the same without diacritics
    ]
    groups = group(texts)
    assert [g.members for g in groups] == [[0, 1], [2], [3, 4]]
    assert [g.count for g in groups] == [2, 1, 2]


def test_similarity_is_high_for_variants_and_low_for_other_questions() -> None:
    question = "як продовжити тимчасовий захист"
    assert similarity(question, "yak prodovzhyty tymchasovyi zakhyst") > 0.6
    assert similarity(question, "де знайти лікаря для дитини") < 0.2


def test_an_example_is_added_to_the_right_file_keeping_its_layout(nlu_dir: Path) -> None:
    path = nlu_dir / "topics" / "housing.yml"
    before = path.read_text(encoding="utf-8")
    assert add_example(nlu_dir, "housing", "  chci  byt   u Brna, [phone](x) ")
    after = path.read_text(encoding="utf-8")
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert added == ["    - chci byt u Brna, [phone] (x)"]
    assert after.startswith(before.rstrip("\n").rsplit("\n", 1)[0])  # only appended lines
    data = yaml.safe_load(after)
    (block,) = [b for b in data["nlu"] if b.get("intent") == "housing"]
    assert block["examples"].splitlines()[-1] == "- chci byt u Brna, [phone] (x)"
    assert has_example(nlu_dir, "housing", "CHCI byt u Brna, [phone](x)")
    assert not add_example(nlu_dir, "housing", "chci byt u Brna, [phone](x)")  # once only
    assert (REPO / "nlu_data" / "topics" / "housing.yml").read_text(encoding="utf-8") != after


def test_the_writer_refuses_what_is_not_an_example(nlu_dir: Path) -> None:
    with pytest.raises(NluWriteError):
        add_example(nlu_dir, "no_such_topic", "a question")
    with pytest.raises(NluWriteError):
        add_example(nlu_dir, "../meta", "a question")
    with pytest.raises(NluWriteError):
        add_example(nlu_dir, "housing", "   ")
    assert clean_example("a\nb\tc") == "a b c"


def test_feedback_buttons_carry_the_answer_as_shown(content: Content) -> None:
    sub = content.topics["health_insurance"].more[0].id
    reply = topic_reply(content, "health_insurance", "en", "jihomoravsky", sub)
    version = answer_version(content, "health_insurance", sub)
    found = [feedback_of(b.payload, content) for b in reply.buttons]
    votes = [f for f in found if f is not None]
    assert votes == [
        Feedback("yes", "health_insurance", sub, "jihomoravsky", version),
        Feedback("no", "health_insurance", sub, "jihomoravsky", version),
    ]
    assert version != answer_version(content, "health_insurance")


@pytest.mark.parametrize(
    "data",
    [
        "fb:y:nope:::v",
        "fb:x:housing:::v",
        "fb:y:housing:no_such_sub::v",
        "fb:y:housing::mars:v",
        "fb:y:housing:::V!",
        "fb:y:housing::",
        "keep:y:fallback:nope",
        "keep:maybe:fallback:",
        "keep:y:because:",
    ],
)
def test_forged_feedback_and_consent_data_is_refused(content: Content, data: str) -> None:
    assert feedback_of(data, content) is None
    assert consent_of(data, content) is None


def test_after_no_one_tap_to_say_what_was_missing_or_talk_to_a_person(content: Content) -> None:
    reply = feedback_no_reply(content, "uk", "housing", None)
    assert reply.text == content.text("feedback_no", "uk")
    payloads = [b.payload for b in reply.buttons]
    assert payloads[0] == build_feedback("missing", "housing")
    # The contract with the handoff work: exactly the Rasa payload of human_handoff.
    assert payloads[1] == build_payload("human_handoff") == "/human_handoff"


def test_consent_buttons_round_trip(content: Content) -> None:
    reply = consent_reply(content, "cs", "fallback", ["housing", "work"])
    assert reply.text == content.text("inbox_consent", "cs")
    yes, no = (consent_of(b.payload, content) for b in reply.buttons)
    assert yes == Consent(True, "fallback", ("housing", "work"))
    assert no == Consent(False, "fallback", ("housing", "work"))
    assert build_consent(True, "out_of_scope") == "keep:y:out_of_scope:"
