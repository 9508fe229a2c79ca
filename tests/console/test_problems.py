"""Every page of the console while a content file is broken by hand: never "Server Error".

Each file is broken in the two ways a hand edit breaks it (a mistake the loader refuses in
valid YAML, and a half-finished edit that is not YAML at all); every page is asked for,
and each either works, with the warning that names the file, or says in plain words that
it cannot be shown yet (503). The browser story is in test_browser_content_problems.py.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from tests.console.conftest import MakeUser

PAGES = (
    "/",
    "/reviews/",
    "/audit/",
    "/handoff/",
    "/edit/topic/work/",
    "/edit/topic/housing/",
    "/edit/organisation/labour_office/",
    "/edit/message/thank/",
    "/history/topic/work/",
    "/history/organisation/labour_office/",
    "/history/message/thank/",
    "/recheck/topic/work/",
    "/recheck/organisation/labour_office/",
    "/organisation/new/",
    "/announcements/",
    "/insights/inbox/",
    "/insights/report/",
)
BREAKS = {
    "topics/work.yml": ("events:\n  - id: fair\n    remind: [3]\n", "\nanswer: {en: half\n"),
    "organisations.yml": ("\n- id: x\n", "\n  broken: [\n"),
    "messages.yml": ("\nnew_text: 3\n", "\nnew_text: {en: half\n"),
}


def _later(path: Path) -> None:
    stamp = time.time() + 5
    os.utime(path, (stamp, stamp))


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_no_page_fails_while_a_file_is_broken_by_hand(
    content_dir: Path, make_user: MakeUser, client_for: Any, name: str
) -> None:
    client = client_for(make_user("reviewer", "editor"))
    assert client.get("/").status_code == 200  # the console has seen a good version
    path = content_dir / name
    good = path.read_text(encoding="utf-8")
    for broken in BREAKS[name]:
        path.write_text(good + broken, encoding="utf-8")
        _later(path)
        time.sleep(1.05)  # the console looks at the files once a second
        for page in PAGES:
            response = client.get(page)  # a view's exception would raise here
            assert response.status_code in (200, 503), (page, response.status_code)
            body = response.content.decode()
            assert 'id="content-problems"' in body, (name, broken, page)
            assert name in body, (name, broken, page)
    path.write_text(good, encoding="utf-8")
    _later(path)
    time.sleep(1.05)
    assert 'id="content-problems"' not in client.get("/").content.decode()
