"""The content loader and reply building with arbitrary Unicode: no crash, limits kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.render import TELEGRAM_LIMIT, split_html
from poradnyk.compose import topic_reply
from poradnyk.content import ContentError, known_topics, load_content

REPO = Path(__file__).resolve().parents[2]
TOPICS = known_topics(REPO)

weird_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]),  # any code point YAML can hold
    min_size=1,
    max_size=3000,
)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the content; each example rewrites one file of it."""
    copy = tmp_path_factory.mktemp("fuzz") / "content"
    shutil.copytree(REPO / "content", copy)
    return copy


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=weird_text)
def test_any_answer_text_loads_or_is_refused_cleanly(target: Path, text: str) -> None:
    shutil.copy(REPO / "content" / "topics" / "housing.yml", target / "topics" / "housing.yml")
    path = target / "topics" / "housing.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["answer"]["uk"] = text
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        content = load_content(target, TOPICS)
    except ContentError as exc:
        assert all(issue.path.name for issue in exc.issues)
        return
    reply = topic_reply(content, "housing", "uk", None)
    assert all(len(chunk) <= TELEGRAM_LIMIT for chunk in split_html(reply.text))


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=2000))
def test_any_bytes_in_a_file_never_crash_the_loader(target: Path, raw: bytes) -> None:
    (target / "topics" / "work.yml").write_bytes(raw)
    try:
        load_content(target, TOPICS)
    except ContentError as exc:
        assert any(i.path.name == "work.yml" for i in exc.issues)
    finally:
        shutil.copy(REPO / "content" / "topics" / "work.yml", target / "topics" / "work.yml")
