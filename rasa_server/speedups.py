"""Speed-ups for Rasa 3.6's message path, each measured in bench/pipeline_bench.py.

Rasa checks every action server response with ``jsonschema.validate``, which first
validates the schema itself against the JSON-Schema meta-schema and then builds a new
validator, on every message. A py-spy profile put this at more than half of Rasa's time
per message. Here the validators are built once, and a malformed response is handed to
Rasa's own check, which rejects it with its usual error and message.

Even built once, the check took about 0.6 ms per response: each event is tried against
every branch of a ``oneOf`` with one branch per event type. The branches are told apart by
the constant of their ``event`` property, so an event can only ever match the branch of
its own type; checking that one branch gives the same verdict for a fifth of the cost.
(If a Rasa upgrade changed the schema so that this no longer holds, the full check is
used.)

Installed here too: the graph run without dask (:mod:`rasa_server.graph_runner`),
kept-open connections to the action server (:mod:`rasa_server.endpoint_sessions`) and
the remembered event classes (:mod:`rasa_server.event_types`).

``PORADNYK_RASA_SPEEDUPS`` chooses: ``1`` (default) all, ``0`` none (the benchmark's
unoptimised baseline), or a comma-separated list of ``validator``, ``runner``,
``sessions`` and ``events``.
"""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Callable
from typing import Any

import jsonschema
import rasa.core.run
import rasa.server
from rasa.core.actions.action import RemoteAction
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import Event
from rasa.utils.endpoints import EndpointConfig

from rasa_server.endpoint_sessions import closing_kept_sessions, kept_session
from rasa_server.event_types import cached_resolve_by_type
from rasa_server.graph_runner import sequential_run
from rasa_server.routes import creating_app_with_routes
from rasa_server.usage import counted

__all__ = ["PINNED_RASA", "SPEEDUPS", "install", "response_validator", "wanted"]

logger = logging.getLogger(__name__)

_Validate = Callable[[RemoteAction, dict[str, Any]], bool]


PINNED_RASA = "3.6.21"
"""The one Rasa version whose internals these patches were written and tested against."""

SPEEDUPS = ("validator", "runner", "sessions", "events")


def wanted() -> set[str]:
    """The speed-ups ``PORADNYK_RASA_SPEEDUPS`` asks for."""
    raw = os.environ.get("PORADNYK_RASA_SPEEDUPS", "1").strip()
    if raw in ("", "1"):
        return set(SPEEDUPS)
    if raw == "0":
        return set()
    names = {name.strip() for name in raw.split(",")}
    if names - set(SPEEDUPS):
        raise ValueError(f"PORADNYK_RASA_SPEEDUPS: unknown {sorted(names - set(SPEEDUPS))}")
    return names


def _validator(schema: dict[str, Any]) -> Callable[[Any], bool]:
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of on every message
    return validator_class(schema).is_valid


def response_validator(schema: dict[str, Any]) -> Callable[[Any], bool]:
    """Whether a response is valid under ``schema`` (Rasa's action response format).

    Each event is checked against the ``oneOf`` branch of its own type only, when the
    branches are a union tagged by a distinct ``event`` constant; else the full schema.
    """
    events = schema.get("properties", {}).get("events", {})
    item = events.get("items", {})
    branches: list[dict[str, Any]] = item.get("oneOf", [])
    tags = [b.get("properties", {}).get("event", {}).get("const") for b in branches]
    tagged = bool(tags) and all(isinstance(t, str) for t in tags) and len(set(tags)) == len(tags)
    if not tagged:
        return _validator(schema)
    untagged_item = {k: v for k, v in item.items() if k != "oneOf"}
    outer = copy.deepcopy(schema)
    outer["properties"]["events"]["items"] = {"type": "object"}
    outer_valid = _validator(outer)
    by_tag = {
        t: _validator({**untagged_item, "allOf": [b]}) for t, b in zip(tags, branches, strict=True)
    }

    def is_valid(result: Any) -> bool:
        if not outer_valid(result):
            return False
        for event in result.get("events") or ():
            tag = event.get("event")
            check = by_tag.get(tag) if isinstance(tag, str) else None
            if check is None or not check(event):
                return False
        return True

    return is_valid


def _cached_validation(original: _Validate) -> _Validate:
    is_valid = response_validator(RemoteAction.action_response_format_spec())

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        if is_valid(result):
            return True
        # Let Rasa's own code raise its error with its own message.
        return original(self, result)

    validate_action_result.__wrapped__ = original  # type: ignore[attr-defined]
    return validate_action_result


def install() -> None:
    """Add our routes and apply the wanted speed-ups to this process's Rasa (idempotent)."""
    if not hasattr(rasa.server.create_app, "__wrapped__"):
        # rasa.core.run calls server.create_app through the module, so patch it there.
        rasa.server.create_app = creating_app_with_routes(rasa.server.create_app)
    chosen = wanted()
    # Each patch counts its calls (rasa_server.usage), so a test proves it is live.
    if "validator" in chosen:
        current = RemoteAction._validate_action_result
        if not hasattr(current, "__wrapped__"):
            RemoteAction._validate_action_result = counted("validator", _cached_validation(current))
    if "runner" in chosen and not hasattr(DaskGraphRunner.run, "__wrapped__"):
        DaskGraphRunner.run = counted("runner", sequential_run)
    if "sessions" in chosen and not hasattr(EndpointConfig.session, "__wrapped__"):
        EndpointConfig.session = counted("sessions", kept_session(EndpointConfig.session))
        rasa.core.run.close_resources = closing_kept_sessions(rasa.core.run.close_resources)
    resolve = Event.__dict__["resolve_by_type"].__func__
    if "events" in chosen and not hasattr(resolve, "__wrapped__"):
        Event.resolve_by_type = staticmethod(counted("events", cached_resolve_by_type(resolve)))
    logger.info("Rasa speed-ups: %s", ", ".join(sorted(chosen)) or "none")
