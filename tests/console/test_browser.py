"""The console in a real browser: Debian's Chromium driven by Playwright, against the
console running as its own gunicorn process on a copy of the content.

The story of the issue: log in; edit the Ukrainian answer of a topic and see the preview
change; get an inline error for a broken phone number and be unable to send it; send the
change for review; fail to approve it as its author; approve it as a second reviewer (the
file changes); bring the old version back through review. Screenshots of each step go to
``var/screenshots/`` (``PORADNYK_SCREENSHOTS=docs/screenshots`` refreshes the README's).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from console.process import ConsoleServer, start_console
from harness.stack import REPO_ROOT
from poradnyk.content import known_topics, load_content

CHROMIUM = Path("/usr/bin/chromium")
# Where the screenshots go: var/screenshots by default (a test run leaves the checkout
# clean); PORADNYK_SCREENSHOTS=docs/screenshots refreshes the ones the README shows.
SHOTS = REPO_ROOT / os.environ.get("PORADNYK_SCREENSHOTS", "var/screenshots")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PASSWORD = secrets.token_urlsafe(12)
MARKER = "Тест консолі: нове речення для перевірки."


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ConsoleServer, Path]]:
    """The console on a copy of the content, with two reviewers and an editor."""
    if not CHROMIUM.exists():
        pytest.fail(
            "Debian's Chromium is missing: ./test installs it as root (apt-get install chromium)"
        )
    root = tmp_path_factory.mktemp("console-browser")
    content = root / "content"
    shutil.copytree(REPO_ROOT / "content", content)
    # The inbox writes training examples: into a copy, never into the real nlu_data/.
    shutil.copytree(REPO_ROOT / "nlu_data", root / "nlu_data")
    (root / "models").mkdir()
    nlu = {"PORADNYK_NLU_DIR": str(root / "nlu_data"), "PORADNYK_MODEL_DIR": str(root / "models")}
    server = start_console(root / "data", content, workers=2, extra_env=nlu)
    people = (("olena", "reviewer"), ("petr", "reviewer"), ("eva", "editor"), ("ivan", "editor"))
    for name, role in people:
        server.adduser(name, role, PASSWORD)
    yield server, content
    server.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Headless Chromium from Debian, a fresh profile."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def _page(browser: Browser, server: ConsoleServer, width: int = 1400, height: int = 1000) -> Page:
    context = browser.new_context(
        base_url=server.url, viewport={"width": width, "height": height}, locale="en-GB"
    )
    context.set_default_timeout(20_000)
    return context.new_page()


def _shot(page: Page, name: str, full: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def _login(page: Page, name: str, shot: str | None = None) -> None:
    page.goto("/login/")
    if shot:
        _shot(page, shot)
    # Keyboard only: the name field has the focus, Tab to the password, Enter sends.
    # (Wait for that focus: on a busy machine typing could start before the page has it.)
    expect(page.locator("input[name=username]")).to_be_focused()
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    # In the language this person chose last time (kept with the account).
    expect(page.locator("h1")).to_have_text(re.compile(r"^(Overview|Přehled|Огляд)$"))


def _language(page: Page, lang: str) -> None:
    with page.expect_navigation():
        page.select_option("#console-language", lang)  # the form sends itself


def test_edit_review_publish_and_revert(
    console: tuple[ConsoleServer, Path], browser: Browser
) -> None:
    server, content = console
    housing = content / "topics" / "housing.yml"
    original = housing.read_text(encoding="utf-8")
    olena = _page(browser, server)
    _login(olena, "olena", shot="login")
    _shot(olena, "dashboard")

    # Edit the Ukrainian answer; the preview follows as she types.
    olena.goto("/edit/topic/housing/")
    preview = olena.locator("#preview")
    expect(preview).not_to_contain_text(MARKER)
    answer = olena.locator("textarea[name=answer_uk]")
    answer.press("Control+Home")
    answer.press_sequentially(MARKER + " ", delay=5)
    expect(preview).to_contain_text(MARKER)
    expect(olena.locator("#submit-review")).to_be_enabled()
    _shot(olena, "editor-live-preview")

    # Too long for a phone: the check says so next to the field, and the button is off.
    answer.fill(answer.input_value() + " x" * 800)
    expect(olena.locator("#issues-answer_uk")).to_contain_text("Too long for a phone")
    expect(olena.locator("#submit-review")).to_be_disabled()
    answer.fill(answer.input_value()[: -2 * 800])
    expect(olena.locator("#submit-review")).to_be_enabled()

    # Send it for review; as its author she cannot approve it.
    olena.click("#submit-review")
    expect(olena.locator(".msg.success")).to_contain_text("Sent for review")
    draft_url = olena.url
    expect(olena.locator("#approve")).to_be_disabled()
    expect(olena.locator("#own-draft")).to_be_visible()
    _shot(olena, "review-own-draft-refused")
    token = olena.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    forced = olena.request.post(
        draft_url + "approve/", form={"csrfmiddlewaretoken": token}, headers={"Referer": draft_url}
    )
    assert forced.status == 403  # refused by the server, not only by a disabled button
    assert MARKER not in housing.read_text(encoding="utf-8")

    # A broken phone number: an inline error next to the field, and it cannot be sent.
    olena.goto("/edit/organisation/labour_office/")
    phone = olena.locator("input[name=phone]")
    phone.fill("+420 95O 180 1OO")
    expect(olena.locator("#issues-phone")).to_contain_text("not valid")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(olena.locator("#submit-review")).to_be_disabled()
    phone.press("Enter")  # Enter saves the draft (first button); it never sends it
    expect(olena.locator("#issues-phone")).to_contain_text("not valid")
    expect(olena.locator(".msg.success")).to_contain_text("Draft saved")
    olena.locator("#issues-phone").scroll_into_view_if_needed()
    olena.evaluate("window.scrollBy(0, 250)")
    _shot(olena, "inline-error-phone")
    assert "95O" not in (content / "organisations.yml").read_text(encoding="utf-8")

    # A second reviewer (in Czech) sees the change and approves it: the file changes.
    petr = _page(browser, server)
    _login(petr, "petr")
    _language(petr, "cs")
    petr.goto(draft_url)
    expect(petr.locator("h2#changes-h")).to_have_text("Co mění oproti zveřejněné verzi")
    expect(petr.locator("table.diff")).to_contain_text(MARKER)
    _shot(petr, "review-diff-cs")
    petr.click("#approve")
    expect(petr.locator(".msg.success")).to_contain_text("Zveřejněno jako verze 2")
    written = load_content(content, known_topics(REPO_ROOT))
    assert written.topics["housing"].answer.uk.startswith(MARKER)
    _shot(petr, "history-cs", full=True)

    # Bring the old version back: a draft, reviewed like any change.
    olena.goto("/history/topic/housing/")
    olena.locator("form[action$='/1/revert/'] button").click()
    expect(olena.locator("table.diff")).to_contain_text(MARKER)
    olena.locator("form[action$='/submit/'] button").click()
    expect(olena.locator(".msg.success")).to_contain_text("Sent for review")
    assert MARKER in housing.read_text(encoding="utf-8")  # not before the review
    petr.goto(olena.url)
    petr.click("#approve")
    expect(petr.locator(".msg.success")).to_contain_text("verze 3")
    assert housing.read_text(encoding="utf-8") == original
    petr.goto("/edit/topic/housing/")
    expect(petr.locator("#preview")).not_to_contain_text(MARKER)


def test_phone_screen_and_ukrainian_interface(
    console: tuple[ConsoleServer, Path], browser: Browser
) -> None:
    server, _ = console
    eva = _page(browser, server, width=390, height=844)
    _login(eva, "eva")
    _language(eva, "uk")
    expect(eva.locator("h1")).to_have_text("Огляд")
    eva.goto("/edit/topic/health_insurance/")
    expect(eva.locator("#preview .bubble").first).to_be_visible()
    width = eva.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is wider than the phone: {width}px"
    _shot(eva, "phone-editor-uk")
    eva.locator("#preview").scroll_into_view_if_needed()
    _shot(eva, "phone-preview-uk")
    # An editor may not approve at all.
    eva.goto("/reviews/")
    assert eva.locator("h1").inner_text() == "Заборонено"


SEED = """
from store.api import Store, setup_django
setup_django()
store = Store()
store.inbox_add("u-b1", "где найти жилье для семьи в Брно", "uk", ["housing"], "fallback")
store.inbox_add("u-b2", "gde najti zhile dlya semi v Brno", "uk", ["housing"], "fallback")
store.inbox_add("u-b3", "Můžu si vzít s sebou psa? Volejte [phone]", "cs", [], "out_of_scope")
store.inbox_add("u-b4", "nothing about dentists for kids", "en", ["health_insurance"], "missing")
for lang, n in (("uk", 9), ("cs", 4), ("en", 2)):
    for _ in range(n):
        store.count_all([("message", "housing", lang), ("typed", "", lang)])
for _ in range(3):
    store.count_all([("message", "work", "uk"), ("fallback", "work", "uk"), ("typed", "", "uk")])
for i in range(5):
    store.vote(f"u-v{i}", topic="housing", sub=None, language="uk", region=None,
               version="20260228-d3db8b", helpful=i > 0)
"""


def test_inbox_and_report_pages(console: tuple[ConsoleServer, Path], browser: Browser) -> None:
    server, content = console
    server.manage("shell", "-c", SEED)
    housing = content.parent / "nlu_data" / "topics" / "housing.yml"
    eva = _page(browser, server)
    _login(eva, "ivan")
    eva.click("text=Inbox")
    expect(eva.locator("h1")).to_contain_text("Inbox")
    question = eva.locator("li.question", has_text="где найти жилье для семьи в Брно")
    expect(question).to_contain_text("×2")
    expect(question).to_contain_text("gde najti zhile dlya semi v Brno")
    _shot(eva, "inbox", full=True)
    question.get_by_role("button", name="Add as a training example").click()
    expect(eva.locator(".msg.success")).to_contain_text("Added 2 example(s)")
    expect(eva.locator("#training")).to_contain_text("2 new examples since the last training")
    assert "    - gde najti zhile dlya semi v Brno" in housing.read_text(encoding="utf-8")
    expect(eva.locator("li.question", has_text="для семьи")).to_have_count(0)

    eva.click("text=Reports")
    expect(eva.locator("h1")).to_contain_text("Report")
    expect(eva.locator("svg.chart")).to_have_count(3)
    expect(eva.locator("section[aria-labelledby=r-feedback]")).to_contain_text("20260228-d3db8b")
    _shot(eva, "report", full=True)
    with eva.expect_download() as download:
        eva.click("text=Download CSV")
    assert "messages" in Path(download.value.path()).read_text(encoding="utf-8")

    # In Czech, with the handled question ready to be put back.
    eva.goto("/insights/inbox/")
    _language(eva, "cs")
    expect(eva.locator("h1")).to_contain_text("Schránka")
    expect(eva.locator("#handled-h")).to_have_text("Nedávno vyřízené")
    _shot(eva, "inbox-cs", full=True)


INBOX_SEED = """
from store.api import Store, setup_django
setup_django()
store = Store()
store.inbox_add("u-i1", "як продовжити тимчасовий захист", "uk", ["special_residence"], "fallback")
store.inbox_add("u-i2", "Kde najdu zubaře pro děti?", "cs", [], "out_of_scope")
"""


def _english_left(page: Page) -> list[str]:
    """Interface texts on the page that are still the English source (they have a cs/uk
    translation that differs): whole sentences and the longer single words."""
    from tests.console.test_i18n import PLACEHOLDER_RE, _catalogue  # noqa: PLC0415

    shown = page.locator("body").inner_text()
    for own_name in page.locator("#console-language option").all_inner_texts():
        shown = shown.replace(own_name, "")  # each language by its own name, by design
    left = []
    for entry in _catalogue("cs"):
        source = entry.msgid
        if PLACEHOLDER_RE.search(source) or entry.msgstr.get(0) == source:
            continue
        if (" " in source or len(source) >= 6) and re.search(
            rf"(?<!\w){re.escape(source)}(?!\w)", shown
        ):
            left.append(source)
    return left


def test_announcements_and_inbox_in_czech_and_ukrainian(
    console: tuple[ConsoleServer, Path], browser: Browser
) -> None:
    """Announcements (written, approved, sending) and the inbox show no English in cs/uk."""
    server, _ = console
    server.manage("shell", "-c", INBOX_SEED)
    eva = _page(browser, server)
    _login(eva, "eva")
    eva.goto("/announcements/new/")
    _language(eva, "uk")
    expect(eva.locator("h1")).to_have_text("Нове оголошення")
    eva.locator("input[name=topics]").first.check()
    eva.fill("textarea[name=text_cs]", "Nová pravidla od ledna.")
    eva.fill("textarea[name=text_uk]", "Нові правила з січня.")
    eva.fill("textarea[name=text_en]", "New rules from January.")
    eva.fill("input[name=send_at]", "2020-01-01T10:00")
    eva.click("#submit-review")
    # The refusal names the field by its Ukrainian label, in Ukrainian.
    expect(eva.locator("#general-issues")).to_contain_text("Час надсилання")
    expect(eva.locator("#general-issues")).to_contain_text("Цей час уже минув")
    _shot(eva, "announcement-edit-uk", full=True)
    assert not _english_left(eva)
    eva.fill("input[name=send_at]", "")
    eva.click("#submit-review")
    expect(eva.locator(".msg.success")).to_contain_text("Надіслано на перевірку")
    olena = _page(browser, server)
    _login(olena, "olena")
    olena.goto(eva.url)
    _language(olena, "cs")
    olena.get_by_role("button", name="Schválit a odeslat").click()
    expect(olena.locator(".msg.success")).to_contain_text("Schváleno: bot ho odešle")
    expect(olena.locator("h1")).to_contain_text("Schváleno")
    _shot(olena, "announcement-detail-cs", full=True)
    assert not _english_left(olena)
    for page, lang, title in ((olena, "cs", "Oznámení"), (eva, "uk", "Оголошення")):
        page.goto("/announcements/")
        expect(page.locator("h1")).to_have_text(title)
        expect(page.locator("nav")).to_contain_text(title)
        expect(page.locator("body")).to_contain_text(
            "Nová pravidla od ledna." if lang == "cs" else "Нові правила з січня."
        )
        _shot(page, f"announcements-{lang}", full=True)
        assert not _english_left(page), lang
        page.goto("/insights/inbox/")
        expect(page.locator("li.question", has_text="тимчасовий захист")).to_have_count(1)
        _shot(page, f"inbox-{lang}", full=True)
        assert not _english_left(page), lang


def test_an_announcement_sent_back_with_a_comment_then_approved(
    console: tuple[ConsoleServer, Path], browser: Browser
) -> None:
    """A reviewer (in Czech) returns an announcement with what should change; the author
    (in English) finds the comment on the overview, changes it and sends it again."""
    server, _ = console
    ivan = _page(browser, server)
    _login(ivan, "ivan")
    _language(ivan, "en")
    ivan.goto("/announcements/new/")
    ivan.locator("input[name=topics]").first.check()
    ivan.fill("textarea[name=text_cs]", "Úřad je v pátek zavřený.")
    ivan.fill("textarea[name=text_uk]", "Установа в п'ятницю зачинена.")
    ivan.fill("textarea[name=text_en]", "The office is closed on Friday.")
    ivan.click("#submit-review")
    expect(ivan.locator(".msg.success")).to_contain_text("Sent for review")
    url = ivan.url

    petr = _page(browser, server)
    _login(petr, "petr")
    _language(petr, "cs")
    waiting = petr.locator("section[aria-labelledby=waiting-h]")
    expect(waiting).to_contain_text("Oznámení")
    petr.goto("/reviews/")
    petr.locator(f"a[href='{url.removeprefix(server.url)}']").click()
    expect(petr.locator("h1")).to_contain_text("Čeká na schválení")
    # No words for the author: nothing is sent back, and she is told why.
    petr.get_by_role("button", name="Vrátit k úpravě").click()
    expect(petr.locator(".msg.error")).to_contain_text("napište, co se má změnit")
    petr.fill("textarea[name=comment]", "Napište, který úřad a od kdy.")
    _shot(petr, "announcement-review-cs", full=True)
    petr.get_by_role("button", name="Vrátit k úpravě").click()
    expect(petr.locator(".msg.success")).to_contain_text("Vráceno autorovi")
    petr.goto(url)
    expect(petr.locator("h1")).to_contain_text("Vráceno k úpravě")
    expect(petr.get_by_role("button", name="Schválit a odeslat")).to_have_count(0)
    assert not _english_left(petr)

    ivan.goto("/")
    mine = ivan.locator("section[aria-labelledby=mine-h]")
    expect(mine).to_contain_text("Napište, který úřad a od kdy.")
    mine.get_by_role("link", name=re.compile(r"^Announcement #\d+$")).click()
    expect(ivan.locator("#review-comment")).to_contain_text("petr")
    expect(ivan.locator("main, body").first).not_to_contain_text("approved by")
    _shot(ivan, "announcement-sent-back", full=True)
    ivan.get_by_role("link", name="Change").click()
    expect(ivan.locator("#review-comment")).to_contain_text("Napište, který úřad a od kdy.")
    ivan.fill("textarea[name=text_en]", "The labour office in Brno is closed on Friday.")
    ivan.click("#submit-review")
    expect(ivan.locator(".msg.success")).to_contain_text("Sent for review")
    expect(ivan.locator("#review-comment")).to_have_count(0)

    petr.goto(url)
    petr.get_by_role("button", name="Schválit a odeslat").click()
    expect(petr.locator(".msg.success")).to_contain_text("Schváleno")
    petr.goto(url + "?preview_lang=en")
    expect(petr.locator(".phone")).to_contain_text("The labour office in Brno is closed")
