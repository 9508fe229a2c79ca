"""The cached action-response validator accepts and rejects exactly what Rasa's does."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import rasa.core.run
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core import events
from rasa.shared.core.events import Event
from rasa.utils.endpoints import EndpointConfig

from rasa_server import speedups
from rasa_server.graph_runner import sequential_run

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


def _restore_afterwards(monkeypatch: pytest.MonkeyPatch) -> None:
    """Undo whatever install() patches when the test ends."""
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    monkeypatch.setattr(DaskGraphRunner, "run", DaskGraphRunner.run)
    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.session)
    monkeypatch.setattr(Event, "resolve_by_type", Event.__dict__["resolve_by_type"])
    monkeypatch.setattr(rasa.core.run, "close_resources", rasa.core.run.close_resources)


@pytest.fixture
def action(monkeypatch: pytest.MonkeyPatch) -> Iterator[RemoteAction]:
    """A remote action with the speed-ups installed (undone afterwards)."""
    _restore_afterwards(monkeypatch)
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
    installed = RemoteAction._validate_action_result, EndpointConfig.session
    speedups.install()
    assert (RemoteAction._validate_action_result, EndpointConfig.session) == installed
    assert DaskGraphRunner.run.__wrapped__ is sequential_run
    assert hasattr(Event.resolve_by_type, "__wrapped__")


def test_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    _restore_afterwards(monkeypatch)
    monkeypatch.setenv("PORADNYK_RASA_SPEEDUPS", "0")
    original = RemoteAction._validate_action_result, DaskGraphRunner.run, EndpointConfig.session
    speedups.install()
    assert (
        RemoteAction._validate_action_result,
        DaskGraphRunner.run,
        EndpointConfig.session,
    ) == original


def test_chosen_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    _restore_afterwards(monkeypatch)
    validate = RemoteAction._validate_action_result
    monkeypatch.setenv("PORADNYK_RASA_SPEEDUPS", "runner")
    speedups.install()
    assert DaskGraphRunner.run.__wrapped__ is sequential_run
    assert RemoteAction._validate_action_result is validate
    assert not hasattr(EndpointConfig.session, "__wrapped__")
    monkeypatch.setenv("PORADNYK_RASA_SPEEDUPS", "runner,typo")
    with pytest.raises(ValueError, match="typo"):
        speedups.install()


# Every event type Rasa knows, as it serialises them: the seeds of the property test.
_EVENTS: list[dict[str, Any]] = [
    e.as_dict()
    for e in (
        events.UserUttered("hi", {"name": "greet", "confidence": 0.9}, [], message_id="m1"),
        events.BotUttered("hello", {"buttons": [{"title": "A", "payload": "/a"}]}),
        events.SlotSet("region", "praha"),
        events.SlotSet("language", None),
        events.ActionExecuted("action_answer", policy="RulePolicy", confidence=1.0),
        events.ActionExecuted("action_listen"),
        events.SessionStarted(),
        events.Restarted(),
        events.AllSlotsReset(),
        events.ReminderScheduled("intent", datetime.datetime(2026, 1, 1), name="r"),
        events.ReminderCancelled(name="r"),
        events.ConversationPaused(),
        events.ConversationResumed(),
        events.FollowupAction("action_menu"),
        events.UserUtteranceReverted(),
        events.ActionReverted(),
        events.StoryExported(),
        events.ActiveLoop("form"),
        events.LegacyForm(None),
        events.LoopInterrupted(True),
        events.ActionExecutionRejected("action_answer"),
        events.AgentUttered("text"),
        events.EntitiesAdded([{"entity": "region", "value": "praha"}]),
        events.DefinePrevUserUtteredFeaturization(False),
    )
] + [
    # legacy names Rasa still accepts from action servers (it now writes active_loop and
    # loop_interrupted instead)
    {"event": "form", "name": "a_form", "timestamp": None},
    {"event": "form_validation", "validate": True, "timestamp": None},
]
_SCHEMA = RemoteAction.action_response_format_spec()
_FULL = jsonschema.validators.validator_for(_SCHEMA)(_SCHEMA).is_valid
_FAST = speedups.response_validator(_SCHEMA)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def _responses(draw: st.DrawFn) -> dict[str, Any]:
    """Real events, some with a field changed to any JSON value, or a field dropped."""
    result: list[dict[str, Any]] = []
    for seed in draw(st.lists(st.sampled_from(_EVENTS), max_size=4)):
        event = dict(seed)
        if draw(st.booleans()):
            key = draw(st.sampled_from([*sorted(event), "event", "timestamp", "text", "name"]))
            if draw(st.booleans()):
                event[key] = draw(_JSON)
            else:
                event.pop(key, None)
        result.append(event)
    response: dict[str, Any] = {"events": result, "responses": [{"text": "Ahoj"}]}
    if draw(st.integers(0, 9)) == 0:
        response[draw(st.sampled_from(["events", "responses"]))] = draw(_JSON)
    return response


@settings(max_examples=600, deadline=None)
@given(_responses())
def test_per_type_check_agrees_with_the_full_schema(response: dict[str, Any]) -> None:
    assert _FAST(response) == _FULL(response)


def test_every_event_type_is_valid_and_the_union_is_tagged() -> None:
    branches = _SCHEMA["properties"]["events"]["items"]["oneOf"]
    tags = {b["properties"]["event"]["const"] for b in branches}
    assert {e["event"] for e in _EVENTS} == tags  # the seeds reach every branch
    assert _FAST({"events": _EVENTS, "responses": []})
