"""End to end: a change published in the staff console reaches people without a restart.

The console (its own gunicorn process), the action server, Rasa and the Telegram adapter
share one copy of the content. An editor changes the Ukrainian answer of a topic, a
second reviewer approves it, and the bot, driven through the local Bot API stand-in,
answers with the new text; the old version brought back through review returns too.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.process import ConsoleServer, StaffClient, editor_fields, start_console
from harness.bot_api import Updates
from harness.fixtures import STORES
from harness.stack import REPO_ROOT, Stack, start_stack
from tests.e2e.conftest import Running, StartBot

PASSWORD = secrets.token_urlsafe(12)
MARKER = "Нова відповідь із консолі"
_users = itertools.count(987_660_001)


@pytest.fixture(scope="module")
def shared_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The content folder that every process of this test reads."""
    folder = tmp_path_factory.mktemp("console-e2e") / "content"
    shutil.copytree(REPO_ROOT / "content", folder)
    return folder


@pytest.fixture(scope="module")
def stack(shared_content: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Rasa and the action server on the shared content (overrides the session stack)."""
    running = start_stack(
        tmp_path_factory.mktemp("console-e2e-stack"),
        extra_env={"PORADNYK_CONTENT_DIR": str(shared_content)},
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def console(
    shared_content: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ConsoleServer]:
    """The console on the shared content, with two reviewers."""
    folder = tmp_path_factory.mktemp("console-e2e-data")
    database = STORES.new_database("console_publish", folder)
    server = start_console(folder, shared_content, extra_env={"PORADNYK_DATABASE_URL": database})
    server.adduser("olena", "reviewer", PASSWORD)
    server.adduser("petr", "reviewer", PASSWORD)
    yield server
    server.stop()


def _staff(console: ConsoleServer, name: str) -> StaffClient:
    staff = StaffClient(console.url)
    staff.login(name, PASSWORD)
    return staff


def _publish(console: ConsoleServer, change: str | None = None, revert: int | None = None) -> None:
    """Olena writes (or reverts), Petr approves: through the console's own pages."""
    olena, petr = _staff(console, "olena"), _staff(console, "petr")
    if revert is None:
        fields = editor_fields(olena.client.get("/edit/topic/housing/").text)
        fields["answer_uk"] = [f"{change} {fields['answer_uk'][0]}"]
        sent = olena.post("/edit/topic/housing/", {**fields, "action": "submit"})
    else:
        sent = olena.post(
            f"/history/topic/housing/{revert}/revert/", {}, page="/history/topic/housing/"
        )
        assert sent.status_code == 302
        sent = olena.post(sent.headers["location"] + "submit/", {}, page=sent.headers["location"])
    assert sent.status_code == 302, sent.text[-2000:]
    draft = sent.headers["location"]
    refused = olena.post(draft + "approve/", {}, page=draft)
    assert refused.status_code == 403  # four eyes
    approved = petr.post(draft + "approve/", {}, page=draft)
    assert approved.status_code == 302, approved.text[-2000:]
    olena.close()
    petr.close()


async def _answer(bot: Running, user: int, seen: int) -> str:
    bot.api.push(Updates.button(user, "/housing", language_code="uk"))
    sent = await bot.api.wait_sent(user, seen + 1, timeout=15)
    return str(sent[-1]["text"])


async def _until(bot: Running, user: int, seen: int, present: bool) -> tuple[float, int]:
    """Ask until the answer has (or no longer has) the marker; seconds taken, messages."""
    start = time.monotonic()
    while time.monotonic() - start < 10:
        text = await _answer(bot, user, seen)
        seen += 1
        if (MARKER in text) == present:
            return time.monotonic() - start, seen
        await asyncio.sleep(0.2)
    raise AssertionError(f"the bot still answers {'without' if present else 'with'} the change")


async def test_published_change_reaches_the_bot_without_restart(
    start_bot: StartBot, stack: Stack, console: ConsoleServer, shared_content: Path
) -> None:
    bot = await start_bot(PORADNYK_CONTENT_DIR=str(shared_content))
    user = next(_users)
    before = await _answer(bot, user, 0)
    assert MARKER not in before and "<b>Житло</b>" in before
    pids = (stack.actions.process.pid, stack.rasa.process.pid)

    await asyncio.to_thread(_publish, console, MARKER)
    took, seen = await _until(bot, user, 1, present=True)
    assert took < 3, f"the change took {took:.1f} s to reach the bot"

    await asyncio.to_thread(_publish, console, None, 1)  # version 1: as it was in the files
    await _until(bot, user, seen, present=False)
    assert (shared_content / "topics" / "housing.yml").read_bytes() == (
        REPO_ROOT / "content" / "topics" / "housing.yml"
    ).read_bytes()
    assert (stack.actions.process.pid, stack.rasa.process.pid) == pids  # nothing restarted
    assert stack.actions.process.poll() is None and stack.rasa.process.poll() is None
