"""The inbox and report pages through Django's test client, on copies of nlu_data."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.stack import REPO_ROOT
from tests.console.conftest import MakeUser


@pytest.fixture
def nlu_dir(tmp_path: Path, django_ready: None) -> Iterator[Path]:
    """A copy of the training data and a model folder trained an hour ago."""
    from django.test import override_settings  # noqa: PLC0415

    copy = Path(shutil.copytree(REPO_ROOT / "nlu_data", tmp_path / "nlu_data"))
    models = tmp_path / "models"
    models.mkdir()
    (models / ".inputs-hash").write_text("old\n")
    an_hour_ago = time.time() - 3600
    os.utime(models / ".inputs-hash", (an_hour_ago, an_hour_ago))
    with override_settings(PORADNYK_NLU_DIR=copy, PORADNYK_MODEL_DIR=models):
        yield copy


def _store() -> Any:
    from store.api import Store  # noqa: PLC0415

    return Store()


def _unique() -> str:
    return uuid.uuid4().hex[:6]


def _open(page: str) -> str:
    """The part of the inbox page with the questions still open."""
    return page.split('id="handled-h"', maxsplit=1)[0]


def _examples(nlu_dir: Path, topic: str) -> list[str]:
    data = yaml.safe_load((nlu_dir / "topics" / f"{topic}.yml").read_text(encoding="utf-8"))
    (block,) = [b for b in data["nlu"] if b.get("intent") == topic]
    return [line[2:] for line in block["examples"].splitlines()]


def test_duplicates_are_grouped_and_become_examples_in_the_right_file(
    nlu_dir: Path, make_user: MakeUser, client_for: Callable[[Any], Any]
) -> None:
    tag = _unique()
    store = _store()
    ru = f"где найти жилье для семьи {tag}"
    translit = f"gde najti zhile dlya semi {tag}"
    other = f"jak dlouho trvá vízum {tag}"
    ids = [
        store.inbox_add("u-inbox-a", ru, "uk", ["housing", "work"], "fallback"),
        store.inbox_add("u-inbox-b", translit, "uk", ["housing"], "fallback"),
        store.inbox_add("u-inbox-c", other, "cs", ["special_residence"], "out_of_scope"),
    ]
    client = client_for(make_user("editor"))
    page = client.get("/insights/inbox/").content.decode()
    assert page.count(ru) == 1 and page.count(translit) == 1  # the second as a variant
    assert f'value="{ids[1]},{ids[0]}"' in page  # newest first, counted once
    assert f'value="{ids[2]}"' in page
    assert "×2" in page

    before = _examples(nlu_dir, "housing")
    response = client.post(
        "/insights/inbox/act/",
        {"ids": f"{ids[0]},{ids[1]}", "action": "train", "topic": "housing"},
    )
    assert response.status_code == 302
    assert _examples(nlu_dir, "housing") == [*before, translit, ru]
    assert ru not in (nlu_dir / "topics" / "work.yml").read_text(encoding="utf-8")
    assert ru not in (REPO_ROOT / "nlu_data" / "topics" / "housing.yml").read_text("utf-8")
    page = _open(client.get("/insights/inbox/").content.decode())
    assert ru not in page and other in page
    assert "new examples since the last training" in page
    assert "./run" in page
    assert "new examples since the last training" in client.get("/").content.decode()


def test_needs_an_answer_opens_the_topic_editor_and_dismiss_removes(
    nlu_dir: Path, make_user: MakeUser, client_for: Callable[[Any], Any]
) -> None:
    tag = _unique()
    store = _store()
    first = store.inbox_add("u-inbox-d", f"how to pay for a dentist {tag}", "en", ["x"], "missing")
    second = store.inbox_add("u-inbox-e", f"what is the weather {tag}", "en", [], "out_of_scope")
    client = client_for(make_user("editor"))
    answer = client.post(
        "/insights/inbox/act/",
        {"ids": str(first), "action": "answer", "topic": "healthcare_access"},
    )
    assert answer.status_code == 302 and answer["Location"] == "/edit/topic/healthcare_access/"
    assert client.get(answer["Location"]).status_code == 200
    client.post("/insights/inbox/act/", {"ids": str(second), "action": "dismiss"})
    page = client.get("/insights/inbox/").content.decode()
    assert tag not in _open(page) and f"what is the weather {tag}" in page  # handled list
    states = {row.id: row.state for row in store.inbox(("answer", "dismissed"))}
    assert (states[first], states[second]) == ("answer", "dismissed")
    # Undo: put back from "handled recently", and it is in the inbox again.
    client.post("/insights/inbox/act/", {"ids": str(second), "action": "put_back"})
    assert f"what is the weather {tag}" in _open(client.get("/insights/inbox/").content.decode())
    assert [r.state for r in store.inbox() if r.id == second] == ["new"]


def test_only_staff_with_a_role_see_the_inbox(
    make_user: MakeUser, client_for: Callable[[Any], Any]
) -> None:
    assert client_for(None).get("/insights/inbox/").status_code == 302  # to the log-in
    assert client_for(make_user()).get("/insights/inbox/").status_code == 403
    admin = client_for(make_user("admin"))
    assert admin.get("/insights/inbox/").status_code == 403  # accounts, not questions
    assert admin.post("/insights/inbox/act/", {"ids": "1", "action": "dismiss"}).status_code == 403
    assert admin.get("/insights/report/").status_code == 200


def test_the_report_renders_from_the_test_database(
    make_user: MakeUser, client_for: Callable[[Any], Any], tmp_path: Path
) -> None:
    from django.core.management import call_command  # noqa: PLC0415

    store = _store()
    tag = _unique()
    for lang in ("uk", "uk", "cs"):
        store.count_all([("message", "housing", lang), ("typed", "", lang)])
    store.count_all([("fallback", "work", "uk"), ("trained", "work", "")])
    store.vote(
        f"u-report-{tag}",
        topic="housing",
        sub=None,
        language="uk",
        region=None,
        version="20260228-abcdef",
        helpful=False,
    )
    client = client_for(make_user("editor"))
    since = (date.today() - timedelta(days=6)).isoformat()
    page = client.get(f"/insights/report/?since={since}").content.decode()
    assert page.count("<svg") == 3
    assert "Housing" in page and "20260228-abcdef" in page
    assert "Questions not understood" in page
    csv = client.get(f"/insights/report.csv?since={since}").content.decode()
    assert "feedback,Housing,20260228-abcdef" in csv
    mailed = client.get(f"/insights/report.html?since={since}").content.decode()
    assert "<style>" in mailed and "<link" not in mailed and "<script" not in mailed

    out = tmp_path / "report.html"
    call_command("report", since=date.fromisoformat(since), html=out, csv=tmp_path / "r.csv")
    written = out.read_text(encoding="utf-8")
    assert written.count("<svg") == 3 and "Housing" in written
    assert "trained,Work" in (tmp_path / "r.csv").read_text(encoding="utf-8")
