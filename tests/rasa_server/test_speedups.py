"""The cached action-response validator accepts and rejects exactly what Rasa's does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from rasa_server import speedups

VALID: list[dict[str, Any]] = [
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "region", "value": "praha", "timestamp": None}],
        "responses": [{"text": "Ahoj", "buttons": [{"title": "Menu", "payload": "/menu"}]}],
    },
]
INVALID: list[dict[str, Any]] = [
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": "not a list", "responses": []},
    {"events": [{"event": "slot", "name": 5}], "responses": []},
]


@pytest.fixture
def action(monkeypatch: pytest.MonkeyPatch) -> Iterator[RemoteAction]:
    """A remote action with the speed-ups installed (undone afterwards)."""
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    monkeypatch.delenv("PORADNYK_RASA_SPEEDUPS", raising=False)
    original = RemoteAction._validate_action_result
    speedups.install()
    assert RemoteAction._validate_action_result is not original
    yield RemoteAction("action_answer", EndpointConfig("http://127.0.0.1:1/webhook"))


@pytest.mark.parametrize("response", VALID)
def test_valid_responses_pass(action: RemoteAction, response: dict[str, Any]) -> None:
    assert action._validate_action_result(response) is True


@pytest.mark.parametrize("response", INVALID)
def test_invalid_responses_fail_as_in_rasa(action: RemoteAction, response: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as ours:
        action._validate_action_result(response)
    original = RemoteAction._validate_action_result.__wrapped__
    with pytest.raises(ValidationError) as theirs:
        original(action, response)
    assert ours.value.message == theirs.value.message


def test_installing_twice_wraps_once(action: RemoteAction) -> None:
    installed = RemoteAction._validate_action_result
    speedups.install()
    assert RemoteAction._validate_action_result is installed


def test_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    monkeypatch.setenv("PORADNYK_RASA_SPEEDUPS", "0")
    original = RemoteAction._validate_action_result
    speedups.install()
    assert RemoteAction._validate_action_result is original
