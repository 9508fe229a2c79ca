"""Each patch of rasa_server/ is on the live request path of the running server, its
routes are protected, and only the pinned Rasa version is ever patched."""

from __future__ import annotations

import json
import sqlite3

import httpx
import pytest
import rasa

from harness.stack import Stack
from rasa_server.__main__ import prepare


def _webhook(stack: Stack, sender: str, text: str) -> list[dict[str, object]]:
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text, "metadata": {"language": "en"}},
        timeout=30,
    )
    response.raise_for_status()
    data: list[dict[str, object]] = response.json()
    return data


def test_every_patch_is_called_by_the_running_server(stack: Stack) -> None:
    assert _webhook(stack, "live-patches", "How do I open a bank account?")
    token = {"token": stack.env["RASA_API_TOKEN"]}
    report = httpx.get(f"{stack.rasa_url}/poradnyk/patches", params=token, timeout=10).json()
    assert report["rasa"] == "3.6.21"
    assert report["tracker_store"] == "SQLiteTrackerStore"
    for patch in ("validator", "runner", "sessions", "events"):
        assert report["calls"].get(patch, 0) > 0, patch


def test_our_routes_need_the_token(stack: Stack) -> None:
    for method, path in (
        ("GET", "/poradnyk/patches"),
        ("DELETE", "/poradnyk/conversations/someone"),
        ("POST", "/poradnyk/purge"),
    ):
        assert httpx.request(method, f"{stack.rasa_url}{path}", timeout=10).status_code == 401
    # Rasa's own conversation API too: nobody reads a tracker without the token.
    tracker = httpx.get(f"{stack.rasa_url}/conversations/someone/tracker", timeout=10)
    assert tracker.status_code == 401


def test_no_user_text_is_stored_and_a_delete_is_final(stack: Stack) -> None:
    text = "Where can I find a paediatrician in Brno? I am Olena"
    assert _webhook(stack, "redaction-check", text)
    db = stack.tracker_db
    with sqlite3.connect(db) as conn:
        rows = [
            json.loads(d)
            for (d,) in conn.execute("SELECT data FROM events WHERE sender_id = 'redaction-check'")
        ]
    user = [r for r in rows if r["event"] == "user"]
    assert user and all(r["text"] is None and r["parse_data"]["text"] is None for r in user)
    assert user[-1]["parse_data"]["intent"]["name"] == "healthcare_access"
    assert [e["value"] for e in user[-1]["parse_data"]["entities"]] == ["jihomoravsky"]
    token = {"token": stack.env["RASA_API_TOKEN"]}
    deleted = httpx.delete(
        f"{stack.rasa_url}/poradnyk/conversations/redaction-check", params=token, timeout=10
    ).json()["deleted"]
    assert deleted == len(rows)
    for path in db.parent.glob(db.name + "*"):
        raw = path.read_bytes()
        assert b"Olena" not in raw and b"redaction-check" not in raw, path.name


def test_an_unpinned_rasa_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rasa, "__version__", "3.6.99")
    with pytest.raises(SystemExit, match=r"3\.6\.21"):
        prepare(["run"])


def test_only_the_server_is_patched(monkeypatch: pytest.MonkeyPatch) -> None:
    installed: list[bool] = []
    monkeypatch.setattr("rasa_server.__main__.install", lambda: installed.append(True))
    prepare(["train", "--data", "nlu_data"])
    prepare(["data", "validate"])
    assert installed == []
    prepare(["run", "--enable-api"])
    assert installed == [True]
