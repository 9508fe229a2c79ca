"""The "Talk to a person" page in a real browser (Debian's Chromium, Playwright), against
the console as its own gunicorn process on a copy of the content.

A coordinator sets the staff group and Monday's hours with a lunch break, sees a wrong
range named in plain words, adds a day off and sends it for review; a second reviewer,
on a phone, approves it; the bot's loader then reads the new settings. Screenshots (a
desktop and a phone width) go to ``var/screenshots/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from console.process import ConsoleServer, start_console
from harness.stack import REPO_ROOT
from poradnyk.content import known_topics, load_content
from tests.console.test_browser import ARGS, CHROMIUM, PASSWORD, _login, _page, _shot

GROUP = "-1001234567890"


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ConsoleServer, Path]]:
    """The console on a copy of the content, with two reviewers."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing: ./test installs it (apt-get install chromium)")
    root = tmp_path_factory.mktemp("console-handoff")
    content = root / "content"
    shutil.copytree(REPO_ROOT / "content", content)
    server = start_console(root / "data", content, workers=2)
    for name in ("olena", "petr"):
        server.adduser(name, "reviewer", PASSWORD)
    yield server, content
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium from Debian, a fresh profile."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def test_office_hours_edited_approved_by_a_second_person(
    console: tuple[ConsoleServer, Path], browser: Browser
) -> None:
    server, content = console
    olena = _page(browser, server)
    _login(olena, "olena")
    olena.get_by_role("link", name="Talk to a person").click()
    expect(olena.locator("h1")).to_have_text("Talk to a person: office hours and staff group")
    preview = olena.locator("#preview")
    expect(preview).to_contain_text("No staff group id yet")

    # The group id: the preview becomes the consent screen the bot would send now.
    olena.fill("input[name=staff_chat_id]", GROUP)
    expect(preview).to_contain_text("Right now")
    expect(preview.locator(".bubble").first).to_be_visible()

    # Monday with a lunch break: a second range ("Add a time range" keeps what was typed).
    olena.fill("input[name=mon_to_0]", "12:00")
    olena.locator("#day-mon button[value='add_row:mon']").click()
    expect(olena.locator("input[name=mon_to_0]")).to_have_value("12:00")
    olena.fill("input[name=mon_from_1]", "16:00")
    olena.fill("input[name=mon_to_1]", "13:00")
    expect(olena.locator("#issues-office_hours_mon")).to_contain_text("ends before it starts")
    expect(olena.locator("#submit-review")).to_be_disabled()
    olena.fill("input[name=mon_from_1]", "13:00")
    olena.fill("input[name=mon_to_1]", "16:00")
    expect(olena.locator("#issues-office_hours_mon")).to_be_empty()
    # A day off, in the empty row at the end of the list.
    olena.locator(".holidays input[type=date]").last.fill("2027-04-05")
    expect(olena.locator("#submit-review")).to_be_enabled()
    _shot(olena, "handoff-desktop", full=True)

    olena.click("#submit-review")
    expect(olena.locator(".msg.success")).to_contain_text("Sent for review")
    expect(olena.locator("#approve")).to_be_disabled()  # not her own
    draft_url = olena.url
    assert 'mon: "09:00-17:00"' in (content / "handoff.yml").read_text(encoding="utf-8")

    # A second reviewer on a phone: sees the change and the preview, approves.
    petr = _page(browser, server, width=390, height=844)
    _login(petr, "petr")
    petr.goto(draft_url)
    expect(petr.locator("table.diff")).to_contain_text("09:00-12:00, 13:00-16:00")
    expect(petr.locator("#preview .bubble").first).to_be_visible()
    width = petr.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is wider than the phone: {width}px"
    petr.click("#approve")
    expect(petr.locator(".msg.success")).to_contain_text("Published as version 2")
    handoff = load_content(content, known_topics(REPO_ROOT)).handoff
    assert handoff is not None and handoff.staff_chat_id == int(GROUP)
    assert len(handoff.hours[0]) == 2
    assert "2027-04-05" in {d.isoformat() for d in handoff.holidays}

    # The page on a phone, as published.
    petr.goto("/handoff/")
    expect(petr.locator("input[name=mon_from_1]")).to_have_value("13:00")
    width = petr.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is wider than the phone: {width}px"
    _shot(petr, "handoff-phone")
    petr.locator("#day-fri").scroll_into_view_if_needed()
    _shot(petr, "handoff-phone-days")
    petr.locator("#preview").scroll_into_view_if_needed()
    _shot(petr, "handoff-phone-preview")
