"""A content file broken by hand, seen in a real browser (Debian's Chromium, Playwright)
against the console as its own gunicorn process (two workers) on a copy of the content.

Someone edits ``topics/work.yml`` outside the console and makes a mistake. Before this,
every page of a console started at that moment was "Server Error (500)", and a console
that had started earlier showed nothing at all of the mistake. Now: the page says what is
wrong and where, in plain words and the staff member's language; once the file is good,
the console works again; a later mistake is shown on every page while the last good
version stays on screen (the broken topic's editor included: it can be read and a
draft kept, not published over the hand edit), also after a restart of the console.
Screenshots go to ``var/screenshots/``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from console.process import start_console
from harness.stack import REPO_ROOT
from poradnyk.content.writer import load_yaml
from tests.console.test_browser import ARGS, CHROMIUM, PASSWORD, _page, _shot

# An event with no date: the loader refuses the whole folder.
NO_DATE = "events:\n  - id: fair\n    remind: [3]\n    text: {cs: a, uk: b, en: c}\n"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium from Debian, a fresh profile."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing: ./test installs it (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def _log_in(page: Page) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", "olena")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_file_broken_by_hand_is_explained_not_a_server_error(
    browser: Browser, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "content", content)
    work = content / "topics" / "work.yml"
    good = work.read_text(encoding="utf-8")
    work.write_text(good + NO_DATE, encoding="utf-8")
    server = start_console(tmp_path / "data", content, workers=2)
    server.adduser("olena", "reviewer", PASSWORD)
    try:
        # 1. Started while the file is broken, with no good version ever seen.
        page = _page(browser, server)
        _log_in(page)
        expect(page.locator("h1")).to_have_text("This page cannot be shown yet")
        problems = page.locator("#content-problems")
        expect(problems).to_contain_text("topics/work.yml, line")
        expect(problems).to_contain_text("Event “fair”: write the day of the event")
        assert page.request.get(server.url + "/").status == 503
        _shot(page, "content-problems-never-good")

        # 2. Corrected: the console works again, with no warning.
        work.write_text(good, encoding="utf-8")
        _reload_until(page, lambda: page.locator("h1").inner_text() == "Overview")
        expect(problems).to_have_count(0)

        # 3. Broken again by a half-finished edit: every page says so, in the staff
        # member's language, and the answers shown are the last good ones.
        work.write_text(good.replace("answer:", "answer: {en: half", 1), encoding="utf-8")
        with page.expect_navigation():
            page.select_option("#console-language", "cs")
        _reload_until(page, lambda: page.locator("#content-problems").count() == 1)
        expect(page.locator("h1")).to_have_text("Přehled")
        expect(problems).to_contain_text("Soubor s obsahem má chybu")
        expect(problems).to_contain_text("Soubor není platný YAML")
        expect(page.locator("main")).to_contain_text("Práce")
        page.goto("/edit/topic/housing/")
        _reload_until(page, lambda: page.locator("#content-problems").count() == 1)
        expect(problems).to_contain_text("topics/work.yml, řádek")
        _shot(page, "content-problems", full=True)
        # The broken topic itself opens at its last good version, to read; publishing
        # over the file would lose the hand edit unseen, so it waits for the correction.
        page.goto("/edit/topic/work/")
        first_line = load_yaml(good)["answer"]["cs"].splitlines()[0]
        answer = page.locator("textarea[name=answer_cs]")
        expect(answer).to_have_value(re.compile(re.escape(first_line)))
        expect(page.locator("main")).to_contain_text("opravte ho nejdřív v souboru")
        expect(page.locator("#submit-review")).to_be_disabled()
        # Saving a draft of it works (no "Server Error"): the work is kept for later.
        with page.expect_navigation():
            page.get_by_role("button", name="Uložit koncept").click()
        expect(page.locator("h1")).not_to_contain_text("Server Error")
        expect(answer).to_have_value(re.compile(re.escape(first_line)))

        # 4. A restart of the console during the half edit shows its last good copy.
        server.stop()
        server = start_console(tmp_path / "data", content, workers=2)
        page = _page(browser, server)
        _log_in(page)
        expect(page.locator("h1")).to_have_text(re.compile("^(Overview|Přehled)$"))
        expect(page.locator("#content-problems")).to_contain_text(re.compile("work.yml"))
        expect(page.locator("main")).to_contain_text(re.compile("Work|Práce"))

        # 5. Corrected again: the warning goes.
        work.write_text(good, encoding="utf-8")
        _reload_until(page, lambda: page.locator("#content-problems").count() == 0)
        assert "Traceback" not in server.tail(100_000)
    finally:
        server.stop()


def _reload_until(page: Page, done: Callable[[], bool], tries: int = 20) -> None:
    """Reload until ``done()`` holds (the console looks at the files once a second)."""
    for _ in range(tries):
        page.reload()
        if done():
            return
        page.wait_for_timeout(300)
    raise AssertionError(f"not reached after {tries} reloads: {page.locator('main').inner_text()}")
